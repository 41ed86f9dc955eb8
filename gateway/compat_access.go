package gateway

// Compatibility shims of the access capability, kept so that the other gateway
// files (and their tests) compile unchanged while the use cases move to app/
// (issue 10). TODO(issue 10 cleanup): delete this file once every caller uses
// app/access (access.Principal, access.RequireStaff …) directly; Deps.Sessions and
// Config.Sessions then become *access.Sessions.

import (
	"context"
	"io"
	"time"

	"github.com/onecode/onecode/app/access"
	policy "github.com/onecode/onecode/domain/access"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// PrincipalKind is who is calling (access.Kind).
type PrincipalKind = access.Kind

// Principal kinds.
const (
	KindStaff    = access.KindStaff
	KindParent   = access.KindParent
	KindOperator = access.KindOperator
	KindTerminal = access.KindTerminal
)

// Principal is access.Principal with the role of the public API.
type Principal struct {
	Kind        PrincipalKind
	SubjectID   string
	SchoolID    string
	Role        apiv1.StaffRole
	ClassID     string
	MaskedPhone string
	ExpiresAt   time.Time
	IssuedAt    time.Time
}

func (p Principal) app() access.Principal {
	return access.Principal{Kind: p.Kind, SubjectID: p.SubjectID, SchoolID: p.SchoolID, Role: roleFromAPI(p.Role),
		ClassID: p.ClassID, MaskedPhone: p.MaskedPhone, ExpiresAt: p.ExpiresAt, IssuedAt: p.IssuedAt}
}

func principalFromApp(p access.Principal) Principal {
	return Principal{Kind: p.Kind, SubjectID: p.SubjectID, SchoolID: p.SchoolID, Role: roleToAPI(p.Role),
		ClassID: p.ClassID, MaskedPhone: p.MaskedPhone, ExpiresAt: p.ExpiresAt, IssuedAt: p.IssuedAt}
}

// PrincipalFrom is access.PrincipalFrom.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := access.PrincipalFrom(ctx)
	return principalFromApp(p), ok
}

// ContextWithPrincipal is access.ContextWithPrincipal.
func ContextWithPrincipal(ctx context.Context, p Principal) context.Context {
	return access.ContextWithPrincipal(ctx, p.app())
}

// The errors of authentication and authorisation, as statuses.
var (
	ErrUnauthenticated = ErrorStatus(access.ErrUnauthenticated)
	ErrStaffOnly       = ErrorStatus(access.ErrStaffOnly)
	ErrParentOnly      = ErrorStatus(access.ErrParentOnly)
	ErrRoleNotAllowed  = ErrorStatus(access.ErrRoleNotAllowed)
	ErrNotReachable    = ErrorStatus(access.ErrNotReachable)
)

// compat runs an app/access check and answers its error as a status.
func compat(p access.Principal, err error) (Principal, error) {
	if err != nil {
		return Principal{}, ErrorStatus(err)
	}
	return principalFromApp(p), nil
}

// RequireStaff is access.RequireStaff with roles of the public API.
func RequireStaff(ctx context.Context, roles ...apiv1.StaffRole) (Principal, error) {
	rs := make([]access.Role, len(roles))
	for i, r := range roles {
		rs[i] = roleFromAPI(r)
	}
	return compat(access.RequireStaff(ctx, rs...))
}

// RequireParent is access.RequireParent.
func RequireParent(ctx context.Context) (Principal, error) {
	return compat(access.RequireParent(ctx))
}

// RequireGuardian is access.RequireGuardian (dir is the directory).
func RequireGuardian(ctx context.Context, dir access.Guardians, accountID string) (Principal, error) {
	return compat(access.RequireGuardian(ctx, dir, accountID))
}

// CanStaffReachPupil is access.CanStaffReachPupil.
func CanStaffReachPupil(p Principal, pupil access.Pupil) error {
	return ErrorStatus(access.CanStaffReachPupil(p.app(), pupil))
}

// RoleFromDirectory maps a stored role to the API's.
func RoleFromDirectory(r access.StoredRole) apiv1.StaffRole {
	return roleToAPI(access.RoleFromStored(r))
}

// RoleToDirectory maps an API role to the stored one ("" for unspecified).
func RoleToDirectory(r apiv1.StaffRole) access.StoredRole { return access.RoleToStored(roleFromAPI(r)) }

// Sessions are access.Sessions taking and answering the gateway's Principal.
type Sessions struct{ s *access.Sessions }

// SessionOptions configure Sessions.
type SessionOptions = access.SessionOptions

// NewSessions is access.NewSessions.
func NewSessions(kv access.KV, opts SessionOptions) (*Sessions, error) {
	s, err := access.NewSessions(kv, opts)
	if err != nil {
		return nil, err
	}
	return &Sessions{s: s}, nil
}

// App returns the sessions of app/access (nil for nil).
func (s *Sessions) App() *access.Sessions {
	if s == nil {
		return nil
	}
	return s.s
}

// Open is access.Sessions.Open.
func (s *Sessions) Open(ctx context.Context, p Principal) (string, time.Time, error) {
	return s.s.Open(ctx, p.app())
}

// Resolve is access.Sessions.Resolve.
func (s *Sessions) Resolve(ctx context.Context, token string) (Principal, error) {
	p, err := s.s.Resolve(ctx, token)
	return principalFromApp(p), err
}

// RevokeStaff is access.Sessions.RevokeStaff.
func (s *Sessions) RevokeStaff(ctx context.Context, staffID string, disabled bool) error {
	return s.s.RevokeStaff(ctx, staffID, disabled)
}

// Close is access.Sessions.Close.
func (s *Sessions) Close(ctx context.Context, token string) error { return s.s.Close(ctx, token) }

// CheckRate is access.CheckRate, answering a status.
func CheckRate(ctx context.Context, l access.Limiter, key string, limit access.Limit) error {
	return ErrorStatus(access.CheckRate(ctx, l, key, limit))
}

// Passwords, phones and staff ids (app/access, domain/access).
type (
	PasswordParams = access.PasswordParams
	AuthOptions    = access.AuthOptions
)

// DefaultPasswordParams is access.DefaultPasswordParams.
var DefaultPasswordParams = access.DefaultPasswordParams

// Bounds.
const (
	MaxPasswordLen  = access.MaxPasswordLen
	MinPhoneHashKey = access.MinPhoneHashKey
)

// HashPassword is access.HashPassword.
func HashPassword(password string, p PasswordParams, rand io.Reader) (string, error) {
	return access.HashPassword(password, p, rand)
}

// VerifyPassword is access.VerifyPassword.
func VerifyPassword(encoded, password string) (bool, error) {
	return access.VerifyPassword(encoded, password)
}

// PhoneHash is access.PhoneHash.
func PhoneHash(key []byte, phone string) []byte { return access.PhoneHash(key, phone) }

// NormalizePhone is policy.NormalizePhone.
func NormalizePhone(s string) (string, bool) { return policy.NormalizePhone(s) }

// MaskPhone is policy.MaskPhone.
func MaskPhone(phone string) string { return policy.MaskPhone(phone) }

// StaffID is policy.StaffID.
func StaffID(schoolID, username string) string { return policy.StaffID(schoolID, username) }
