package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// PasswordParams are the argon2id costs of a new password hash (a stored
// hash carries its own, so they can be raised without breaking logins).
type PasswordParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultPasswordParams: argon2id with 64 MiB, one pass, two lanes. On the
// 2-core reference box one hash takes ~57 ms (m=19 MiB,t=2: 29 ms; m=64 MiB,
// t=2: 80 ms), inside the ~100 ms budget of a login, and above the OWASP
// minimum (19 MiB, t=2). Concurrent hashing is bounded by
// AuthOptions.MaxConcurrentHashes, so memory stays ≤ that × 64 MiB.
var DefaultPasswordParams = PasswordParams{MemoryKiB: 64 << 10, Time: 1, Threads: 2}

// Password bounds.
const (
	MaxPasswordLen = 256 // bytes
	saltLen        = 16
	keyLen         = 32
	maxMemoryKiB   = 1 << 20 // a stored hash may ask for at most 1 GiB …
	maxTime        = 16      // … 16 passes …
	maxThreads     = 16      // … and 16 lanes
)

// HashPassword returns the PHC string of password:
// $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key> (unpadded base64).
func HashPassword(password string, p PasswordParams, rand io.Reader) (string, error) {
	if password == "" || len(password) > MaxPasswordLen {
		return "", fmt.Errorf("gateway: password of %d bytes, want 1..%d", len(password), MaxPasswordLen)
	}
	if p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB || p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Threads > maxThreads {
		return "", fmt.Errorf("gateway: argon2id parameters %+v out of bounds", p)
	}
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("gateway: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// errBadHash: a stored hash is not a PHC argon2id string within bounds.
var errBadHash = errors.New("gateway: not an argon2id PHC string within bounds")

// VerifyPassword reports whether password matches the PHC string
// (constant-time comparison of the derived keys).
func VerifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false, errBadHash
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 ||
		p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB || p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Threads > maxThreads {
		return false, errBadHash
	}
	if len(password) > MaxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NormalizePhone returns a mainland mobile number as its 11 digits: spaces,
// dashes and a +86/0086/86 country prefix are dropped; the number must be
// 1[3-9]xxxxxxxxx.
func NormalizePhone(s string) (string, bool) {
	if len(s) > 32 {
		return "", false
	}
	var b strings.Builder
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '-' || c == '(' || c == ')':
		case c == '+' && i == 0:
		default:
			return "", false
		}
	}
	d := b.String()
	for _, cc := range []string{"0086", "86"} {
		if len(d) == 11+len(cc) && strings.HasPrefix(d, cc) {
			d = d[len(cc):]
		}
	}
	if len(d) != 11 || d[0] != '1' || d[1] < '3' {
		return "", false
	}
	return d, true
}

// MaskPhone shows an 11-digit phone as 138****5678.
func MaskPhone(phone string) string { return phone[:3] + "****" + phone[7:] }

// PhoneHash is the keyed hash (HMAC-SHA-256) under which a normalised phone
// is known; the phone itself is never stored.
func PhoneHash(key []byte, phone string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("onecode phone v1\x00"))
	m.Write([]byte(phone))
	return m.Sum(nil)
}

// AuthOptions tune the AuthService. Zero values take the defaults.
type AuthOptions struct {
	// Password is the cost of the dummy hash verified for unknown users
	// (default DefaultPasswordParams: keep it equal to the cost of stored
	// hashes, so that timing does not reveal who exists).
	Password PasswordParams
	// MaxConcurrentHashes bounds argon2id runs at once (default 2); a login
	// waits for a slot within its deadline.
	MaxConcurrentHashes int

	// Rate limits. Defaults: staff login 5/min per (school, username) and
	// 20/min (bursts of 10) per client address; codes 1 per 60 s and 10 a
	// day per phone, 30/h (bursts of 10) per address; parent login 30/min
	// (bursts of 10) per address.
	StaffLoginPerUser, StaffLoginPerAddr         cache.Limit
	CodePerPhone, CodePerPhoneDaily, CodePerAddr cache.Limit
	ParentLoginPerAddr                           cache.Limit

	// CodeTTL is how long a one-time code lives (default 5 min); MaxCodeTries
	// how many logins may try it (default 5): after that it is deleted.
	CodeTTL      time.Duration
	MaxCodeTries int

	// OnCodeIssued, when set, is called with every one-time code issued. A
	// test hook (tests read the code through it): never set in production.
	OnCodeIssued func(phone, code string)
}

func (o *AuthOptions) defaults() {
	if o.Password == (PasswordParams{}) {
		o.Password = DefaultPasswordParams
	}
	if o.MaxConcurrentHashes == 0 {
		o.MaxConcurrentHashes = 2
	}
	def := func(l *cache.Limit, d cache.Limit) {
		if *l == (cache.Limit{}) {
			*l = d
		}
	}
	def(&o.StaffLoginPerUser, cache.PerMinute(5))
	def(&o.StaffLoginPerAddr, cache.Limit{Rate: 20, Burst: 10, Period: time.Minute})
	def(&o.CodePerPhone, cache.Limit{Rate: 1, Burst: 1, Period: time.Minute})
	def(&o.CodePerPhoneDaily, cache.Limit{Rate: 10, Burst: 10, Period: 24 * time.Hour})
	def(&o.CodePerAddr, cache.Limit{Rate: 30, Burst: 10, Period: time.Hour})
	def(&o.ParentLoginPerAddr, cache.Limit{Rate: 30, Burst: 10, Period: time.Minute})
	if o.CodeTTL == 0 {
		o.CodeTTL = 5 * time.Minute
	}
	if o.MaxCodeTries == 0 {
		o.MaxCodeTries = 5
	}
}

// MinPhoneHashKey is the shortest Deps.PhoneHashKey accepted.
const MinPhoneHashKey = 16

// AuthService implements apiv1.AuthServiceServer.
type AuthService struct {
	apiv1.UnimplementedAuthServiceServer
	deps      Deps
	opts      AuthOptions
	hashSlots chan struct{}
	dummyHash string
}

var _ apiv1.AuthServiceServer = (*AuthService)(nil)

// NewAuthService returns the AuthService. It needs deps.Directory,
// deps.Cache, deps.Sessions, deps.PhoneHashKey, deps.Now and deps.Rand.
func NewAuthService(deps Deps, opts AuthOptions) (*AuthService, error) {
	switch {
	case deps.Directory == nil || deps.Cache == nil || deps.Sessions == nil:
		return nil, errors.New("gateway: the auth service needs Directory, Cache and Sessions")
	case len(deps.PhoneHashKey) < MinPhoneHashKey:
		return nil, fmt.Errorf("gateway: phone hash key of %d bytes, want at least %d", len(deps.PhoneHashKey), MinPhoneHashKey)
	case deps.Now == nil || deps.Rand == nil:
		return nil, errors.New("gateway: the auth service needs Now and Rand")
	}
	opts.defaults()
	if opts.MaxConcurrentHashes < 1 || opts.MaxCodeTries < 1 || opts.CodeTTL < time.Second || opts.CodeTTL > time.Hour {
		return nil, fmt.Errorf("gateway: auth options out of bounds: %d hashes, %d tries, code TTL %v", opts.MaxConcurrentHashes, opts.MaxCodeTries, opts.CodeTTL)
	}
	for _, l := range []cache.Limit{opts.StaffLoginPerUser, opts.StaffLoginPerAddr, opts.CodePerPhone, opts.CodePerPhoneDaily, opts.CodePerAddr, opts.ParentLoginPerAddr} {
		if err := cache.ValidateLimit(l); err != nil {
			return nil, err
		}
	}
	dummy, err := HashPassword("onecode dummy password", opts.Password, deps.Rand)
	if err != nil {
		return nil, err
	}
	return &AuthService{deps: deps, opts: opts, hashSlots: make(chan struct{}, opts.MaxConcurrentHashes), dummyHash: dummy}, nil
}

var (
	errInvalidCredentials = Status(codes.Unauthenticated, "INVALID_CREDENTIALS", "wrong school, username or password")
	errStaffDisabled      = Status(codes.PermissionDenied, "STAFF_DISABLED", "this staff account is disabled")
	errInvalidPhone       = Status(codes.InvalidArgument, "INVALID_PHONE", "want a mainland mobile number of 11 digits")
	errInvalidCode        = Status(codes.Unauthenticated, "INVALID_CODE", "wrong or expired code (a code dies after a few wrong tries): request a new one")
)

// verify checks a password within the bound on concurrent hashing.
func (a *AuthService) verify(ctx context.Context, encoded, password string) (bool, error) {
	select {
	case a.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-a.hashSlots }()
	return VerifyPassword(encoded, password)
}

// StaffLogin implements apiv1.AuthServiceServer. A wrong password and an
// unknown user give the same error after the same work (a dummy hash is
// verified for unknown users); a disabled account is told only to whoever
// knows its password.
func (a *AuthService) StaffLogin(ctx context.Context, req *apiv1.StaffLoginRequest) (*apiv1.StaffLoginResponse, error) {
	school, username, password := req.GetSchoolId(), req.GetUsername(), req.GetPassword()
	if directory.ValidateSchoolID(school) != nil || username == "" || len(username) > directory.MaxIDLen || !utf8.ValidString(username) ||
		password == "" || len(password) > MaxPasswordLen {
		return nil, Status(codes.InvalidArgument, "INVALID_ARGUMENT", "want a school id of 5 digits, a username and a password of 1..256 bytes")
	}
	if err := CheckRate(ctx, a.deps.Cache, "rl:staff-login:addr:"+ClientAddr(ctx), a.opts.StaffLoginPerAddr); err != nil {
		return nil, err
	}
	if err := CheckRate(ctx, a.deps.Cache, "rl:staff-login:user:"+school+":"+strings.ToLower(username), a.opts.StaffLoginPerUser); err != nil {
		return nil, err
	}
	u, err := a.deps.Directory.StaffByUsername(ctx, school, username)
	if errors.Is(err, directory.ErrNotFound) || errors.Is(err, directory.ErrInvalid) {
		_, _ = a.verify(ctx, a.dummyHash, password)
		return nil, errInvalidCredentials
	}
	if err != nil {
		return nil, ErrorStatus(err)
	}
	ok, err := a.verify(ctx, u.PasswordHash, password)
	if err != nil && !errors.Is(err, errBadHash) {
		return nil, ErrorStatus(err)
	}
	if !ok {
		return nil, errInvalidCredentials
	}
	if u.Status != directory.StaffActive {
		return nil, errStaffDisabled
	}
	p := Principal{Kind: KindStaff, SubjectID: u.ID, SchoolID: u.SchoolID, Role: RoleFromDirectory(u.Role), ClassID: u.ClassID}
	token, exp, err := a.deps.Sessions.Open(ctx, p)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.StaffLoginResponse{Token: token, ExpiresUnix: exp.Unix(), Role: p.Role, SchoolId: p.SchoolID, ClassId: p.ClassID}, nil
}

// otpRecord is a one-time code as the cache keeps it: hashed with a salt,
// never in clear.
type otpRecord struct {
	ID   string `json:"id"`
	Salt []byte `json:"salt"`
	Hash []byte `json:"hash"`
}

func codeHash(salt []byte, code string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(code))
	return h.Sum(nil)
}

// otpPayload is the outbox message that delivers a code.
type otpPayload struct {
	Code        string `json:"code"`
	MaskedPhone string `json:"masked_phone"`
	ExpiresUnix int64  `json:"expires_unix"`
}

// RequestParentCode implements apiv1.AuthServiceServer: a 6-digit code,
// stored hashed for CodeTTL and delivered through the directory outbox
// (topic "otp", recipient the hex phone hash, payload {"code",
// "masked_phone", "expires_unix"}).
func (a *AuthService) RequestParentCode(ctx context.Context, req *apiv1.RequestParentCodeRequest) (*apiv1.RequestParentCodeResponse, error) {
	phone, ok := NormalizePhone(req.GetPhone())
	if !ok {
		return nil, errInvalidPhone
	}
	if err := CheckRate(ctx, a.deps.Cache, "rl:otp:addr:"+ClientAddr(ctx), a.opts.CodePerAddr); err != nil {
		return nil, err
	}
	ph := hex.EncodeToString(PhoneHash(a.deps.PhoneHashKey, phone))
	if err := CheckRate(ctx, a.deps.Cache, "rl:otp:phone:"+ph, a.opts.CodePerPhone); err != nil {
		return nil, err
	}
	if err := CheckRate(ctx, a.deps.Cache, "rl:otp:phone-day:"+ph, a.opts.CodePerPhoneDaily); err != nil {
		return nil, err
	}
	code, rec, err := a.newCode()
	if err != nil {
		return nil, ErrorStatus(err)
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	if err := a.deps.Cache.Set(ctx, "otp:code:"+ph, v, a.opts.CodeTTL); err != nil {
		return nil, ErrorStatus(err)
	}
	payload, err := json.Marshal(otpPayload{Code: code, MaskedPhone: MaskPhone(phone), ExpiresUnix: a.deps.Now().Add(a.opts.CodeTTL).Unix()})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	if _, err := a.deps.Directory.Enqueue(ctx, directory.Message{Topic: directory.TopicOTP, Recipient: ph, Payload: payload}); err != nil {
		_, _ = a.deps.Cache.Delete(ctx, "otp:code:"+ph)
		return nil, ErrorStatus(err)
	}
	if a.opts.OnCodeIssued != nil {
		a.opts.OnCodeIssued(phone, code)
	}
	return &apiv1.RequestParentCodeResponse{RetryAfterSeconds: int32(a.opts.CodePerPhone.Period / time.Duration(a.opts.CodePerPhone.Rate) / time.Second)}, nil
}

// newCode draws a uniform 6-digit code and its record.
func (a *AuthService) newCode() (string, otpRecord, error) {
	var b [4 + 8 + 16]byte
	for range 100 { // rejection sampling: P(reject) < 0.03%, so 100 rounds never run out
		if _, err := io.ReadFull(a.deps.Rand, b[:]); err != nil {
			return "", otpRecord{}, fmt.Errorf("gateway: code: %w", err)
		}
		n := binary.BigEndian.Uint32(b[:4])
		const limit = (1 << 32) / 1_000_000 * 1_000_000
		if n >= limit {
			continue
		}
		code := fmt.Sprintf("%06d", n%1_000_000)
		salt := append([]byte(nil), b[12:]...)
		return code, otpRecord{ID: hex.EncodeToString(b[4:12]), Salt: salt, Hash: codeHash(salt, code)}, nil
	}
	return "", otpRecord{}, errors.New("gateway: code: random source is biased")
}

// ParentLogin implements apiv1.AuthServiceServer. Every try of a code is
// counted before it is checked, so at most MaxCodeTries checks are made of
// one code whatever the concurrency; the code dies after the last wrong
// one (its try counter, keyed by the code's id, is spent), and a right
// one is consumed (one login per code). The parent is
// created on the first login.
func (a *AuthService) ParentLogin(ctx context.Context, req *apiv1.ParentLoginRequest) (*apiv1.ParentLoginResponse, error) {
	phone, ok := NormalizePhone(req.GetPhone())
	if !ok {
		return nil, errInvalidPhone
	}
	code := req.GetCode()
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return nil, Status(codes.InvalidArgument, "INVALID_CODE_FORMAT", "want a code of 6 digits")
	}
	if err := CheckRate(ctx, a.deps.Cache, "rl:parent-login:addr:"+ClientAddr(ctx), a.opts.ParentLoginPerAddr); err != nil {
		return nil, err
	}
	hash := PhoneHash(a.deps.PhoneHashKey, phone)
	ph := hex.EncodeToString(hash)
	codeKey := "otp:code:" + ph
	v, err := a.deps.Cache.Get(ctx, codeKey)
	if errors.Is(err, cache.ErrNotFound) {
		return nil, errInvalidCode
	}
	if err != nil {
		return nil, ErrorStatus(err)
	}
	var rec otpRecord
	if err := json.Unmarshal(v, &rec); err != nil || rec.ID == "" {
		return nil, ErrorStatus(fmt.Errorf("gateway: stored code: %v", err))
	}
	tries, err := a.deps.Cache.Incr(ctx, "otp:tries:"+ph+":"+rec.ID, a.opts.CodeTTL)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	// A code is dead once its tries are spent: the counter is keyed by the
	// code's id, so nothing needs deleting. (Deleting here let a burst of
	// surplus tries remove a right code that a counted try was about to
	// consume, or a newer code the parent had just asked for.)
	if tries > int64(a.opts.MaxCodeTries) {
		return nil, errInvalidCode
	}
	if subtle.ConstantTimeCompare(codeHash(rec.Salt, code), rec.Hash) != 1 {
		return nil, errInvalidCode
	}
	if consumed, err := a.deps.Cache.Delete(ctx, codeKey); err != nil {
		return nil, ErrorStatus(err)
	} else if !consumed {
		return nil, errInvalidCode // a concurrent login used it
	}
	id, err := a.newParentID()
	if err != nil {
		return nil, ErrorStatus(err)
	}
	parent, err := a.deps.Directory.PutParent(ctx, directory.Parent{ID: id, PhoneHash: hash, PhoneMasked: MaskPhone(phone)})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	token, exp, err := a.deps.Sessions.Open(ctx, Principal{Kind: KindParent, SubjectID: parent.ID, MaskedPhone: parent.PhoneMasked})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.ParentLoginResponse{Token: token, ExpiresUnix: exp.Unix(), ParentId: parent.ID}, nil
}

func (a *AuthService) newParentID() (string, error) {
	b := make([]byte, 12)
	if _, err := io.ReadFull(a.deps.Rand, b); err != nil {
		return "", fmt.Errorf("gateway: parent id: %w", err)
	}
	return "par_" + hex.EncodeToString(b), nil
}

// Logout implements apiv1.AuthServiceServer: the caller's session ends.
func (a *AuthService) Logout(ctx context.Context, _ *apiv1.LogoutRequest) (*apiv1.LogoutResponse, error) {
	token, _ := ctx.Value(sessionTokenKey{}).(string)
	if token == "" {
		return nil, ErrUnauthenticated
	}
	if err := a.deps.Sessions.Close(ctx, token); err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.LogoutResponse{}, nil
}

// Whoami implements apiv1.AuthServiceServer.
func (a *AuthService) Whoami(ctx context.Context, _ *apiv1.WhoamiRequest) (*apiv1.WhoamiResponse, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok || (p.Kind != KindStaff && p.Kind != KindParent) {
		return nil, ErrUnauthenticated
	}
	return &apiv1.WhoamiResponse{Kind: string(p.Kind), SubjectId: p.SubjectID, Role: p.Role, SchoolId: p.SchoolID,
		ClassId: p.ClassID, MaskedPhone: p.MaskedPhone}, nil
}
