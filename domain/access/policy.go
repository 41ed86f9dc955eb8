package access

// Reach is the answer of the reach policy.
type Reach uint8

// Answers of the reach policy.
const (
	// Reachable: the caller may see and act on the target.
	Reachable Reach = iota
	// NotReachable: out of the caller's reach; it answers exactly as an unknown
	// target, so that ids of other schools, classes or families cannot be probed.
	NotReachable
	// RoleDenied: a staff member whose role has no access to this kind of target.
	RoleDenied
	// NotStaff: a staff-only check asked by another kind of caller.
	NotStaff
)

var reachNames = [...]string{"reachable", "not reachable", "role denied", "not staff"}

func (r Reach) String() string {
	if int(r) < len(reachNames) {
		return reachNames[r]
	}
	return "reach(?)"
}

// Caller is who asks, as the reach policy knows them.
type Caller struct {
	Kind     Kind
	SchoolID string // of staff and terminals
	Role     Role   // of staff
	ClassID  string // a teacher's class
}

// TargetKind is what a caller wants to reach.
type TargetKind uint8

// Kinds of target.
const (
	TargetPupil TargetKind = iota
	TargetClass
	TargetCanteen
	TargetTerminal
)

// Target is a pupil, class, canteen or terminal of a school.
type Target struct {
	Kind     TargetKind
	SchoolID string
	ClassID  string // a pupil's class, or the class itself
	// Guarded: the calling parent guards this pupil (read by the caller from the
	// directory; only parents need it).
	Guarded bool
}

// CanReach is the reach policy: the operator reaches everything; a terminal only
// its own school; a parent only the pupils they guard; staff what StaffReach says.
func CanReach(c Caller, t Target) Reach {
	switch c.Kind {
	case KindOperator:
		return Reachable
	case KindTerminal:
		if c.SchoolID != "" && c.SchoolID == t.SchoolID {
			return Reachable
		}
	case KindParent:
		if t.Kind == TargetPupil && t.Guarded {
			return Reachable
		}
	case KindStaff:
		return staffReach(c, t)
	}
	return NotReachable
}

// staffReach: staff reach only their own school. School admins and finance reach
// every pupil of it, teachers the pupils of their class, canteen managers no pupil
// (they run canteens, terminals and the dish catalog; a pupil at the counter is
// served through the terminal). Every role reaches the school's classes — a teacher
// only their class —, canteens and terminals (what a role may do with them is the
// role check's business).
func staffReach(c Caller, t Target) Reach {
	if c.SchoolID == "" || c.SchoolID != t.SchoolID {
		return NotReachable
	}
	teachersClass := c.ClassID != "" && c.ClassID == t.ClassID
	switch t.Kind {
	case TargetPupil:
		switch c.Role {
		case RoleSchoolAdmin, RoleFinance:
			return Reachable
		case RoleTeacher:
			if teachersClass {
				return Reachable
			}
			return NotReachable
		}
		return RoleDenied
	case TargetClass:
		if c.Role == RoleTeacher && !teachersClass {
			return NotReachable
		}
	}
	return Reachable
}

// StaffReachPupil is CanReach for a staff-only API: another kind of caller is
// NotStaff.
func StaffReachPupil(c Caller, schoolID, classID string) Reach {
	if c.Kind != KindStaff {
		return NotStaff
	}
	return CanReach(c, Target{Kind: TargetPupil, SchoolID: schoolID, ClassID: classID})
}
