package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// bolaWorld is two schools with pupils, parents and staff of every role.
type bolaWorld struct {
	e *switchEnv
	// Pupils: a1 (school 1, class 1A, P1's), b1 (school 1, class 1B, P2's),
	// u1 (school 1, class 1A, nobody's), x2 (school 2, class 2A, P2's).
	a1, b1, u1, x2 string
	p1, p2         string // parent tokens
	// Staff tokens by name: admin1, finance1, canteen1, teacherA (1A),
	// teacherB (1B), admin2, finance2, canteen2, teacher2 (2A).
	staff   map[string]string
	orderP2 string // P2's recharge order for x2
	ticket  string // P1's binding ticket for u1
}

const (
	unknownAccount = "acc_35001_2099999999"
	unknownOrder   = "RAAAAAAAAAAAAAAAAAAAA"
)

func newBolaWorld(t *testing.T) *bolaWorld {
	t.Helper()
	e := newSwitchEnv(t)
	ctx := context.Background()
	e.school(t, "35001", "C1", "T1", "1A", "1B")
	e.school(t, "35002", "C2", "T2", "2A")
	w := &bolaWorld{e: e, a1: "acc_35001_2024000001", b1: "acc_35001_2024000002", u1: "acc_35001_2024000003", x2: "acc_35002_2024000009",
		staff: map[string]string{}}
	for school, rows := range map[string][]*apiv1.PupilRow{
		"35001": {{StudentNo: "2024000001", Name: "王小明", ClassId: "1A"}, {StudentNo: "2024000002", Name: "李华", ClassId: "1B"},
			{StudentNo: "2024000003", Name: "张伟", ClassId: "1A"}},
		"35002": {{StudentNo: "2024000009", Name: "赵六", ClassId: "2A"}},
	} {
		resp, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: school, Pupils: rows, CardExpiry: nextYear()})
		if err != nil || len(resp.GetErrors()) > 0 {
			t.Fatalf("import %s: %v %v", school, resp, err)
		}
	}
	for _, acc := range []string{w.a1, w.b1, w.u1, w.x2} {
		if _, err := e.admin.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: acc, AmountFen: 1000, Reason: "lunch", RequestId: "s-" + acc}); err != nil {
			t.Fatal(err)
		}
	}
	w.p1, w.p2 = e.parentToken(t, "par_p1", 1), e.parentToken(t, "par_p2", 2)
	for _, g := range []directory.Guardianship{{ParentID: "par_p1", AccountID: w.a1}, {ParentID: "par_p2", AccountID: w.b1}, {ParentID: "par_p2", AccountID: w.x2}} {
		g.Relation = "mother"
		if err := e.dir.Bind(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []struct {
		name, school string
		role         directory.StaffRole
		class        string
	}{
		{"admin1", "35001", directory.RoleSchoolAdmin, ""}, {"finance1", "35001", directory.RoleFinance, ""},
		{"canteen1", "35001", directory.RoleCanteenManager, ""}, {"teacherA", "35001", directory.RoleTeacher, "1A"},
		{"teacherB", "35001", directory.RoleTeacher, "1B"},
		{"admin2", "35002", directory.RoleSchoolAdmin, ""}, {"finance2", "35002", directory.RoleFinance, ""},
		{"canteen2", "35002", directory.RoleCanteenManager, ""}, {"teacher2", "35002", directory.RoleTeacher, "2A"},
	} {
		w.staff[s.name] = e.staffToken(t, s.school, "st_"+s.name, s.role, s.class)
	}
	rc, err := e.parent.CreateRecharge(bearer(w.p2), &apiv1.CreateRechargeRequest{AccountId: w.x2, AmountFen: 2000, RequestId: "p2-order"})
	if err != nil {
		t.Fatal(err)
	}
	w.orderP2 = rc.GetRecharge().GetOrderId()
	found, err := e.parent.FindChild(bearer(w.p1), &apiv1.FindChildRequest{SchoolId: "35001", Name: "张伟", StudentNo: "2024000003"})
	if err != nil {
		t.Fatal(err)
	}
	w.ticket = found.GetBindTicket()
	return w
}

// snapshot is everything a refused call must leave as it was: every account's
// committed state (its seq counts every event), every pupil's directory card,
// every binding.
func (w *bolaWorld) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, acc := range []string{w.a1, w.b1, w.u1, w.x2} {
		st, err := w.e.accounts.State(ctx, acc)
		if err != nil {
			t.Fatal(err)
		}
		p, err := w.e.dir.PupilByAccount(ctx, acc)
		if err != nil {
			t.Fatal(err)
		}
		g, err := w.e.dir.Guardians(ctx, acc)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s seq=%d balance=%d card=%s/%d/%s/%s cap=%d dir=%s/%d/%s/%s guardians=%d\n", acc, st.GetSeq(), st.GetBalanceFen(),
			st.GetCardState(), st.GetCardGeneration(), st.GetCardRandom(), st.GetCardExpiry(), st.GetLimits().GetDailySpendCapFen(),
			p.CardRandom, p.CardExpiry, p.ClassID, p.Status, len(g))
	}
	for _, par := range []string{"par_p1", "par_p2"} {
		kids, err := w.e.dir.ChildrenOf(ctx, par)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s children=%d\n", par, len(kids))
	}
	// Canteens with their catalogs (the ids the attempts name, and one they
	// would create), terminals with status, override and secret.
	for _, id := range []string{"C1", "C2", bolaNewCanteen} {
		c, err := w.e.dir.Canteen(ctx, id)
		if errors.Is(err, directory.ErrNotFound) {
			fmt.Fprintf(&b, "canteen %s: none\n", id)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.e.dir.CatalogVersion(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		dishes, err := w.e.dir.ListDishes(ctx, id, "", directory.MaxPage)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "canteen %s school=%s name=%s catalog=%d dishes=%+v\n", id, c.SchoolID, c.Name, v, dishes)
	}
	// Staff accounts: each in its school, and the one refused writes would
	// create, in both schools.
	for _, a := range [][2]string{{"35001", "st_admin1"}, {"35001", "st_finance1"}, {"35001", "st_canteen1"}, {"35001", "st_teacherA"},
		{"35001", "st_teacherB"}, {"35002", "st_admin2"}, {"35002", "st_finance2"}, {"35002", "st_canteen2"}, {"35002", "st_teacher2"},
		{"35001", bolaNewStaff}, {"35002", bolaNewStaff}} {
		u, err := w.e.dir.StaffByUsername(ctx, a[0], a[1])
		if errors.Is(err, directory.ErrNotFound) {
			fmt.Fprintf(&b, "staff %s/%s: none\n", a[0], a[1])
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "staff %s/%s id=%s role=%s class=%s status=%s hash=%s\n", a[0], a[1], u.ID, u.Role, u.ClassID, u.Status, u.PasswordHash)
	}
	for _, id := range []string{"T1", "T2", bolaNewTerminal} {
		tm, err := w.e.dir.Terminal(ctx, id)
		if errors.Is(err, directory.ErrNotFound) {
			fmt.Fprintf(&b, "terminal %s: none\n", id)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "terminal %s school=%s canteen=%s status=%s override=%t name=%s secret=%x\n", id, tm.SchoolID, tm.CanteenID,
			tm.Status, tm.CanOverride, tm.Name, tm.SecretHash)
	}
	return b.String()
}

// Ids that refused canteen, terminal and staff attempts would create.
const (
	bolaNewCanteen  = "C-new"
	bolaNewTerminal = "T-new"
	bolaNewStaff    = "st_new"
)

// bolaCase is one attempt that must be refused with code (codes.OK: answered,
// and check returned nil) and, when like is set, exactly as like's call on an
// unknown id is refused (code, reason and message), so ids cannot be probed.
type bolaCase struct {
	who  string
	call func(ctx context.Context) error
	code codes.Code
	like func(ctx context.Context) error
}

func reasonOf(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

func errKey(err error) string {
	st := status.Convert(err)
	return fmt.Sprintf("%v/%s/%q", st.Code(), reasonOf(err), st.Message())
}

// TestBOLA walks every route of ParentService and StaffService (from the
// service descriptors: a new route without cases fails) with foreign ids and
// wrong principals; each attempt is refused and changes nothing.
func TestBOLA(t *testing.T) {
	w := newBolaWorld(t)
	k := newBolaKit(w)
	cases := k.routeCases()
	routes := addSessionCases(t, w, cases)
	names := bolaCoverage(t, cases, routes)
	before := w.snapshot(t)
	attempts := 0
	for _, route := range names {
		for _, c := range cases[route] {
			attempts++
			err := c.call(context.Background())
			if got := status.Code(err); got != c.code {
				t.Errorf("%s, %s: got %v, want %v", route, c.who, err, c.code)
				continue
			}
			if c.like != nil {
				if got, want := errKey(err), errKey(c.like(context.Background())); got != want {
					t.Errorf("%s, %s: refused as %s, but an unknown id as %s (ids can be probed)", route, c.who, got, want)
				}
			}
		}
	}
	if after := w.snapshot(t); after != before {
		t.Fatalf("refused calls changed something\nbefore:\n%s\nafter:\n%s", before, after)
	}
	t.Logf("%d routes, %d refused attempts, nothing changed", len(routes), attempts)

	checkBOLARest(t, w, before)
	bolaControls(t, k)
}

// addSessionCases adds to cases, on every route of both services, the wrong kind
// of session or none, with an empty request; it answers the routes.
func addSessionCases(t *testing.T, w *bolaWorld, cases map[string][]bolaCase) map[string]bool {
	e := w.e
	// Wrong kind of session or none, on every route, with an empty request.
	services := []struct {
		desc     grpc.ServiceDesc
		file     protoreflect.FileDescriptor
		wrong    []string // tokens of the wrong kind
		wrongWho string
	}{
		{apiv1.ParentService_ServiceDesc, apiv1.File_onecode_api_v1_parent_proto, []string{w.staff["admin1"], w.staff["teacherA"], w.staff["canteen2"]}, "staff token"},
		{apiv1.StaffService_ServiceDesc, apiv1.File_onecode_api_v1_staff_proto, []string{w.p1, w.p2}, "parent token"},
	}
	routes := map[string]bool{}
	for _, svc := range services {
		sd := svc.file.Services().ByName(protoreflect.Name(strings.TrimPrefix(svc.desc.ServiceName, "onecode.api.v1.")))
		if sd == nil || len(svc.desc.Streams) != 0 {
			t.Fatalf("service %s: descriptor missing or has streams", svc.desc.ServiceName)
		}
		for _, m := range svc.desc.Methods {
			route := strings.TrimPrefix(svc.desc.ServiceName, "onecode.api.v1.") + "/" + m.MethodName
			routes[route] = true
			md := sd.Methods().ByName(protoreflect.Name(m.MethodName))
			invoke := func(ctx context.Context) error {
				return e.conn.Invoke(ctx, "/"+svc.desc.ServiceName+"/"+m.MethodName, dynamicpb.NewMessage(md.Input()), dynamicpb.NewMessage(md.Output()))
			}
			for _, tok := range svc.wrong {
				cases[route] = append(cases[route], bolaCase{who: svc.wrongWho, code: codes.PermissionDenied,
					call: func(context.Context) error { return invoke(bearer(tok)) }})
			}
			cases[route] = append(cases[route],
				bolaCase{who: "no token", code: codes.Unauthenticated, call: func(context.Context) error { return invoke(context.Background()) }},
				bolaCase{who: "a dead token", code: codes.Unauthenticated, call: func(context.Context) error {
					return invoke(bearer("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
				}})
		}
	}
	return routes
}

// bolaCoverage checks every route has a case beyond wrong sessions and every case
// names a route; it answers the routes in order.
func bolaCoverage(t *testing.T, cases map[string][]bolaCase, routes map[string]bool) []string {
	var names []string
	for route := range cases {
		names = append(names, route)
		if !routes[route] {
			t.Errorf("cases for %s, which is not a route", route)
		}
	}
	for route := range routes {
		// Every route needs a case with a foreign id or a scoped answer, not only wrong tokens.
		n := 0
		for _, c := range cases[route] {
			if c.who != "no token" && c.who != "a dead token" && c.who != "staff token" && c.who != "parent token" {
				n++
			}
		}
		if n == 0 {
			t.Errorf("route %s has no BOLA case: add one", route)
		}
	}
	sort.Strings(names)

	return names
}

// checkBOLARest: the same refusals over REST, JSON error bodies with the same
// statuses, changing nothing (before: the world's snapshot).
func checkBOLARest(t *testing.T, w *bolaWorld, before string) {
	e := w.e
	for _, c := range []struct {
		method, path, token string
		status              int
		reason              string
		body                any
	}{
		{"GET", "/v1/parent/children/" + w.b1, w.p1, http.StatusNotFound, "NOT_FOUND", nil},
		{"GET", "/v1/parent/children/" + w.x2 + "/history", w.p1, http.StatusNotFound, "NOT_FOUND", nil},
		{"POST", "/v1/parent/children/" + w.u1 + ":reportLoss", w.p1, http.StatusNotFound, "NOT_FOUND", nil},
		{"GET", "/v1/parent/recharges/" + w.orderP2, w.p1, http.StatusNotFound, "RECHARGE_NOT_FOUND", nil},
		{"GET", "/v1/parent/children", w.staff["admin1"], http.StatusForbidden, "PARENT_ONLY", nil},
		{"GET", "/v1/staff/pupils/" + w.x2, w.staff["admin1"], http.StatusNotFound, "NOT_FOUND", nil},
		{"POST", "/v1/staff/pupils/" + w.b1 + ":reissueCard", w.staff["teacherA"], http.StatusNotFound, "NOT_FOUND", nil},
		{"GET", "/v1/staff/classes/1B/sheet.pdf", w.staff["teacherA"], http.StatusNotFound, "NOT_FOUND", nil},
		{"GET", "/v1/staff/canteens/C2/totals?from_day=20250101&to_day=20250102", w.staff["canteen1"], http.StatusNotFound, "NOT_FOUND", nil},
		{"GET", "/v1/staff/pupils/" + w.a1, w.staff["canteen1"], http.StatusForbidden, "ROLE_NOT_ALLOWED", nil},
		{"POST", "/v1/staff/pupils/" + w.x2 + ":issueBindCode", w.staff["admin1"], http.StatusNotFound, "NOT_FOUND", map[string]any{}},
		{"POST", "/v1/staff/pupils/" + w.a1 + ":issueBindCode", w.staff["finance1"], http.StatusForbidden, "ROLE_NOT_ALLOWED", map[string]any{}},
		{"POST", "/v1/staff/pupils/" + w.x2 + "/guardians/par_p2:unbind", w.staff["admin1"], http.StatusNotFound, "NOT_FOUND", map[string]any{}},
		{"POST", "/v1/parent/children/" + w.b1 + ":unbind", w.p1, http.StatusNotFound, "NOT_FOUND", map[string]any{}},
		{"GET", "/v1/staff/pupils?class_id=1A", w.p1, http.StatusForbidden, "STAFF_ONLY", nil},
		{"GET", "/v1/staff/pupils?class_id=1A", "", http.StatusUnauthorized, "UNAUTHENTICATED", nil},
		{"PUT", "/v1/staff/canteens/C2/dishes/D1001", w.staff["canteen1"], http.StatusNotFound, "NOT_FOUND",
			map[string]any{"dish": map[string]any{"name": "红烧肉", "priceFen": "1", "active": true}}},
		{"POST", "/v1/staff/terminals/T2:setEnabled", w.staff["canteen1"], http.StatusNotFound, "NOT_FOUND", map[string]any{"enabled": false}},
		{"PUT", "/v1/staff/canteens/C2", w.staff["admin1"], http.StatusNotFound, "NOT_FOUND", map[string]any{"name": "mine now"}},
		{"POST", "/v1/staff/canteens/C1/terminals", w.staff["finance1"], http.StatusForbidden, "ROLE_NOT_ALLOWED",
			map[string]any{"terminalId": bolaNewTerminal}},
		{"GET", "/v1/staff/canteens/C1/dishes", w.p1, http.StatusForbidden, "STAFF_ONLY", nil},
		{"GET", "/v1/staff/canteens/C1/dishes", "", http.StatusUnauthorized, "UNAUTHENTICATED", nil},
		{"PUT", "/v1/staff/staff/" + bolaNewStaff, w.staff["finance1"], http.StatusForbidden, "ROLE_NOT_ALLOWED", bolaStaffBody},
		{"PUT", "/v1/staff/staff/" + bolaNewStaff, w.staff["teacherA"], http.StatusForbidden, "ROLE_NOT_ALLOWED", bolaStaffBody},
		{"PUT", "/v1/staff/staff/" + bolaNewStaff, w.p1, http.StatusForbidden, "STAFF_ONLY", bolaStaffBody},
		{"PUT", "/v1/staff/staff/" + bolaNewStaff, "", http.StatusUnauthorized, "UNAUTHENTICATED", bolaStaffBody},
		{"PUT", "/v1/staff/staff/st_teacher2", w.staff["admin2"], http.StatusNotFound, "NOT_FOUND",
			map[string]any{"role": "STAFF_ROLE_TEACHER", "classId": "1A", "enabled": true}},
		{"PUT", "/v1/staff/staff/st_admin1", w.staff["admin1"], http.StatusBadRequest, "SELF_LOCKOUT",
			map[string]any{"role": "STAFF_ROLE_SCHOOL_ADMIN", "enabled": false}},
	} {
		body := c.body
		if body == nil && c.method == "POST" {
			body = map[string]any{"request_id": "rest-1", "card_expiry": nextYear()}
		}
		code, got := restCall(t, c.method, e.httpBase+c.path, c.token, body)
		if code != c.status || errorReason(got) != c.reason {
			t.Errorf("REST %s %s: %d %v, want %d %s", c.method, c.path, code, got, c.status, c.reason)
		}
	}
	if after := w.snapshot(t); after != before {
		t.Fatalf("refused REST calls changed something\nbefore:\n%s\nafter:\n%s", before, after)
	}

}

// bolaControls: the rightful callers are answered, so the refusals of TestBOLA
// are about reach, not a broken setup.
func bolaControls(t *testing.T, k bolaKit) {
	w, P, S, st, p1, p2 := k.w, k.P, k.S, k.st, k.p1, k.p2
	if _, err := P.GetChild(p2(), &apiv1.GetChildRequest{AccountId: w.x2}); err != nil {
		t.Errorf("P2 on their child: %v", err)
	}
	if _, err := P.GetRecharge(p2(), &apiv1.GetRechargeRequest{OrderId: w.orderP2}); err != nil {
		t.Errorf("P2 on their order: %v", err)
	}
	for who, acc := range map[string]string{"admin2": w.x2, "finance1": w.b1, "teacherB": w.b1, "teacherA": w.u1} {
		if _, err := S.GetPupil(st(who), &apiv1.GetPupilRequest{AccountId: acc}); err != nil {
			t.Errorf("%s on %s: %v", who, acc, err)
		}
	}
	if _, err := S.GetClassSheet(st("teacher2"), &apiv1.GetClassSheetRequest{ClassId: "2A"}); err != nil {
		t.Errorf("teacher2 on their class sheet: %v", err)
	}
	if _, err := S.GetCanteenTotals(st("canteen2"), &apiv1.GetCanteenTotalsRequest{CanteenId: "C2", FromDay: "20250101", ToDay: "20250102"}); err != nil {
		t.Errorf("canteen2 on their canteen: %v", err)
	}
	if r, err := S.ListCanteenDishes(st("canteen2"), &apiv1.ListCanteenDishesRequest{CanteenId: "C2"}); err != nil || len(r.GetDishes()) != 2 {
		t.Errorf("canteen2 listing their dishes: %v %v", r, err)
	}
	if r, err := S.SetTerminalEnabled(st("admin1"), &apiv1.SetTerminalEnabledRequest{TerminalId: "T1", Enabled: true}); err != nil || !r.GetEnabled() {
		t.Errorf("admin1 on their terminal: %v %v", r, err)
	}
	// P1's ticket survived P2's attempt (with a code from the school).
	code, err := S.IssueBindCode(st("teacherA"), &apiv1.IssueBindCodeRequest{AccountId: w.u1})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := P.BindChild(p1(), &apiv1.BindChildRequest{BindTicket: w.ticket, BindCode: code.GetBindCode()}); err != nil || r.GetChild().GetAccountId() != w.u1 {
		t.Errorf("P1 redeeming their ticket after P2 tried it: %v %v", r, err)
	}
	if r, err := S.ListPupilGuardians(st("admin1"), &apiv1.ListPupilGuardiansRequest{AccountId: w.u1}); err != nil || len(r.GetGuardians()) != 1 ||
		r.GetGuardians()[0].GetParentId() != "par_p1" {
		t.Errorf("admin1 listing u1's guardians: %v %v", r, err)
	}
}
