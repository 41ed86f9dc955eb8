package access

import (
	"context"

	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// The errors of authentication and authorisation.
var (
	// ErrUnauthenticated: no session token, or an unknown, expired or logged out one.
	ErrUnauthenticated = reason.New(reason.KindUnauthenticated, reason.Unauthenticated, "missing, unknown or expired session: log in")
	// ErrStaffOnly: a parent (or other non-staff) on a staff API.
	ErrStaffOnly = reason.New(reason.KindPermissionDenied, reason.StaffOnly, "this API is for school staff")
	// ErrParentOnly: staff (or other non-parent) on a parent API.
	ErrParentOnly = reason.New(reason.KindPermissionDenied, reason.ParentOnly, "this API is for parents")
	// ErrRoleNotAllowed: a staff member whose role may not do this.
	ErrRoleNotAllowed = reason.New(reason.KindPermissionDenied, reason.RoleNotAllowed, "your role may not do this")
	// ErrNotReachable: a pupil (class, canteen …) outside the caller's reach answers
	// exactly as an unknown one, so that ids of other schools, classes or families
	// cannot be probed.
	ErrNotReachable = reason.New(reason.KindNotFound, reason.NotFound, "not found")
)

// RequireStaff returns the caller if it is staff with one of roles (any role when
// none is given). A school admin may do everything in the school and passes every
// role check.
func RequireStaff(ctx context.Context, roles ...Role) (Principal, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return Principal{}, ErrUnauthenticated
	}
	if p.Kind != KindStaff {
		return Principal{}, ErrStaffOnly
	}
	if !policy.HasRole(p.Role, roles...) {
		return Principal{}, ErrRoleNotAllowed
	}
	return p, nil
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

// Guardians answer whether a parent guards a pupil (directory.Store does).
type Guardians interface {
	IsGuardian(ctx context.Context, parentID, accountID string) (bool, error)
}

// RequireGuardian returns the caller if it is a parent bound to accountID; a pupil
// of another family is ErrNotReachable (as if unknown).
func RequireGuardian(ctx context.Context, g Guardians, accountID string) (Principal, error) {
	p, err := RequireParent(ctx)
	if err != nil {
		return Principal{}, err
	}
	if directory.ValidateAccountID(accountID) != nil {
		return Principal{}, ErrNotReachable
	}
	ok, err := g.IsGuardian(ctx, p.SubjectID, accountID)
	if err != nil {
		return Principal{}, err
	}
	if reachError(policy.CanReach(p.Caller(), policy.Target{Kind: policy.TargetPupil, Guarded: ok})) != nil {
		return Principal{}, ErrNotReachable
	}
	return p, nil
}

// CanStaffReachPupil says whether a staff member may see and act on a pupil (the
// policy of domain/access): a pupil of another school or class is ErrNotReachable
// (as if unknown); a role without pupil access (canteen managers) is
// ErrRoleNotAllowed; a caller who is not staff is ErrStaffOnly.
func CanStaffReachPupil(p Principal, pupil directory.Pupil) error {
	return reachError(policy.StaffReachPupil(p.Caller(), pupil.SchoolID, pupil.ClassID))
}

// CanReach is the reach policy of domain/access as an error: nil, ErrNotReachable,
// ErrRoleNotAllowed or ErrStaffOnly.
func CanReach(p Principal, t policy.Target) error {
	return reachError(policy.CanReach(p.Caller(), t))
}

func reachError(r policy.Reach) error {
	switch r {
	case policy.Reachable:
		return nil
	case policy.RoleDenied:
		return ErrRoleNotAllowed
	case policy.NotStaff:
		return ErrStaffOnly
	}
	return ErrNotReachable
}
