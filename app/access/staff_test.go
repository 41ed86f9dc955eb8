package access

import (
	"strings"
	"testing"

	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// TestStaffIDBound: the domain's bound on staff ids is the directory's.
func TestStaffIDBound(t *testing.T) {
	if policy.MaxStaffIDLen != directory.MaxIDLen {
		t.Errorf("domain MaxStaffIDLen %d, directory MaxIDLen %d: want them equal", policy.MaxStaffIDLen, directory.MaxIDLen)
	}
}

func TestCheckStaffPut(t *testing.T) {
	ok := StaffPut{SchoolID: "35001", Username: "li.teacher", Role: RoleTeacher, RoleName: "STAFF_ROLE_TEACHER", ClassID: "3-1",
		Password: "teacher-pass-2025", Enabled: true}
	with := func(f func(*StaffPut)) StaffPut { in := ok; f(&in); return in }
	for _, tc := range []struct {
		name    string
		in      StaffPut
		want    reason.Code
		wantMsg string
	}{
		{"teacher", ok, "", ""},
		{"no password", with(func(in *StaffPut) { in.Password = "" }), "", ""},
		{"finance", with(func(in *StaffPut) { in.Role, in.ClassID = RoleFinance, "" }), "", ""},
		{"malformed school", with(func(in *StaffPut) { in.SchoolID = "3500" }), reason.InvalidArgument, `school id "3500", want 5 digits`},
		{"username with a slash", with(func(in *StaffPut) { in.Username = "li/teacher" }), reason.InvalidArgument,
			`username "li/teacher": want 1..55 characters of [A-Za-z0-9_.-]`},
		{"username too long", with(func(in *StaffPut) { in.Username = strings.Repeat("a", 56) }), reason.InvalidArgument, ""},
		{"no role", with(func(in *StaffPut) { in.Role, in.RoleName = "", "STAFF_ROLE_UNSPECIFIED" }), reason.InvalidArgument,
			"role STAFF_ROLE_UNSPECIFIED: want STAFF_ROLE_SCHOOL_ADMIN, STAFF_ROLE_FINANCE, STAFF_ROLE_CANTEEN_MANAGER or STAFF_ROLE_TEACHER"},
		{"teacher without class", with(func(in *StaffPut) { in.ClassID = "" }), reason.ClassIDRequired, "a teacher needs class_id: the class they teach"},
		{"teacher of a malformed class", with(func(in *StaffPut) { in.ClassID = "3 1" }), reason.InvalidArgument, ""},
		{"finance with a class", with(func(in *StaffPut) { in.Role, in.RoleName = RoleFinance, "STAFF_ROLE_FINANCE" }), reason.InvalidArgument,
			"class_id is only for teachers: leave it empty for role STAFF_ROLE_FINANCE"},
		{"short password", with(func(in *StaffPut) { in.Password = "123456789" }), reason.InvalidPassword,
			"password: want 10..128 characters (at most 256 bytes of UTF-8)"},
		{"password over 256 bytes", with(func(in *StaffPut) { in.Password = strings.Repeat("码", 100) }), reason.InvalidPassword, ""},
	} {
		err := checkStaffPut(tc.in)
		if got := reason.Of(err); got != tc.want {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
			continue
		}
		if e, isReason := reason.As(err); err != nil && (!isReason || e.Kind != reason.KindInvalid) {
			t.Errorf("%s: %#v, want kind Invalid", tc.name, err)
		}
		if tc.wantMsg != "" && err.Error() != tc.wantMsg {
			t.Errorf("%s: message %q, want %q", tc.name, err.Error(), tc.wantMsg)
		}
		if err != nil && tc.in.Password != "" && strings.Contains(err.Error(), tc.in.Password) {
			t.Errorf("%s: the error tells the password", tc.name)
		}
	}
}
