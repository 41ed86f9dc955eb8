package gateway_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestStaffSchoolLimits: admins read and set their own school's default limits,
// finance only reads them, teachers and canteen managers are refused; a bad set
// changes nothing and another school is never touched.
func TestStaffSchoolLimits(t *testing.T) {
	e := newSwitchEnv(t)
	e.school(t, "35001", "C1", "T1", "3-1")
	e.school(t, "35002", "C2", "T2", "9-9")
	admin := bearer(e.staffToken(t, "35001", "st_admin", directory.RoleSchoolAdmin, ""))
	finance := bearer(e.staffToken(t, "35001", "st_fin", directory.RoleFinance, ""))
	teacher := bearer(e.staffToken(t, "35001", "st_t31", directory.RoleTeacher, "3-1"))
	manager := bearer(e.staffToken(t, "35001", "st_cm", directory.RoleCanteenManager, ""))

	want := &apiv1.SchoolLimits{SingleRechargeMaxFen: 50001, BalanceCapFen: 150099, DailySpendCapFen: 2550, ArrearsCapFen: 1}
	r, err := e.staff.SetSchoolLimits(admin, &apiv1.SetSchoolLimitsRequest{Limits: want})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.GetLimits(); got.String() != want.String() {
		t.Fatalf("set: got %v, want %v", got, want)
	}
	g, err := e.staff.GetSchoolLimits(finance, &apiv1.GetSchoolLimitsRequest{})
	if err != nil || g.GetLimits().String() != want.String() {
		t.Fatalf("finance reads: got %v, %v, want %v", g.GetLimits(), err, want)
	}
	sc, err := e.dir.School(t.Context(), "35001")
	if err != nil || sc.Name != "实验小学35001" || sc.VoidWindowSeconds != 600 || sc.ArrearsCap != 1 {
		t.Fatalf("the school keeps its name and void window: %+v %v", sc, err)
	}
	if other, _ := e.dir.School(t.Context(), "35002"); other.SingleRechargeMax != 100000 || other.ArrearsCap != 3000 {
		t.Fatalf("another school changed: %+v", other)
	}

	_, err = e.staff.SetSchoolLimits(finance, &apiv1.SetSchoolLimitsRequest{Limits: want})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	_, err = e.staff.GetSchoolLimits(teacher, &apiv1.GetSchoolLimitsRequest{})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	_, err = e.staff.GetSchoolLimits(manager, &apiv1.GetSchoolLimitsRequest{})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	_, err = e.staff.SetSchoolLimits(teacher, &apiv1.SetSchoolLimitsRequest{Limits: want})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")

	for name, bad := range map[string]*apiv1.SchoolLimits{
		"single above cap": {SingleRechargeMaxFen: 300000, BalanceCapFen: 200000, DailySpendCapFen: 1, ArrearsCapFen: 0},
		"zero cap":         {SingleRechargeMaxFen: 1, BalanceCapFen: 0, DailySpendCapFen: 1},
		"negative arrears": {SingleRechargeMaxFen: 1, BalanceCapFen: 1, DailySpendCapFen: 1, ArrearsCapFen: -1},
		"above the bound":  {SingleRechargeMaxFen: 1, BalanceCapFen: 100_000_001, DailySpendCapFen: 1},
		"missing":          nil,
	} {
		_, err := e.staff.SetSchoolLimits(admin, &apiv1.SetSchoolLimitsRequest{Limits: bad})
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: got %v, want InvalidArgument", name, err)
		}
	}
	if g, _ := e.staff.GetSchoolLimits(admin, &apiv1.GetSchoolLimitsRequest{}); g.GetLimits().String() != want.String() {
		t.Fatalf("a refused set changed the limits: %v", g.GetLimits())
	}

	// Over REST, as the console calls it.
	req, _ := http.NewRequest(http.MethodPut, e.httpBase+"/v1/staff/limits",
		strings.NewReader(`{"limits":{"singleRechargeMaxFen":"20000","balanceCapFen":"40000","dailySpendCapFen":"3000","arrearsCapFen":"0"}}`))
	req.Header.Set("Authorization", "Bearer "+e.staffToken(t, "35001", "st_admin2", directory.RoleSchoolAdmin, ""))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"balanceCapFen":"40000"`) {
		t.Fatalf("REST set: %d %s", resp.StatusCode, body)
	}
}

// TestStaffListSchoolStaff: a school admin lists their school's staff with
// roles, never a password hash nor another school's staff; others are refused.
func TestStaffListSchoolStaff(t *testing.T) {
	e := newSwitchEnv(t)
	e.school(t, "35001", "C1", "T1", "3-1")
	e.school(t, "35002", "C2", "T2", "9-9")
	admin := bearer(e.staffToken(t, "35001", "st_admin", directory.RoleSchoolAdmin, ""))
	finance := bearer(e.staffToken(t, "35001", "st_fin", directory.RoleFinance, ""))
	teacher := bearer(e.staffToken(t, "35001", "st_t31", directory.RoleTeacher, "3-1"))
	e.staffToken(t, "35002", "st_other", directory.RoleSchoolAdmin, "")

	r, err := e.staff.ListSchoolStaff(admin, &apiv1.ListSchoolStaffRequest{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range r.GetStaff() {
		got = append(got, u.GetUsername()+"/"+u.GetRole().String()+"/"+u.GetClassId())
	}
	if strings.Join(got, ",") != "st_admin/STAFF_ROLE_SCHOOL_ADMIN/,st_fin/STAFF_ROLE_FINANCE/" || r.GetNextPageToken() != "st_fin" {
		t.Fatalf("first page: %v next %q", got, r.GetNextPageToken())
	}
	r, err = e.staff.ListSchoolStaff(admin, &apiv1.ListSchoolStaffRequest{PageSize: 2, PageToken: r.GetNextPageToken()})
	if err != nil || len(r.GetStaff()) != 1 || r.GetStaff()[0].GetClassId() != "3-1" || r.GetNextPageToken() != "" {
		t.Fatalf("second page: %v %v", r, err)
	}
	_, err = e.staff.ListSchoolStaff(finance, &apiv1.ListSchoolStaffRequest{})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	_, err = e.staff.ListSchoolStaff(teacher, &apiv1.ListSchoolStaffRequest{})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	_, err = e.staff.ListSchoolStaff(admin, &apiv1.ListSchoolStaffRequest{PageSize: 201})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("page 201: %v", err)
	}

	req, _ := http.NewRequest(http.MethodGet, e.httpBase+"/v1/staff/staff", nil)
	req.Header.Set("Authorization", "Bearer "+e.staffToken(t, "35001", "st_admin2", directory.RoleSchoolAdmin, ""))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"username":"st_t31"`) ||
		strings.Contains(string(body), "argon2") || strings.Contains(string(body), "st_other") {
		t.Fatalf("REST list: %d %s", resp.StatusCode, body)
	}
}
