package gateway

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// PrincipalKind is who is calling.
type PrincipalKind string

// Principal kinds.
const (
	KindStaff    PrincipalKind = "staff"
	KindParent   PrincipalKind = "parent"
	KindOperator PrincipalKind = "operator"
	KindTerminal PrincipalKind = "terminal"
)

// Principal is the authenticated caller of a call, put in its context by the
// interceptors (sessions for staff and parents, the operator token for the
// operator API).
type Principal struct {
	Kind PrincipalKind `json:"kind"`
	// SubjectID is the staff id, parent id or terminal id (empty for the operator).
	SubjectID string `json:"sub,omitempty"`
	// SchoolID is the school of staff and terminals.
	SchoolID string          `json:"school,omitempty"`
	Role     apiv1.StaffRole `json:"role,omitempty"`
	// ClassID is a teacher's class.
	ClassID string `json:"class,omitempty"`
	// MaskedPhone is a parent's phone as 138****5678.
	MaskedPhone string `json:"phone,omitempty"`
	// ExpiresAt is when the session ends.
	ExpiresAt time.Time `json:"exp"`
	// IssuedAt is when the session was opened: a staff session opened before
	// its user's sessions were revoked (RevokeStaff) is dead.
	IssuedAt time.Time `json:"iat,omitzero"`
}

type principalKey struct{}

// sessionTokenKey carries the caller's session token (for Logout).
type sessionTokenKey struct{}

// PrincipalFrom returns the caller put in ctx by the interceptors.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// ContextWithPrincipal returns ctx carrying p: for the terminal session, which
// authenticates its own stream, and for tests of the services.
func ContextWithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// The errors of authentication and authorisation (gRPC statuses with a reason).
var (
	// ErrUnauthenticated: no session token, or an unknown, expired or logged
	// out one.
	ErrUnauthenticated = Status(codes.Unauthenticated, "UNAUTHENTICATED", "missing, unknown or expired session: log in")
	// ErrStaffOnly: a parent (or other non-staff) on a staff API.
	ErrStaffOnly = Status(codes.PermissionDenied, "STAFF_ONLY", "this API is for school staff")
	// ErrParentOnly: staff (or other non-parent) on a parent API.
	ErrParentOnly = Status(codes.PermissionDenied, "PARENT_ONLY", "this API is for parents")
	// ErrRoleNotAllowed: a staff member whose role may not do this.
	ErrRoleNotAllowed = Status(codes.PermissionDenied, "ROLE_NOT_ALLOWED", "your role may not do this")
	// ErrNotReachable: a pupil outside the caller's reach answers exactly as
	// an unknown one, so that account ids of other schools, classes or
	// families cannot be probed.
	ErrNotReachable = Status(codes.NotFound, "NOT_FOUND", "not found")
)

// RequireStaff returns the caller if it is staff with one of roles (any role
// when none is given). A school admin may do everything in the school and
// passes every role check.
func RequireStaff(ctx context.Context, roles ...apiv1.StaffRole) (Principal, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return Principal{}, ErrUnauthenticated
	}
	if p.Kind != KindStaff {
		return Principal{}, ErrStaffOnly
	}
	if len(roles) == 0 || p.Role == apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN {
		return p, nil
	}
	for _, r := range roles {
		if p.Role == r {
			return p, nil
		}
	}
	return Principal{}, ErrRoleNotAllowed
}

// RequireParent returns the caller if it is a parent.
func RequireParent(ctx context.Context) (Principal, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return Principal{}, ErrUnauthenticated
	}
	if p.Kind != KindParent {
		return Principal{}, ErrParentOnly
	}
	return p, nil
}

// CanStaffReachPupil says whether a staff member may see and act on a
// pupil: school admins and finance reach every pupil of their school,
// teachers the pupils of their class, canteen managers no pupil (they run
// canteens, terminals and the dish catalog; a pupil at the counter is
// served through the terminal). A pupil of another school or class is
// ErrNotReachable (as if unknown); a role without pupil access is
// ErrRoleNotAllowed.
func CanStaffReachPupil(p Principal, pupil directory.Pupil) error {
	if p.Kind != KindStaff {
		return ErrStaffOnly
	}
	if p.SchoolID == "" || p.SchoolID != pupil.SchoolID {
		return ErrNotReachable
	}
	switch p.Role {
	case apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN, apiv1.StaffRole_STAFF_ROLE_FINANCE:
		return nil
	case apiv1.StaffRole_STAFF_ROLE_TEACHER:
		if p.ClassID != "" && p.ClassID == pupil.ClassID {
			return nil
		}
		return ErrNotReachable
	}
	return ErrRoleNotAllowed
}

// RequireGuardian returns the caller if it is a parent bound to accountID;
// a pupil of another family is ErrNotReachable (as if unknown).
func RequireGuardian(ctx context.Context, dir directory.Store, accountID string) (Principal, error) {
	p, err := RequireParent(ctx)
	if err != nil {
		return Principal{}, err
	}
	if directory.ValidateAccountID(accountID) != nil {
		return Principal{}, ErrNotReachable
	}
	ok, err := dir.IsGuardian(ctx, p.SubjectID, accountID)
	if err != nil {
		return Principal{}, ErrorStatus(err)
	}
	if !ok {
		return Principal{}, ErrNotReachable
	}
	return p, nil
}

// RoleFromDirectory maps a stored role to the API's.
func RoleFromDirectory(r directory.StaffRole) apiv1.StaffRole {
	switch r {
	case directory.RoleSchoolAdmin:
		return apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN
	case directory.RoleFinance:
		return apiv1.StaffRole_STAFF_ROLE_FINANCE
	case directory.RoleCanteenManager:
		return apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER
	case directory.RoleTeacher:
		return apiv1.StaffRole_STAFF_ROLE_TEACHER
	}
	return apiv1.StaffRole_STAFF_ROLE_UNSPECIFIED
}

// RoleToDirectory maps an API role to the stored one ("" for unspecified).
func RoleToDirectory(r apiv1.StaffRole) directory.StaffRole {
	switch r {
	case apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN:
		return directory.RoleSchoolAdmin
	case apiv1.StaffRole_STAFF_ROLE_FINANCE:
		return directory.RoleFinance
	case apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER:
		return directory.RoleCanteenManager
	case apiv1.StaffRole_STAFF_ROLE_TEACHER:
		return directory.RoleTeacher
	}
	return ""
}

// CheckRate records one event under key and answers RateLimited when limit
// is exceeded (or the status of a cache failure: limits fail closed).
func CheckRate(ctx context.Context, l cache.Limiter, key string, limit cache.Limit) error {
	r, err := l.Allow(ctx, key, limit)
	if err != nil {
		return ErrorStatus(err)
	}
	if !r.Allowed {
		return RateLimited(r.RetryAfter)
	}
	return nil
}

// Session lifetimes.
const (
	DefaultStaffSessionTTL  = 12 * time.Hour
	DefaultParentSessionTTL = 30 * 24 * time.Hour
	tokenBytes              = 32
)

// tokenLen is the length of a session token: 32 bytes in unpadded base64url.
var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// SessionOptions configure Sessions. Zero values take the defaults.
type SessionOptions struct {
	StaffTTL  time.Duration    // default 12 h
	ParentTTL time.Duration    // default 30 days
	Now       func() time.Time // default time.Now
	Rand      io.Reader        // default crypto/rand
}

// Sessions are bearer tokens kept in the cache: a token is 32 random bytes
// in base64url, given to the client once; the cache holds only
// "session:<hex sha256(token)>" → the Principal as JSON, for the session's
// TTL (no sliding). Tokens are never logged.
type Sessions struct {
	kv   cache.KV
	opts SessionOptions
}

// NewSessions returns Sessions kept in kv.
func NewSessions(kv cache.KV, opts SessionOptions) (*Sessions, error) {
	if kv == nil {
		return nil, errors.New("gateway: sessions need a cache")
	}
	if opts.StaffTTL == 0 {
		opts.StaffTTL = DefaultStaffSessionTTL
	}
	if opts.ParentTTL == 0 {
		opts.ParentTTL = DefaultParentSessionTTL
	}
	for _, ttl := range []time.Duration{opts.StaffTTL, opts.ParentTTL} {
		if ttl < time.Second || ttl > cache.MaxTTL {
			return nil, fmt.Errorf("gateway: session TTL %v, want 1s..%v", ttl, cache.MaxTTL)
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = crand.Reader
	}
	return &Sessions{kv: kv, opts: opts}, nil
}

func sessionKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return "session:" + hex.EncodeToString(h[:])
}

// Open starts a session for p (staff or parent) and returns its token and
// end.
func (s *Sessions) Open(ctx context.Context, p Principal) (token string, expires time.Time, err error) {
	ttl := s.opts.StaffTTL
	switch p.Kind {
	case KindStaff:
	case KindParent:
		ttl = s.opts.ParentTTL
	default:
		return "", time.Time{}, fmt.Errorf("gateway: no sessions for %q", p.Kind)
	}
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(s.opts.Rand, b); err != nil {
		return "", time.Time{}, fmt.Errorf("gateway: session token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	now := s.opts.Now().UTC()
	p.IssuedAt = now
	p.ExpiresAt = now.Add(ttl).Truncate(time.Second)
	v, err := json.Marshal(p)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.kv.Set(ctx, sessionKey(token), v, ttl); err != nil {
		return "", time.Time{}, err
	}
	return token, p.ExpiresAt, nil
}

// errNoSession: the token is malformed, unknown or expired.
var errNoSession = errors.New("gateway: no such session")

// Resolve returns the principal of a token, or errNoSession.
func (s *Sessions) Resolve(ctx context.Context, token string) (Principal, error) {
	if !wellFormedToken(token) {
		return Principal{}, errNoSession
	}
	v, err := s.kv.Get(ctx, sessionKey(token))
	if errors.Is(err, cache.ErrNotFound) {
		return Principal{}, errNoSession
	}
	if err != nil {
		return Principal{}, err
	}
	var p Principal
	if err := json.Unmarshal(v, &p); err != nil {
		return Principal{}, fmt.Errorf("gateway: stored session: %w", err)
	}
	if !s.opts.Now().Before(p.ExpiresAt) {
		return Principal{}, errNoSession
	}
	if p.Kind == KindStaff {
		if err := s.checkStaffRevoked(ctx, p); err != nil {
			return Principal{}, err
		}
	}
	return p, nil
}

// Revocation of staff sessions. The cache keeps sessions by token only, so a
// user's sessions are not listed: RevokeStaff leaves a marker under
// "staff-revoked:<staff id>" that Resolve reads on every staff call (one cache
// read, no directory read), for as long as a session opened before it can live
// (StaffTTL plus staffRevokeMargin, for a login that was under way).
const (
	staffRevokedPrefix = "staff-revoked:"
	// staffRevokedDisabled marks a disabled user: every session of theirs is
	// dead, whenever it was opened (so that a login that read the account as
	// active just before it was disabled gets a dead session too).
	staffRevokedDisabled = "disabled"
	staffRevokeMargin    = 10 * time.Minute
)

// RevokeStaff ends the open sessions of staff member staffID. With disabled,
// every session of theirs is dead until the next RevokeStaff (call it after
// the account is written as disabled); without, the sessions opened until now
// are dead and later ones live (call it after the account is written enabled:
// re-enabled, or with a new role, class or password). Staff writes call it
// (staffAccounts); it is cheap and idempotent.
func (s *Sessions) RevokeStaff(ctx context.Context, staffID string, disabled bool) error {
	if err := directory.ValidateID("staff", staffID); err != nil {
		return err
	}
	v := []byte(staffRevokedDisabled)
	if !disabled {
		v = []byte(s.opts.Now().UTC().Format(time.RFC3339Nano))
	}
	ttl := min(s.opts.StaffTTL+staffRevokeMargin, cache.MaxTTL)
	return s.kv.Set(ctx, staffRevokedPrefix+staffID, v, ttl)
}

// checkStaffRevoked answers errNoSession for a staff session that RevokeStaff
// ended (and the cache's error when the marker cannot be read: fail closed).
func (s *Sessions) checkStaffRevoked(ctx context.Context, p Principal) error {
	v, err := s.kv.Get(ctx, staffRevokedPrefix+p.SubjectID)
	switch {
	case errors.Is(err, cache.ErrNotFound):
		return nil
	case err != nil:
		return err
	case string(v) == staffRevokedDisabled:
		return errNoSession
	}
	at, err := time.Parse(time.RFC3339Nano, string(v))
	if err != nil || !p.IssuedAt.After(at) {
		return errNoSession // a session of before this change has no IssuedAt
	}
	return nil
}

// Close ends the session of token (ending an ended one is no error).
func (s *Sessions) Close(ctx context.Context, token string) error {
	if !wellFormedToken(token) {
		return nil
	}
	_, err := s.kv.Delete(ctx, sessionKey(token))
	return err
}

func wellFormedToken(t string) bool {
	if len(t) != tokenLen {
		return false
	}
	for _, c := range []byte(t) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// bearerToken returns the token of "authorization: Bearer <token>".
func bearerToken(ctx context.Context) (string, bool) {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
			return strings.TrimSpace(v[7:]), true
		}
	}
	return "", false
}

// The APIs that need a session.
const (
	parentPrefix = "/onecode.api.v1.ParentService/"
	staffPrefix  = "/onecode.api.v1.StaffService/"
	authLogout   = "/onecode.api.v1.AuthService/Logout"
	authWhoami   = "/onecode.api.v1.AuthService/Whoami"
)

// sessionNeed says which session kind a method needs ("" for none).
func sessionNeed(method string) PrincipalKind {
	switch {
	case strings.HasPrefix(method, parentPrefix):
		return KindParent
	case strings.HasPrefix(method, staffPrefix):
		return KindStaff
	case method == authLogout, method == authWhoami:
		return "*"
	}
	return ""
}

// authenticate resolves the session a method needs and returns ctx with
// its principal.
func authenticate(ctx context.Context, s *Sessions, method string) (context.Context, error) {
	need := sessionNeed(method)
	if need == "" {
		return ctx, nil
	}
	if s == nil {
		return nil, Status(codes.Unauthenticated, "AUTH_DISABLED", "logins are not configured on this member")
	}
	token, ok := bearerToken(ctx)
	if !ok {
		return nil, ErrUnauthenticated
	}
	p, err := s.Resolve(ctx, token)
	if errors.Is(err, errNoSession) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, ErrorStatus(err)
	}
	switch {
	case need == KindParent && p.Kind != KindParent:
		return nil, ErrParentOnly
	case need == KindStaff && p.Kind != KindStaff:
		return nil, ErrStaffOnly
	}
	ctx = context.WithValue(ctx, sessionTokenKey{}, token)
	return ContextWithPrincipal(ctx, p), nil
}

// sessionAuth resolves "authorization: Bearer <session token>" on the
// parent and staff APIs and on Logout and Whoami: no or a dead token is
// Unauthenticated, a parent on the staff API (and vice versa)
// PermissionDenied. Other methods pass untouched.
func sessionAuth(s *Sessions) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		ctx, err := authenticate(ctx, s, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
}

// sessionAuthStream is sessionAuth for streams (none of the session APIs
// streams today; a future one is not left open).
func sessionAuthStream(s *Sessions) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if sessionNeed(info.FullMethod) == "" {
			return h(srv, ss)
		}
		ctx, err := authenticate(ss.Context(), s, info.FullMethod)
		if err != nil {
			return err
		}
		return h(srv, &ctxStream{ServerStream: ss, ctx: ctx})
	}
}

type ctxStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *ctxStream) Context() context.Context { return s.ctx }

// Client addresses. A direct gRPC caller is known by its TCP peer. A REST
// caller reaches gRPC through the in-process gateway, which marks its calls
// with a per-process secret (gatewayMarkKey) and forwards the HTTP peer as
// the last entry of x-forwarded-for (grpc-gateway appends the RemoteAddr;
// a client cannot set that key itself). Only marked calls are believed,
// and with Config.ForwardedHops = n (trusted reverse proxies in front of
// the HTTP port) the n-th entry from the end is the client.
const gatewayMarkKey = "x-onecode-gateway"

type clientAddrKey struct{}

// ClientAddr is the caller's address for rate limits: an IP (an IPv6
// address cut to its /64), or "unknown".
func ClientAddr(ctx context.Context) string {
	if a, ok := ctx.Value(clientAddrKey{}).(string); ok {
		return a
	}
	return peerAddr(ctx)
}

func peerAddr(ctx context.Context) string {
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		host, _, err := net.SplitHostPort(p.Addr.String())
		if err != nil {
			host = p.Addr.String()
		}
		return normalIP(host)
	}
	return "unknown"
}

func normalIP(s string) string {
	ip := net.ParseIP(strings.TrimSpace(s))
	if ip == nil {
		return "unknown"
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// forwardedAddr picks the client from x-forwarded-for: the last entry,
// hops entries further left for trusted proxies.
func forwardedAddr(values []string, hops int) (string, bool) {
	var all []string
	for _, v := range values {
		for e := range strings.SplitSeq(v, ",") {
			all = append(all, strings.TrimSpace(e))
		}
	}
	i := len(all) - 1 - hops
	if i < 0 {
		i = 0
	}
	if len(all) == 0 {
		return "", false
	}
	return normalIP(all[i]), true
}

// clientAddrUnary puts the client address in the context.
func clientAddrUnary(mark string, hops int) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		addr := peerAddr(ctx)
		md, _ := metadata.FromIncomingContext(ctx)
		if markMatches(md.Get(gatewayMarkKey), mark) {
			if a, ok := forwardedAddr(md.Get("x-forwarded-for"), hops); ok {
				addr = a
			}
		}
		return h(context.WithValue(ctx, clientAddrKey{}, addr), req)
	}
}

func markMatches(values []string, mark string) bool {
	if mark == "" {
		return false
	}
	for _, v := range values {
		if subtle.ConstantTimeCompare([]byte(v), []byte(mark)) == 1 {
			return true
		}
	}
	return false
}

// markOutgoing marks the REST gateway's calls to the gRPC endpoint.
func markOutgoing(mark string) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		return invoker(metadata.AppendToOutgoingContext(ctx, gatewayMarkKey, mark), method, req, reply, cc, opts...)
	}
}
