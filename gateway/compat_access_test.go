package gateway_test

// Tests of the compatibility shims of compat_access.go: delete with it.

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

func codeOf(err error) codes.Code { return status.Code(err) }

func staffCtx(role apiv1.StaffRole, classID string) context.Context {
	return gateway.ContextWithPrincipal(context.Background(), gateway.Principal{Kind: gateway.KindStaff, SubjectID: "st_1", SchoolID: "35001", Role: role, ClassID: classID})
}

func TestRequireStaffAndParent(t *testing.T) {
	const (
		admin   = apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN
		finance = apiv1.StaffRole_STAFF_ROLE_FINANCE
		canteen = apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER
		teacher = apiv1.StaffRole_STAFF_ROLE_TEACHER
	)
	parent := gateway.ContextWithPrincipal(context.Background(), gateway.Principal{Kind: gateway.KindParent, SubjectID: "par_1"})
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		roles []apiv1.StaffRole
		code  codes.Code
	}{
		{"finance, any role", staffCtx(finance, ""), nil, codes.OK},
		{"finance, finance", staffCtx(finance, ""), []apiv1.StaffRole{finance, teacher}, codes.OK},
		{"teacher, finance only", staffCtx(teacher, "3-1"), []apiv1.StaffRole{finance}, codes.PermissionDenied},
		{"admin passes every role", staffCtx(admin, ""), []apiv1.StaffRole{canteen}, codes.OK},
		{"parent", parent, nil, codes.PermissionDenied},
		{"nobody", context.Background(), nil, codes.Unauthenticated},
	} {
		_, err := gateway.RequireStaff(tc.ctx, tc.roles...)
		if got := codeOf(err); got != tc.code {
			t.Errorf("%s: RequireStaff got %v, want %v", tc.name, err, tc.code)
		}
	}
	if p, err := gateway.RequireParent(parent); err != nil || p.SubjectID != "par_1" {
		t.Errorf("RequireParent(parent) = %+v, %v", p, err)
	}
	if _, err := gateway.RequireParent(staffCtx(admin, "")); codeOf(err) != codes.PermissionDenied {
		t.Errorf("RequireParent(staff) = %v", err)
	}
	if _, err := gateway.RequireParent(context.Background()); codeOf(err) != codes.Unauthenticated {
		t.Errorf("RequireParent(nobody) = %v", err)
	}
}

func TestCanStaffReachPupil(t *testing.T) {
	pupil := directory.Pupil{AccountID: "acc_1", SchoolID: "35001", ClassID: "3-1"}
	staff := func(role apiv1.StaffRole, school, class string) gateway.Principal {
		return gateway.Principal{Kind: gateway.KindStaff, SchoolID: school, Role: role, ClassID: class}
	}
	for _, tc := range []struct {
		name string
		p    gateway.Principal
		code codes.Code
	}{
		{"admin", staff(apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN, "35001", ""), codes.OK},
		{"finance", staff(apiv1.StaffRole_STAFF_ROLE_FINANCE, "35001", ""), codes.OK},
		{"teacher of the class", staff(apiv1.StaffRole_STAFF_ROLE_TEACHER, "35001", "3-1"), codes.OK},
		{"teacher of another class", staff(apiv1.StaffRole_STAFF_ROLE_TEACHER, "35001", "3-2"), codes.NotFound},
		{"teacher without class", staff(apiv1.StaffRole_STAFF_ROLE_TEACHER, "35001", ""), codes.NotFound},
		{"canteen manager", staff(apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER, "35001", ""), codes.PermissionDenied},
		{"admin of another school", staff(apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN, "35002", ""), codes.NotFound},
		{"unspecified role", staff(apiv1.StaffRole_STAFF_ROLE_UNSPECIFIED, "35001", ""), codes.PermissionDenied},
		{"parent", gateway.Principal{Kind: gateway.KindParent, SubjectID: "par_1"}, codes.PermissionDenied},
	} {
		if got := codeOf(gateway.CanStaffReachPupil(tc.p, pupil)); got != tc.code {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.code)
		}
	}
}

// TestCompatPrincipal: a gateway Principal goes through the context and a
// session unchanged.
func TestCompatPrincipal(t *testing.T) {
	want := gateway.Principal{Kind: gateway.KindStaff, SubjectID: "st_1", SchoolID: "35001", Role: apiv1.StaffRole_STAFF_ROLE_TEACHER, ClassID: "3-1"}
	got, ok := gateway.PrincipalFrom(gateway.ContextWithPrincipal(context.Background(), want))
	if !ok || got != want {
		t.Errorf("through the context: %+v, %v; want %+v", got, ok, want)
	}
	m, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := gateway.NewSessions(m, gateway.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tok, exp, err := s.Open(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	got, err = s.Resolve(context.Background(), tok)
	if err != nil || got.Role != want.Role || got.ClassID != want.ClassID || !got.ExpiresAt.Equal(exp) || time.Until(exp) < 11*time.Hour {
		t.Errorf("through a session: %+v, %v", got, err)
	}
	if gateway.RoleFromDirectory(directory.RoleFinance) != apiv1.StaffRole_STAFF_ROLE_FINANCE ||
		gateway.RoleToDirectory(apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER) != directory.RoleCanteenManager ||
		gateway.RoleToDirectory(apiv1.StaffRole_STAFF_ROLE_UNSPECIFIED) != "" {
		t.Error("role mapping")
	}
}
