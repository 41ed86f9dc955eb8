package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestStaffListsClassesAndCanteens: the console's pickers. Classes by reach (the
// school for admins and finance, a teacher's own class); canteens of the caller's
// school only, with terminals (never a secret) for those who manage them.
func TestStaffListsClassesAndCanteens(t *testing.T) {
	e := newSwitchEnv(t)
	e.school(t, "35001", "C1", "T1", "3-2", "3-1")
	e.school(t, "35002", "C2", "T2", "9-9")
	admin := bearer(e.staffToken(t, "35001", "st_admin", directory.RoleSchoolAdmin, ""))
	finance := bearer(e.staffToken(t, "35001", "st_fin", directory.RoleFinance, ""))
	teacher := bearer(e.staffToken(t, "35001", "st_t31", directory.RoleTeacher, "3-1"))
	manager := bearer(e.staffToken(t, "35001", "st_cm", directory.RoleCanteenManager, ""))
	if _, err := e.staff.RegisterCanteenTerminal(manager, &apiv1.RegisterCanteenTerminalRequest{CanteenId: "C1", TerminalId: "T0", Name: "0号窗口"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.staff.SetTerminalEnabled(manager, &apiv1.SetTerminalEnabledRequest{TerminalId: "T1"}); err != nil {
		t.Fatal(err)
	}

	classes := func(who string, r *apiv1.ListSchoolClassesResponse) string {
		var ids []string
		for _, c := range r.GetClasses() {
			ids = append(ids, c.GetId()+"/"+c.GetName())
		}
		return who + ": " + strings.Join(ids, ",")
	}
	for _, tc := range []struct{ who, want string }{
		{"admin", "admin: 3-1/三年级3-1班,3-2/三年级3-2班"},
		{"finance", "finance: 3-1/三年级3-1班,3-2/三年级3-2班"},
		{"teacher", "teacher: 3-1/三年级3-1班"},
	} {
		ctx := map[string]context.Context{"admin": admin, "finance": finance, "teacher": teacher}[tc.who]
		r, err := e.staff.ListSchoolClasses(ctx, &apiv1.ListSchoolClassesRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if got := classes(tc.who, r); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	_, err := e.staff.ListSchoolClasses(manager, &apiv1.ListSchoolClassesRequest{})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")

	r, err := e.staff.ListStaffCanteens(manager, &apiv1.ListStaffCanteensRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.GetCanteens()) != 1 || r.GetCanteens()[0].GetCanteen().GetId() != "C1" || len(r.GetCanteens()[0].GetTerminals()) != 2 {
		t.Fatalf("the manager's canteens: %v", r)
	}
	t0, t1 := r.GetCanteens()[0].GetTerminals()[0], r.GetCanteens()[0].GetTerminals()[1]
	if t0.GetTerminalId() != "T0" || t0.GetName() != "0号窗口" || !t0.GetEnabled() || t0.GetCreatedUnix() == 0 ||
		t1.GetTerminalId() != "T1" || t1.GetEnabled() {
		t.Fatalf("terminals: %v %v", t0, t1)
	}
	if r, err := e.staff.ListStaffCanteens(finance, &apiv1.ListStaffCanteensRequest{}); err != nil || len(r.GetCanteens()) != 1 || len(r.GetCanteens()[0].GetTerminals()) != 0 {
		t.Fatalf("finance sees the canteens without terminals: %v %v", r, err)
	}
	_, err = e.staff.ListStaffCanteens(teacher, &apiv1.ListStaffCanteensRequest{})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")

	// Over REST, as the console calls them: no secret in the body.
	for path, want := range map[string]string{"/v1/staff/classes": `"id":"3-1"`, "/v1/staff/canteens": `"terminalId":"T0"`} {
		req, _ := http.NewRequest(http.MethodGet, e.httpBase+path, nil)
		req.Header.Set("Authorization", "Bearer "+e.staffToken(t, "35001", "st_admin2", directory.RoleSchoolAdmin, ""))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) || strings.Contains(strings.ToLower(string(body)), "secret") || !json.Valid(body) {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
}
