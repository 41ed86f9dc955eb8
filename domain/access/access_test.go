package access

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func TestHasRole(t *testing.T) {
	for _, tc := range []struct {
		name    string
		role    Role
		allowed []Role
		want    bool
	}{
		{"any role", RoleFinance, nil, true},
		{"listed", RoleFinance, []Role{RoleFinance, RoleTeacher}, true},
		{"not listed", RoleTeacher, []Role{RoleFinance}, false},
		{"admin passes every check", RoleSchoolAdmin, []Role{RoleCanteenManager}, true},
		{"no role, any", "", nil, true},
		{"no role, listed", "", []Role{RoleFinance}, false},
	} {
		if got := HasRole(tc.role, tc.allowed...); got != tc.want {
			t.Errorf("%s: HasRole(%q, %v) = %v, want %v", tc.name, tc.role, tc.allowed, got, tc.want)
		}
	}
	for _, r := range Roles {
		if !r.Valid() {
			t.Errorf("%q is not Valid", r)
		}
	}
	if Role("janitor").Valid() || Role("").Valid() {
		t.Error("an unknown role is Valid")
	}
}

func TestStaffReachPupil(t *testing.T) {
	staff := func(role Role, school, class string) Caller {
		return Caller{Kind: KindStaff, SchoolID: school, Role: role, ClassID: class}
	}
	for _, tc := range []struct {
		name string
		c    Caller
		want Reach
	}{
		{"admin", staff(RoleSchoolAdmin, "35001", ""), Reachable},
		{"finance", staff(RoleFinance, "35001", ""), Reachable},
		{"teacher of the class", staff(RoleTeacher, "35001", "3-1"), Reachable},
		{"teacher of another class", staff(RoleTeacher, "35001", "3-2"), NotReachable},
		{"teacher without class", staff(RoleTeacher, "35001", ""), NotReachable},
		{"canteen manager", staff(RoleCanteenManager, "35001", ""), RoleDenied},
		{"admin of another school", staff(RoleSchoolAdmin, "35002", ""), NotReachable},
		{"canteen manager of another school", staff(RoleCanteenManager, "35002", ""), NotReachable},
		{"staff without school", staff(RoleSchoolAdmin, "", ""), NotReachable},
		{"unspecified role", staff("", "35001", ""), RoleDenied},
		{"parent", Caller{Kind: KindParent}, NotStaff},
		{"operator", Caller{Kind: KindOperator}, NotStaff},
	} {
		if got := StaffReachPupil(tc.c, "35001", "3-1"); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCanReach(t *testing.T) {
	teacher := Caller{Kind: KindStaff, SchoolID: "35001", Role: RoleTeacher, ClassID: "3-1"}
	canteen := Caller{Kind: KindStaff, SchoolID: "35001", Role: RoleCanteenManager}
	terminal := Caller{Kind: KindTerminal, SchoolID: "35001"}
	parent := Caller{Kind: KindParent}
	pupil := Target{Kind: TargetPupil, SchoolID: "35001", ClassID: "3-1"}
	for _, tc := range []struct {
		name string
		c    Caller
		t    Target
		want Reach
	}{
		{"operator, any pupil", Caller{Kind: KindOperator}, Target{Kind: TargetPupil, SchoolID: "35009"}, Reachable},
		{"operator, any canteen", Caller{Kind: KindOperator}, Target{Kind: TargetCanteen, SchoolID: "35009"}, Reachable},
		{"terminal, pupil of its school", terminal, pupil, Reachable},
		{"terminal, pupil of another school", terminal, Target{Kind: TargetPupil, SchoolID: "35002"}, NotReachable},
		{"terminal without school", Caller{Kind: KindTerminal}, Target{Kind: TargetPupil}, NotReachable},
		{"parent, guarded child", parent, Target{Kind: TargetPupil, SchoolID: "35001", Guarded: true}, Reachable},
		{"parent, another child", parent, pupil, NotReachable},
		{"parent, a class", parent, Target{Kind: TargetClass, SchoolID: "35001", ClassID: "3-1", Guarded: true}, NotReachable},
		{"teacher, own class", teacher, Target{Kind: TargetClass, SchoolID: "35001", ClassID: "3-1"}, Reachable},
		{"teacher, another class", teacher, Target{Kind: TargetClass, SchoolID: "35001", ClassID: "3-2"}, NotReachable},
		{"canteen manager, a class", canteen, Target{Kind: TargetClass, SchoolID: "35001", ClassID: "3-2"}, Reachable},
		{"canteen manager, a canteen", canteen, Target{Kind: TargetCanteen, SchoolID: "35001"}, Reachable},
		{"canteen manager, another school's canteen", canteen, Target{Kind: TargetCanteen, SchoolID: "35002"}, NotReachable},
		{"teacher, a terminal of the school", teacher, Target{Kind: TargetTerminal, SchoolID: "35001"}, Reachable},
		{"unknown kind", Caller{Kind: "robot", SchoolID: "35001"}, pupil, NotReachable},
	} {
		if got := CanReach(tc.c, tc.t); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestStaffAccountRules(t *testing.T) {
	if got, want := StaffID("35001", "wang.admin"), "st_35001_wang.admin"; got != want {
		t.Errorf("StaffID = %q, want %q", got, want)
	}
	if got := len(StaffID("35001", strings.Repeat("u", MaxStaffUsernameLen))); got != MaxStaffIDLen {
		t.Errorf("longest staff id is %d bytes, want %d", got, MaxStaffIDLen)
	}
	for _, tc := range []struct {
		username string
		want     bool
	}{
		{"wang.admin", true},
		{"A-z_0.9", true},
		{strings.Repeat("u", MaxStaffUsernameLen), true},
		{strings.Repeat("u", MaxStaffUsernameLen+1), false},
		{"", false},
		{"wang admin", false},
		{"王", false},
		{"a/b", false},
	} {
		if got := ValidUsername(tc.username); got != tc.want {
			t.Errorf("ValidUsername(%q) = %v, want %v", tc.username, got, tc.want)
		}
	}
	for _, tc := range []struct {
		password     string
		staff, login bool
	}{
		{"correct-horse", true, true},
		{"short", false, true},
		{"", false, false},
		{strings.Repeat("密", 10), true, true},
		{strings.Repeat("x", MaxStaffPasswordLen), true, true},
		{strings.Repeat("x", MaxStaffPasswordLen+1), false, true},
		{strings.Repeat("密", 100), false, false}, // 100 characters but 300 bytes
		{strings.Repeat("x", MaxPasswordLen), false, true},
		{strings.Repeat("x", MaxPasswordLen+1), false, false},
		{"bad-utf8-\xff-password", false, true},
	} {
		if got := ValidStaffPassword(tc.password); got != tc.staff {
			t.Errorf("ValidStaffPassword(%q) = %v, want %v", tc.password, got, tc.staff)
		}
		if got := ValidLoginPassword(tc.password); got != tc.login {
			t.Errorf("ValidLoginPassword(%q) = %v, want %v", tc.password, got, tc.login)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"13812345678", "13812345678"},
		{"+86 138-1234-5678", "13812345678"},
		{"008613812345678", "13812345678"},
		{"8613812345678", "13812345678"},
		{"(138) 1234 5678", "13812345678"},
		{"1381234567", ""},
		{"23812345678", ""},
		{"12012345678", ""},
		{"138123456789", ""},
		{"13812345678x", ""},
		{"1+3812345678", ""},
		{"１３８１２３４５６７８", ""},
		{"", ""},
		{strings.Repeat("1", 40), ""},
	} {
		got, ok := NormalizePhone(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"1381234", "****"},
		{"", "****"},
	} {
		if got := MaskPhone(tc.in); got != tc.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSealPhone(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	sealed, err := SealPhone(key, "13900001111", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "13900001111") {
		t.Fatalf("sealed %q shows the phone", sealed)
	}
	got, err := OpenPhone(key, sealed)
	if err != nil || got != "13900001111" {
		t.Errorf("opened %q (%v)", got, err)
	}
	for _, tc := range []struct {
		name, sealed string
		key          []byte
	}{
		{"other key", sealed, []byte("another key of 16+ bytes")},
		{"tampered", sealed[:len(sealed)-2] + "AA", key},
		{"short", "abc", key},
	} {
		if _, err := OpenPhone(tc.key, tc.sealed); !errors.Is(err, ErrSealedPhone) {
			t.Errorf("%s: %v, want ErrSealedPhone", tc.name, err)
		}
	}
}
