package access

import (
	"context"
	"time"

	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
)

// Kind is who is calling (domain/access).
type Kind = policy.Kind

// Kinds of caller.
const (
	KindStaff    = policy.KindStaff
	KindParent   = policy.KindParent
	KindOperator = policy.KindOperator
	KindTerminal = policy.KindTerminal
)

// Role is a staff role (domain/access).
type Role = policy.Role

// Staff roles.
const (
	RoleSchoolAdmin    = policy.RoleSchoolAdmin
	RoleFinance        = policy.RoleFinance
	RoleCanteenManager = policy.RoleCanteenManager
	RoleTeacher        = policy.RoleTeacher
)

// Store types the edge names (so that it need not import persistence).
type (
	// StoredRole is a role as the directory keeps it.
	StoredRole = directory.StaffRole
	// Pupil is a pupil of the directory.
	Pupil = directory.Pupil
	// Cache keeps sessions, one-time codes and rate limits.
	Cache = cache.Cache
	// KV is the part of a Cache that Sessions use.
	KV = cache.KV
	// Limit is a rate limit.
	Limit = cache.Limit
	// Limiter keeps rate limits.
	Limiter = cache.Limiter
)

// Principal is the authenticated caller of a call, put in its context by the edge
// (sessions for staff and parents, the operator token for the operator API).
type Principal struct {
	Kind Kind
	// SubjectID is the staff id, parent id or terminal id (empty for the operator).
	SubjectID string
	// SchoolID is the school of staff and terminals.
	SchoolID string
	// Role is a staff member's role.
	Role Role
	// ClassID is a teacher's class.
	ClassID string
	// MaskedPhone is a parent's phone as 138****5678.
	MaskedPhone string
	// ExpiresAt is when the session ends.
	ExpiresAt time.Time
	// IssuedAt is when the session was opened: a staff session opened before its
	// user's sessions were revoked (Sessions.RevokeStaff) is dead.
	IssuedAt time.Time
}

// Caller is p as the reach policy knows it.
func (p Principal) Caller() policy.Caller {
	return policy.Caller{Kind: p.Kind, SchoolID: p.SchoolID, Role: p.Role, ClassID: p.ClassID}
}

type principalKey struct{}

// PrincipalFrom returns the caller put in ctx by the edge.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// ContextWithPrincipal returns ctx carrying p: for the edge's interceptors, the
// terminal session, which authenticates its own stream, and tests.
func ContextWithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// RoleFromStored maps a stored role to the domain's ("" for an unknown one).
func RoleFromStored(r directory.StaffRole) Role {
	switch r {
	case directory.RoleSchoolAdmin:
		return RoleSchoolAdmin
	case directory.RoleFinance:
		return RoleFinance
	case directory.RoleCanteenManager:
		return RoleCanteenManager
	case directory.RoleTeacher:
		return RoleTeacher
	}
	return ""
}

// RoleToStored maps a domain role to the stored one ("" for an unknown one).
func RoleToStored(r Role) directory.StaffRole {
	switch r {
	case RoleSchoolAdmin:
		return directory.RoleSchoolAdmin
	case RoleFinance:
		return directory.RoleFinance
	case RoleCanteenManager:
		return directory.RoleCanteenManager
	case RoleTeacher:
		return directory.RoleTeacher
	}
	return ""
}
