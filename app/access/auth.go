package access

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
)

// AuthOptions tune Auth. Zero values take the defaults.
type AuthOptions struct {
	// Password is the cost of the dummy hash verified for unknown users (default
	// DefaultPasswordParams: keep it equal to the cost of stored hashes, so that
	// timing does not reveal who exists).
	Password PasswordParams
	// MaxConcurrentHashes bounds argon2id runs at once (default 2); a login waits
	// for a slot within its deadline.
	MaxConcurrentHashes int

	// Rate limits. Defaults: staff login 5/min per (school, username) and 20/min
	// (bursts of 10) per client address; codes 1 per 60 s and 10 a day per phone,
	// 30/h (bursts of 10) per address; parent login 30/min (bursts of 10) per
	// address.
	StaffLoginPerUser, StaffLoginPerAddr         cache.Limit
	CodePerPhone, CodePerPhoneDaily, CodePerAddr cache.Limit
	ParentLoginPerAddr                           cache.Limit

	// CodeTTL is how long a one-time code lives (default 5 min); MaxCodeTries how
	// many logins may try it (default 5): after that it is dead.
	CodeTTL      time.Duration
	MaxCodeTries int

	// OnCodeIssued, when set, is called with every one-time code issued. A test
	// hook (tests read the code through it): never set in production.
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

func (o *AuthOptions) validate() error {
	if o.MaxConcurrentHashes < 1 || o.MaxCodeTries < 1 || o.CodeTTL < time.Second || o.CodeTTL > time.Hour {
		return fmt.Errorf("access: auth options out of bounds: %d hashes, %d tries, code TTL %v", o.MaxConcurrentHashes, o.MaxCodeTries, o.CodeTTL)
	}
	for _, l := range []cache.Limit{o.StaffLoginPerUser, o.StaffLoginPerAddr, o.CodePerPhone, o.CodePerPhoneDaily, o.CodePerAddr, o.ParentLoginPerAddr} {
		if err := cache.ValidateLimit(l); err != nil {
			return err
		}
	}
	return nil
}

// AuthDeps is what Auth needs.
type AuthDeps struct {
	Directory directory.Store
	Cache     cache.Cache
	Sessions  *Sessions
	// PhoneHashKey keys the hash of parents' phones (≥ MinPhoneHashKey bytes).
	PhoneHashKey []byte
	// PhoneSealKey seals parents' phones (≥ MinPhoneSealKey bytes): in the one-time
	// code message and in the parent's record, so that notices reach them by SMS.
	PhoneSealKey []byte
	Now          func() time.Time
	Rand         io.Reader
	// LoginCodes queues login codes in the notices' outbox (issue 12); nil: the
	// directory's old outbox.
	LoginCodes LoginCodeQueue
}

// LoginCodeQueue queues one login code message (app/notify.Notices): codeID
// names the issuance (its dedupe key), payload holds the code (never logged).
type LoginCodeQueue interface {
	EnqueueLoginCode(ctx context.Context, phoneHash, codeID string, payload []byte) error
}

// Auth are the login use cases: staff by password, parents by one-time code,
// logout and whoami.
type Auth struct {
	d         AuthDeps
	opts      AuthOptions
	hashSlots chan struct{}
	dummyHash string
}

// NewAuth returns Auth. Every field of d is needed.
func NewAuth(d AuthDeps, opts AuthOptions) (*Auth, error) {
	switch {
	case d.Directory == nil || d.Cache == nil || d.Sessions == nil:
		return nil, errors.New("access: the auth service needs Directory, Cache and Sessions")
	case len(d.PhoneHashKey) < MinPhoneHashKey:
		return nil, fmt.Errorf("access: phone hash key of %d bytes, want at least %d", len(d.PhoneHashKey), MinPhoneHashKey)
	case len(d.PhoneSealKey) < MinPhoneSealKey:
		return nil, fmt.Errorf("access: phone seal key of %d bytes, want at least %d", len(d.PhoneSealKey), MinPhoneSealKey)
	case d.Now == nil || d.Rand == nil:
		return nil, errors.New("access: the auth service needs Now and Rand")
	}
	opts.defaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	dummy, err := HashPassword("onecode dummy password", opts.Password, d.Rand)
	if err != nil {
		return nil, err
	}
	return &Auth{d: d, opts: opts, hashSlots: make(chan struct{}, opts.MaxConcurrentHashes), dummyHash: dummy}, nil
}

// The errors of logins.
var (
	errInvalidCredentials = reason.New(reason.KindUnauthenticated, reason.InvalidCredentials, "wrong school, username or password")
	errStaffDisabled      = reason.New(reason.KindPermissionDenied, reason.StaffDisabled, "this staff account is disabled")
	errInvalidPhone       = reason.New(reason.KindInvalid, reason.InvalidPhone, "want a mainland mobile number of 11 digits")
	errInvalidCode        = reason.New(reason.KindUnauthenticated, reason.InvalidCode, "wrong or expired code (a code dies after a few wrong tries): request a new one")
	errLoginArgs          = reason.New(reason.KindInvalid, reason.InvalidArgument, "want a school id of 5 digits, a username and a password of 1..256 bytes")
)

// Login is an opened session.
type Login struct {
	Token     string
	ExpiresAt time.Time
	Principal Principal
}

// verify checks a password within the bound on concurrent hashing.
func (a *Auth) verify(ctx context.Context, encoded, password string) (bool, error) {
	select {
	case a.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-a.hashSlots }()
	return VerifyPassword(encoded, password)
}

// StaffLogin opens a staff session for the password of (school, username), asked
// from client address addr. A wrong password and an unknown user give the same
// error after the same work (a dummy hash is verified for unknown users); a
// disabled account is told only to whoever knows its password.
func (a *Auth) StaffLogin(ctx context.Context, school, username, password, addr string) (Login, error) {
	if directory.ValidateSchoolID(school) != nil || username == "" || len(username) > directory.MaxIDLen || !utf8.ValidString(username) ||
		!policy.ValidLoginPassword(password) {
		return Login{}, errLoginArgs
	}
	if err := CheckRate(ctx, a.d.Cache, "rl:staff-login:addr:"+addr, a.opts.StaffLoginPerAddr); err != nil {
		return Login{}, err
	}
	if err := CheckRate(ctx, a.d.Cache, "rl:staff-login:user:"+school+":"+strings.ToLower(username), a.opts.StaffLoginPerUser); err != nil {
		return Login{}, err
	}
	u, err := a.d.Directory.StaffByUsername(ctx, school, username)
	if errors.Is(err, directory.ErrNotFound) || errors.Is(err, directory.ErrInvalid) {
		_, _ = a.verify(ctx, a.dummyHash, password)
		return Login{}, errInvalidCredentials
	}
	if err != nil {
		return Login{}, err
	}
	ok, err := a.verify(ctx, u.PasswordHash, password)
	if err != nil && !errors.Is(err, ErrBadHash) {
		return Login{}, err
	}
	if !ok {
		return Login{}, errInvalidCredentials
	}
	if u.Status != directory.StaffActive {
		return Login{}, errStaffDisabled
	}
	p := Principal{Kind: KindStaff, SubjectID: u.ID, SchoolID: u.SchoolID, Role: RoleFromStored(u.Role), ClassID: u.ClassID}
	return a.open(ctx, p)
}

func (a *Auth) open(ctx context.Context, p Principal) (Login, error) {
	token, exp, err := a.d.Sessions.Open(ctx, p)
	if err != nil {
		return Login{}, err
	}
	p.ExpiresAt = exp
	return Login{Token: token, ExpiresAt: exp, Principal: p}, nil
}

// Logout ends the session of token (the caller's).
func (a *Auth) Logout(ctx context.Context, token string) error {
	if token == "" {
		return ErrUnauthenticated
	}
	return a.d.Sessions.Close(ctx, token)
}

// Whoami returns the caller: staff or a parent with a session.
func Whoami(ctx context.Context) (Principal, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok || (p.Kind != KindStaff && p.Kind != KindParent) {
		return Principal{}, ErrUnauthenticated
	}
	return p, nil
}
