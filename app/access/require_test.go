package access

import (
	"context"
	"errors"
	"testing"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

func staffCtx(role Role, classID string) context.Context {
	return ContextWithPrincipal(context.Background(), Principal{Kind: KindStaff, SubjectID: "st_1", SchoolID: "35001", Role: role, ClassID: classID})
}

// reasonOf is the reason of err ("" for nil).
func reasonOf(err error) reason.Code { return reason.Of(err) }

func TestRequireStaffAndParent(t *testing.T) {
	parent := ContextWithPrincipal(context.Background(), Principal{Kind: KindParent, SubjectID: "par_1"})
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		roles []Role
		want  reason.Code
	}{
		{"finance, any role", staffCtx(RoleFinance, ""), nil, ""},
		{"finance, finance", staffCtx(RoleFinance, ""), []Role{RoleFinance, RoleTeacher}, ""},
		{"teacher, finance only", staffCtx(RoleTeacher, "3-1"), []Role{RoleFinance}, reason.RoleNotAllowed},
		{"admin passes every role", staffCtx(RoleSchoolAdmin, ""), []Role{RoleCanteenManager}, ""},
		{"parent", parent, nil, reason.StaffOnly},
		{"nobody", context.Background(), nil, reason.Unauthenticated},
	} {
		_, err := RequireStaff(tc.ctx, tc.roles...)
		if got := reasonOf(err); got != tc.want {
			t.Errorf("%s: RequireStaff got %v, want %q", tc.name, err, tc.want)
		}
	}
	if p, err := RequireParent(parent); err != nil || p.SubjectID != "par_1" {
		t.Errorf("RequireParent(parent) = %+v, %v", p, err)
	}
	if _, err := RequireParent(staffCtx(RoleSchoolAdmin, "")); !errors.Is(err, reason.Sentinel(reason.KindPermissionDenied, reason.ParentOnly)) {
		t.Errorf("RequireParent(staff) = %v", err)
	}
	if _, err := RequireParent(context.Background()); !errors.Is(err, reason.Sentinel(reason.KindUnauthenticated, reason.Unauthenticated)) {
		t.Errorf("RequireParent(nobody) = %v", err)
	}
}

// guardians is a fixed set of (parent, account) bindings.
type guardians map[[2]string]bool

func (g guardians) IsGuardian(_ context.Context, parentID, accountID string) (bool, error) {
	if accountID == "acc_broken" {
		return false, errors.New("directory down")
	}
	return g[[2]string{parentID, accountID}], nil
}

func TestRequireGuardian(t *testing.T) {
	g := guardians{{"par_1", "acc_1"}: true}
	parent := func(id string) context.Context {
		return ContextWithPrincipal(context.Background(), Principal{Kind: KindParent, SubjectID: id})
	}
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		account string
		want    reason.Code
	}{
		{"own child", parent("par_1"), "acc_1", ""},
		{"another family's child", parent("par_2"), "acc_1", reason.NotFound},
		{"malformed account", parent("par_1"), "", reason.NotFound},
		{"staff", staffCtx(RoleSchoolAdmin, ""), "acc_1", reason.ParentOnly},
		{"directory down", parent("par_1"), "acc_broken", reason.Internal},
	} {
		_, err := RequireGuardian(tc.ctx, g, tc.account)
		if got := reasonOf(err); got != tc.want {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestCanStaffReachPupil(t *testing.T) {
	pupil := directory.Pupil{AccountID: "acc_1", SchoolID: "35001", ClassID: "3-1"}
	staff := func(role Role, school, class string) Principal {
		return Principal{Kind: KindStaff, SchoolID: school, Role: role, ClassID: class}
	}
	for _, tc := range []struct {
		name string
		p    Principal
		want error
	}{
		{"admin", staff(RoleSchoolAdmin, "35001", ""), nil},
		{"finance", staff(RoleFinance, "35001", ""), nil},
		{"teacher of the class", staff(RoleTeacher, "35001", "3-1"), nil},
		{"teacher of another class", staff(RoleTeacher, "35001", "3-2"), ErrNotReachable},
		{"teacher without class", staff(RoleTeacher, "35001", ""), ErrNotReachable},
		{"canteen manager", staff(RoleCanteenManager, "35001", ""), ErrRoleNotAllowed},
		{"admin of another school", staff(RoleSchoolAdmin, "35002", ""), ErrNotReachable},
		{"unspecified role", staff("", "35001", ""), ErrRoleNotAllowed},
		{"parent", Principal{Kind: KindParent, SubjectID: "par_1"}, ErrStaffOnly},
	} {
		if got := CanStaffReachPupil(tc.p, pupil); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRoles(t *testing.T) {
	for _, r := range []Role{RoleSchoolAdmin, RoleFinance, RoleCanteenManager, RoleTeacher} {
		if got := RoleFromStored(RoleToStored(r)); got != r {
			t.Errorf("role %q round trip: got %q", r, got)
		}
	}
	if got := RoleToStored(""); got != "" {
		t.Errorf("RoleToStored(\"\") = %q", got)
	}
	if got := RoleFromStored("janitor"); got != "" {
		t.Errorf("RoleFromStored(janitor) = %q", got)
	}
}
