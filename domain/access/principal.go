package access

// Kind is who is calling.
type Kind string

// Kinds of caller.
const (
	KindStaff    Kind = "staff"
	KindParent   Kind = "parent"
	KindOperator Kind = "operator"
	KindTerminal Kind = "terminal"
)

// Role is what a staff member may do, always within one school.
type Role string

// Staff roles. A school admin may do everything in the school.
const (
	RoleSchoolAdmin    Role = "school_admin"
	RoleFinance        Role = "finance"
	RoleCanteenManager Role = "canteen_manager"
	RoleTeacher        Role = "teacher"
)

// Roles are the four roles.
var Roles = []Role{RoleSchoolAdmin, RoleFinance, RoleCanteenManager, RoleTeacher}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleSchoolAdmin, RoleFinance, RoleCanteenManager, RoleTeacher:
		return true
	}
	return false
}

// HasRole reports whether a staff member of role r passes a check for allowed:
// any role when allowed is empty, and a school admin passes every check.
func HasRole(r Role, allowed ...Role) bool {
	if len(allowed) == 0 || r == RoleSchoolAdmin {
		return true
	}
	for _, a := range allowed {
		if r == a {
			return true
		}
	}
	return false
}
