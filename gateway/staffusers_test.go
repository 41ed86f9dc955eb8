package gateway_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/app/access"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

const (
	staffAdminPW   = "admin-pass-2025"
	staffTeacherPW = "teacher-pass-2025"
)

// staffRows is every staff account the tests name, with its hash, as the
// directory has it: what a refused write must leave as it was.
func staffRows(t *testing.T, dir directory.Store, usernames ...string) string {
	t.Helper()
	var b strings.Builder
	for _, school := range []string{"35001", "35002"} {
		for _, name := range usernames {
			u, err := dir.StaffByUsername(context.Background(), school, name)
			if errors.Is(err, directory.ErrNotFound) {
				fmt.Fprintf(&b, "%s/%s: none\n", school, name)
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s/%s: %s role=%s class=%s status=%s hash=%s\n", school, name, u.ID, u.Role, u.ClassID, u.Status, u.PasswordHash)
		}
	}
	return b.String()
}

// TestStaffAccounts: the operator creates a school's first admin, who logs in
// and creates a teacher; the teacher reaches only their class; disabling the
// teacher ends their open session and refuses new logins; bad writes change
// nothing.
func TestStaffAccounts(t *testing.T) {
	e := newSwitchEnv(t)
	ctx := context.Background()
	e.school(t, "35001", "C1", "T1", "3-1", "3-2")
	e.school(t, "35002", "C2", "T2", "4-1")
	imp, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", CardExpiry: nextYear(), Pupils: []*apiv1.PupilRow{
		{StudentNo: "2024000101", Name: "王小明", ClassId: "3-1"}, {StudentNo: "2024000201", Name: "张伟", ClassId: "3-2"}}})
	if err != nil || len(imp.GetErrors()) > 0 {
		t.Fatalf("import: %v %v", imp, err)
	}
	const own, other = "acc_35001_2024000101", "acc_35001_2024000201"

	// The operator: the school must exist, the operator token is needed.
	putAdmin := &apiv1.PutStaffUserRequest{SchoolId: "35001", Username: "wang.admin", Role: apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN,
		Password: staffAdminPW, Enabled: true}
	_, err = e.admin.PutStaffUser(authed(), &apiv1.PutStaffUserRequest{SchoolId: "35009", Username: "wang.admin",
		Role: apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN, Password: staffAdminPW, Enabled: true})
	wantCode(t, err, codes.NotFound, "SCHOOL_NOT_FOUND")
	_, err = e.admin.PutStaffUser(ctx, putAdmin)
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("PutStaffUser without the operator token: %v", err)
	}
	if got := staffRows(t, e.dir, "wang.admin"); strings.Count(got, "none") != 2 {
		t.Fatalf("refused operator writes wrote:\n%s", got)
	}
	r, err := e.admin.PutStaffUser(authed(), putAdmin)
	if err != nil {
		t.Fatal(err)
	}
	want := &apiv1.StaffUser{StaffId: "st_35001_wang.admin", SchoolId: "35001", Username: "wang.admin", Role: apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN, Enabled: true}
	if !proto.Equal(r.GetStaff(), want) {
		t.Fatalf("PutStaffUser answered %v, want %v", r.GetStaff(), want)
	}
	stored, err := e.dir.StaffByUsername(ctx, "35001", "wang.admin")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored.PasswordHash, "$argon2id$v=19$m=65536,t=1,p=2$") || stored.Status != directory.StaffActive || stored.ID != want.StaffId {
		t.Fatalf("stored admin %+v, want DefaultPasswordParams and active", stored)
	}

	// The admin logs in and creates a teacher of 3-1.
	login := func(user, pw string) (*apiv1.StaffLoginResponse, error) {
		return e.auth.StaffLogin(ctx, &apiv1.StaffLoginRequest{SchoolId: "35001", Username: user, Password: pw})
	}
	al, err := login("wang.admin", staffAdminPW)
	if err != nil || al.GetRole() != apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN {
		t.Fatalf("admin login: %v %v", al, err)
	}
	admin := bearer(al.GetToken())
	putTeacher := func(class, pw string, enabled bool) (*apiv1.PutSchoolStaffResponse, error) {
		return e.staff.PutSchoolStaff(admin, &apiv1.PutSchoolStaffRequest{Username: "li.teacher", Role: apiv1.StaffRole_STAFF_ROLE_TEACHER,
			ClassId: class, Password: pw, Enabled: enabled})
	}
	tr, err := putTeacher("3-1", staffTeacherPW, true)
	want = &apiv1.StaffUser{StaffId: "st_35001_li.teacher", SchoolId: "35001", Username: "li.teacher", Role: apiv1.StaffRole_STAFF_ROLE_TEACHER,
		ClassId: "3-1", Enabled: true}
	if err != nil || !proto.Equal(tr.GetStaff(), want) {
		t.Fatalf("PutSchoolStaff: %v %v, want %v", tr, err, want)
	}

	// The teacher logs in and reaches only their class.
	tl, err := login("li.teacher", staffTeacherPW)
	if err != nil || tl.GetClassId() != "3-1" || tl.GetRole() != apiv1.StaffRole_STAFF_ROLE_TEACHER {
		t.Fatalf("teacher login: %v %v", tl, err)
	}
	teacher := bearer(tl.GetToken())
	if _, err := e.staff.GetPupil(teacher, &apiv1.GetPupilRequest{AccountId: own}); err != nil {
		t.Fatalf("teacher on their pupil: %v", err)
	}
	_, err = e.staff.GetPupil(teacher, &apiv1.GetPupilRequest{AccountId: other})
	_, unknownErr := e.staff.GetPupil(teacher, &apiv1.GetPupilRequest{AccountId: "acc_35001_2099999999"})
	if status.Code(err) != codes.NotFound || errKey(err) != errKey(unknownErr) {
		t.Fatalf("teacher of 3-1 on a pupil of 3-2: %v, want NotFound as %v", err, unknownErr)
	}
	if lp, err := e.staff.ListPupils(teacher, &apiv1.ListPupilsRequest{}); err != nil || len(lp.GetPupils()) != 1 || lp.GetPupils()[0].GetAccountId() != own {
		t.Fatalf("teacher lists %v %v", lp, err)
	}
	if _, err := e.staff.PutSchoolStaff(teacher, &apiv1.PutSchoolStaffRequest{Username: "li.teacher", Role: apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN, Enabled: true}); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("teacher promoting themselves: %v, want PermissionDenied", err)
	}

	// Bad writes, by the admin and the operator, change nothing.
	names := []string{"wang.admin", "li.teacher", "new.user"}
	before := staffRows(t, e.dir, names...)
	pss := func(user string, role apiv1.StaffRole, class, pw string, enabled bool) func() error {
		return func() error {
			_, err := e.staff.PutSchoolStaff(admin, &apiv1.PutSchoolStaffRequest{Username: user, Role: role, ClassId: class, Password: pw, Enabled: enabled})
			return err
		}
	}
	psu := func(school, user string, role apiv1.StaffRole, class, pw string) func() error {
		return func() error {
			_, err := e.admin.PutStaffUser(authed(), &apiv1.PutStaffUserRequest{SchoolId: school, Username: user, Role: role, ClassId: class, Password: pw, Enabled: true})
			return err
		}
	}
	const (
		adminR   = apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN
		financeR = apiv1.StaffRole_STAFF_ROLE_FINANCE
		teacherR = apiv1.StaffRole_STAFF_ROLE_TEACHER
		goodPW   = "good-password-1"
	)
	for _, c := range []struct {
		name   string
		call   func() error
		code   codes.Code
		reason string
	}{
		{"short password, new account", pss("new.user", financeR, "", "123456789", true), codes.InvalidArgument, "INVALID_PASSWORD"},
		{"short password, update", pss("li.teacher", teacherR, "3-1", "123456789", true), codes.InvalidArgument, "INVALID_PASSWORD"},
		{"password of 129 characters", pss("new.user", financeR, "", strings.Repeat("x", 129), true), codes.InvalidArgument, "INVALID_PASSWORD"},
		{"password over 256 bytes", pss("new.user", financeR, "", strings.Repeat("码", 100), true), codes.InvalidArgument, "INVALID_PASSWORD"},
		{"new account without password", pss("new.user", financeR, "", "", true), codes.InvalidArgument, "PASSWORD_REQUIRED"},
		{"teacher without class", pss("new.user", teacherR, "", goodPW, true), codes.InvalidArgument, "CLASS_ID_REQUIRED"},
		{"teacher loses class", pss("li.teacher", teacherR, "", "", true), codes.InvalidArgument, "CLASS_ID_REQUIRED"},
		{"finance with a class", pss("new.user", financeR, "3-1", goodPW, true), codes.InvalidArgument, "INVALID_ARGUMENT"},
		{"unspecified role", pss("new.user", apiv1.StaffRole_STAFF_ROLE_UNSPECIFIED, "", goodPW, true), codes.InvalidArgument, "INVALID_ARGUMENT"},
		{"unknown role", pss("new.user", apiv1.StaffRole(42), "", goodPW, true), codes.InvalidArgument, "INVALID_ARGUMENT"},
		{"unspecified role on update", pss("li.teacher", apiv1.StaffRole_STAFF_ROLE_UNSPECIFIED, "", "", true), codes.InvalidArgument, "INVALID_ARGUMENT"},
		{"username with a slash", pss("new/user", financeR, "", goodPW, true), codes.InvalidArgument, "INVALID_ARGUMENT"},
		{"username in Chinese", pss("王老师", financeR, "", goodPW, true), codes.InvalidArgument, "INVALID_ARGUMENT"},
		{"username too long for the id", pss(strings.Repeat("a", policy.MaxStaffUsernameLen+1), financeR, "", goodPW, true), codes.InvalidArgument, "INVALID_ARGUMENT"},
		{"class of another school", pss("new.user", teacherR, "4-1", goodPW, true), codes.NotFound, "NOT_FOUND"},
		{"unknown class", pss("new.user", teacherR, "9-9", goodPW, true), codes.NotFound, "NOT_FOUND"},
		{"teacher moved to another school's class", pss("li.teacher", teacherR, "4-1", "", true), codes.NotFound, "NOT_FOUND"},
		{"self-lockout: demotion", pss("wang.admin", financeR, "", "", true), codes.FailedPrecondition, "SELF_LOCKOUT"},
		{"self-lockout: disable", pss("wang.admin", adminR, "", "", false), codes.FailedPrecondition, "SELF_LOCKOUT"},
		{"self-lockout: demotion with a new password", pss("wang.admin", teacherR, "3-1", goodPW, true), codes.FailedPrecondition, "SELF_LOCKOUT"},
		{"operator: class of another school", psu("35001", "new.user", teacherR, "4-1", goodPW), codes.NotFound, "CLASS_NOT_FOUND"},
		{"operator: short password", psu("35001", "li.teacher", teacherR, "3-1", "short"), codes.InvalidArgument, "INVALID_PASSWORD"},
		{"operator: unspecified role", psu("35001", "new.user", apiv1.StaffRole_STAFF_ROLE_UNSPECIFIED, "", goodPW), codes.InvalidArgument, "INVALID_ARGUMENT"},
		{"operator: malformed school", psu("3500", "new.user", financeR, "", goodPW), codes.InvalidArgument, "INVALID_ARGUMENT"},
		{"operator: unknown school", psu("35009", "new.user", financeR, "", goodPW), codes.NotFound, "SCHOOL_NOT_FOUND"},
	} {
		err := c.call()
		st := status.Convert(err)
		if st.Code() != c.code || reasonOf(err) != c.reason {
			t.Errorf("%s: %v (%s), want %v %s", c.name, err, reasonOf(err), c.code, c.reason)
		}
		for _, pw := range []string{"123456789", goodPW, "short", staffAdminPW} {
			if strings.Contains(st.Message(), pw) {
				t.Errorf("%s: the error tells the password: %q", c.name, st.Message())
			}
		}
	}
	// Another school's class answers exactly as an unknown one.
	if a, b := errKey(pss("new.user", teacherR, "4-1", goodPW, true)()), errKey(pss("new.user", teacherR, "9-9", goodPW, true)()); a != b {
		t.Errorf("class of another school refused as %s, an unknown class as %s", a, b)
	}
	if after := staffRows(t, e.dir, names...); after != before {
		t.Fatalf("refused writes changed accounts\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if _, err := e.auth.Whoami(admin, &apiv1.WhoamiRequest{}); err != nil {
		t.Fatalf("the admin's session after refused writes: %v", err)
	}
	if _, err := e.staff.GetPupil(teacher, &apiv1.GetPupilRequest{AccountId: own}); err != nil {
		t.Fatalf("the teacher's session after refused writes: %v", err)
	}

	// The admin disables the teacher: the open session is dead at once, a new
	// login is refused, the password hash is kept.
	dr, err := putTeacher("3-1", "", false)
	if err != nil || dr.GetStaff().GetEnabled() {
		t.Fatalf("disable: %v %v", dr, err)
	}
	if u, err := e.dir.StaffByUsername(ctx, "35001", "li.teacher"); err != nil || u.Status != directory.StaffDisabled || !strings.Contains(before, u.PasswordHash) {
		t.Fatalf("disabled teacher %+v %v: want disabled with the same hash", u, err)
	}
	_, err = e.staff.GetPupil(teacher, &apiv1.GetPupilRequest{AccountId: own})
	wantCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
	_, err = e.auth.Whoami(teacher, &apiv1.WhoamiRequest{})
	wantCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
	_, err = login("li.teacher", staffTeacherPW)
	wantCode(t, err, codes.PermissionDenied, "STAFF_DISABLED")

	// Enabled again: the old session stays dead, a new login works.
	if _, err := putTeacher("3-1", "", true); err != nil {
		t.Fatal(err)
	}
	_, err = e.staff.GetPupil(teacher, &apiv1.GetPupilRequest{AccountId: own})
	wantCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
	tl, err = login("li.teacher", staffTeacherPW)
	if err != nil {
		t.Fatalf("login after re-enable: %v", err)
	}
	teacher = bearer(tl.GetToken())
	if _, err := e.staff.GetPupil(teacher, &apiv1.GetPupilRequest{AccountId: own}); err != nil {
		t.Fatalf("new session after re-enable: %v", err)
	}
	// A write that changes nothing keeps the session; a new class ends it (its
	// principal still names 3-1).
	if _, err := putTeacher("3-1", "", true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.staff.GetPupil(teacher, &apiv1.GetPupilRequest{AccountId: own}); err != nil {
		t.Fatalf("session after a write that changes nothing: %v", err)
	}
	if _, err := putTeacher("3-2", "", true); err != nil {
		t.Fatal(err)
	}
	_, err = e.staff.GetPupil(teacher, &apiv1.GetPupilRequest{AccountId: own})
	wantCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
	if tl, err = login("li.teacher", staffTeacherPW); err != nil || tl.GetClassId() != "3-2" {
		t.Fatalf("login after the move: %v %v", tl, err)
	}
	if _, err := e.staff.GetPupil(bearer(tl.GetToken()), &apiv1.GetPupilRequest{AccountId: other}); err != nil {
		t.Fatalf("teacher of 3-2 on their pupil: %v", err)
	}

	// The operator sets a new password of the admin: the old one and the open
	// session are dead, the new one logs in.
	putAdmin.Password = "a-new-admin-pass"
	if _, err := e.admin.PutStaffUser(authed(), putAdmin); err != nil {
		t.Fatal(err)
	}
	_, err = e.auth.Whoami(admin, &apiv1.WhoamiRequest{})
	wantCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
	_, err = login("wang.admin", staffAdminPW)
	wantCode(t, err, codes.Unauthenticated, "INVALID_CREDENTIALS")
	if al, err = login("wang.admin", "a-new-admin-pass"); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}

	// REST: the operator's and the admin's routes; no password or hash answered.
	code, body := restCall(t, "PUT", e.httpBase+"/v1/admin/schools/35001/staff/zhao.fin", testToken,
		map[string]any{"role": "STAFF_ROLE_FINANCE", "password": "zhao-pass-2025", "enabled": true})
	if s, _ := body["staff"].(map[string]any); code != http.StatusOK || s["staffId"] != "st_35001_zhao.fin" || s["role"] != "STAFF_ROLE_FINANCE" || s["enabled"] != true {
		t.Fatalf("REST PutStaffUser: %d %v", code, body)
	}
	code, body = restCall(t, "PUT", e.httpBase+"/v1/staff/staff/zhao.fin", al.GetToken(), map[string]any{"role": "STAFF_ROLE_CANTEEN_MANAGER"})
	if s, _ := body["staff"].(map[string]any); code != http.StatusOK || s["role"] != "STAFF_ROLE_CANTEEN_MANAGER" || s["enabled"] == true {
		t.Fatalf("REST PutSchoolStaff: %d %v", code, body)
	}
	code, body = restCall(t, "PUT", e.httpBase+"/v1/staff/staff/wang.admin", al.GetToken(), map[string]any{"role": "STAFF_ROLE_SCHOOL_ADMIN", "enabled": false})
	if code != http.StatusBadRequest || errorReason(body) != "SELF_LOCKOUT" {
		t.Fatalf("REST self-lockout: %d %v", code, body)
	}
	if b := fmt.Sprint(body); strings.Contains(b, "argon2") || strings.Contains(b, "zhao-pass") {
		t.Fatalf("REST answer tells a password or hash: %v", body)
	}
}

// TestStaffAccountsLogNoSecrets: the log lines of staff writes name the
// account, never its password or hash.
func TestStaffAccountsLogNoSecrets(t *testing.T) {
	e := newSwitchEnv(t)
	ctx := context.Background()
	e.school(t, "35001", "C1", "T1", "3-1")
	var buf bytes.Buffer
	deps := gateway.Deps{Accounts: e.accounts, Directory: e.dir, Journal: e.js, Keyring: e.keyring, IDHashKey: testIDHashKey,
		Cache: e.cache, Sessions: e.sessions, Now: time.Now, Rand: rand.Reader, Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	admin := gateway.NewAdminService(deps)
	staff, err := gateway.NewStaffService(deps)
	if err != nil {
		t.Fatal(err)
	}
	const adminPW, teacherPW = "log-admin-secret-1", "log-teacher-secret-2"
	r, err := admin.PutStaffUser(ctx, &apiv1.PutStaffUserRequest{SchoolId: "35001", Username: "admin", Role: apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN,
		Password: adminPW, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	p := access.Principal{Kind: access.KindStaff, SubjectID: r.GetStaff().GetStaffId(), SchoolID: "35001", Role: access.RoleSchoolAdmin}
	sctx := access.ContextWithPrincipal(ctx, p)
	for _, pw := range []string{teacherPW, "log-teacher-secret-3"} {
		if _, err := staff.PutSchoolStaff(sctx, &apiv1.PutSchoolStaffRequest{Username: "t1", Role: apiv1.StaffRole_STAFF_ROLE_TEACHER,
			ClassId: "3-1", Password: pw, Enabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := staff.PutSchoolStaff(sctx, &apiv1.PutSchoolStaffRequest{Username: "t1", Role: apiv1.StaffRole_STAFF_ROLE_TEACHER,
		ClassId: "3-1", Password: "short", Enabled: true}); status.Code(gateway.ErrorStatus(err)) != codes.InvalidArgument {
		t.Fatalf("short password: %v", err)
	}
	logs := buf.String()
	if strings.Count(logs, "staff account put") != 3 || !strings.Contains(logs, "st_35001_t1") || !strings.Contains(logs, "by=st_35001_admin") {
		t.Fatalf("log lines:\n%s", logs)
	}
	for _, secret := range []string{adminPW, teacherPW, "log-teacher-secret-3", "argon2", "$m="} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log tells %q:\n%s", secret, logs)
		}
	}
}
