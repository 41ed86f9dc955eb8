package binding

import (
	"errors"

	"github.com/onecode/onecode/domain/access"
)

// Proof is what a binding request proves besides the printed facts.
type Proof uint8

// Proofs.
const (
	ProofNone     Proof = iota // name and student number only: never enough
	ProofCode                  // the school's one-time bind code
	ProofIDNumber              // the pupil's ID number, as imported
)

func (p Proof) String() string {
	switch p {
	case ProofCode:
		return "bind_code"
	case ProofIDNumber:
		return "id_number"
	}
	return "none"
}

// Errors of the policy.
var (
	// ErrProofRequired: the request proves nothing beyond the printed facts.
	ErrProofRequired = errors.New("binding: a bind code or the ID number is required")
	// ErrTwoProofs: the request carries both proofs; give one.
	ErrTwoProofs = errors.New("binding: give the bind code or the ID number, not both")
	// ErrNotReachable: the pupil is of another school (or class): as if unknown.
	ErrNotReachable = errors.New("binding: pupil not reachable")
	// ErrRoleNotAllowed: the staff member's role may not do this.
	ErrRoleNotAllowed = errors.New("binding: role not allowed")
)

// ChooseProof says which proof a request carries: a code, an ID number, or (when the
// look-up already matched the ID number) that one. Neither is ErrProofRequired.
func ChooseProof(code, idNumber string, idMatchedAtLookup bool) (Proof, error) {
	switch {
	case code != "" && idNumber != "":
		return ProofNone, ErrTwoProofs
	case code != "":
		return ProofCode, nil
	case idNumber != "":
		return ProofIDNumber, nil
	case idMatchedAtLookup:
		return ProofIDNumber, nil
	}
	return ProofNone, ErrProofRequired
}

// Role is a staff role: the one role type of domain/access.
type Role = access.Role

// Roles.
const (
	RoleSchoolAdmin    = access.RoleSchoolAdmin
	RoleFinance        = access.RoleFinance
	RoleCanteenManager = access.RoleCanteenManager
	RoleTeacher        = access.RoleTeacher
)

// Staff is who asks: a staff member of one school (a teacher with a class).
type Staff struct {
	ID       string // for logs
	SchoolID string
	Role     Role
	ClassID  string
}

// Pupil is where the pupil is.
type Pupil struct {
	SchoolID string
	ClassID  string
}

// CanManageRole says whether a role may issue bind codes and list guardians at all
// (school admins and teachers), before any pupil is looked up.
func CanManageRole(r Role) error {
	if r == RoleSchoolAdmin || r == RoleTeacher {
		return nil
	}
	return ErrRoleNotAllowed
}

// CanUnbindRole says whether a role may unbind guardians at all (school admins).
func CanUnbindRole(r Role) error {
	if r == RoleSchoolAdmin {
		return nil
	}
	return ErrRoleNotAllowed
}

// CanManage says whether s may issue a bind code for p and list p's guardians: a school
// admin of p's school, or p's teacher. Anyone else of an allowed role is ErrNotReachable.
func CanManage(s Staff, p Pupil) error {
	if err := CanManageRole(s.Role); err != nil {
		return err
	}
	if s.SchoolID == "" || s.SchoolID != p.SchoolID {
		return ErrNotReachable
	}
	if s.Role == RoleTeacher && (s.ClassID == "" || s.ClassID != p.ClassID) {
		return ErrNotReachable
	}
	return nil
}

// CanUnbind says whether s may unbind a guardian of p: a school admin of p's school.
func CanUnbind(s Staff, p Pupil) error {
	if err := CanUnbindRole(s.Role); err != nil {
		return err
	}
	if s.SchoolID == "" || s.SchoolID != p.SchoolID {
		return ErrNotReachable
	}
	return nil
}
