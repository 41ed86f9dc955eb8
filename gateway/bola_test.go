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
	"google.golang.org/protobuf/proto"
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
	e := w.e
	P, S := e.parent, e.staff
	st := func(name string) context.Context { return bearer(w.staff[name]) }
	p1 := func() context.Context { return bearer(w.p1) }
	p2 := func() context.Context { return bearer(w.p2) }

	// Parent routes taking an account id: P1 on P2's child (same school and the
	// other school), on a child bound to nobody, on a malformed id.
	parentAccountCases := func(call func(ctx context.Context, acc string) error) []bolaCase {
		unknown := func(ctx context.Context) error { return call(ctx, unknownAccount) }
		var out []bolaCase
		for _, acc := range []struct{ who, id string }{{"P1 on P2's child (same school)", w.b1}, {"P1 on P2's child (other school)", w.x2},
			{"P1 on an unbound child", w.u1}, {"P1 on a malformed id", "../acc_35001_2024000001"}} {
			out = append(out, bolaCase{who: acc.who, code: codes.NotFound, like: unknown,
				call: func(ctx context.Context) error { return call(ctx, acc.id) }})
		}
		return out
	}
	// Staff routes taking an account id: other school, other class, wrong role.
	staffAccountCases := func(call func(ctx context.Context, acc string) error) []bolaCase {
		var out []bolaCase
		for _, c := range []struct{ who, id string }{
			{"admin1", w.x2}, {"finance1", w.x2}, {"teacherA", w.x2}, {"teacherA", w.b1}, {"teacherB", w.a1}, {"admin2", w.a1}, {"finance2", w.u1}, {"teacher2", w.a1},
		} {
			out = append(out, bolaCase{who: c.who + " on " + c.id, code: codes.NotFound,
				call: func(ctx context.Context) error { return call(bearer(w.staff[c.who]), c.id) },
				like: func(ctx context.Context) error { return call(bearer(w.staff[c.who]), unknownAccount) }})
		}
		for _, who := range []string{"canteen1", "canteen2"} {
			out = append(out, bolaCase{who: who + " on a pupil", code: codes.PermissionDenied,
				call: func(ctx context.Context) error { return call(bearer(w.staff[who]), w.a1) }})
		}
		return out
	}

	cases := map[string][]bolaCase{
		"ParentService/FindChild": {
			{who: "P1 with a wrong name for a pupil of school 2", code: codes.NotFound,
				call: func(ctx context.Context) error {
					_, err := P.FindChild(p1(), &apiv1.FindChildRequest{SchoolId: "35002", Name: "王小明", StudentNo: "2024000009"})
					return err
				},
				like: func(ctx context.Context) error {
					_, err := P.FindChild(p1(), &apiv1.FindChildRequest{SchoolId: "35002", Name: "王小明", StudentNo: "2099999999"})
					return err
				}},
		},
		"ParentService/BindChild": {
			{who: "P2 redeeming P1's ticket", code: codes.FailedPrecondition,
				call: func(ctx context.Context) error {
					_, err := P.BindChild(p2(), &apiv1.BindChildRequest{BindTicket: w.ticket})
					return err
				},
				like: func(ctx context.Context) error {
					_, err := P.BindChild(p2(), &apiv1.BindChildRequest{BindTicket: "AAAAAAAAAAAAAAAAAAAAAA"})
					return err
				}},
		},
		"ParentService/ListChildren": {
			{who: "P1 sees only their child", code: codes.OK, call: func(ctx context.Context) error {
				r, err := P.ListChildren(p1(), &apiv1.ListChildrenRequest{})
				if err != nil {
					return err
				}
				if len(r.GetChildren()) != 1 || r.GetChildren()[0].GetAccountId() != w.a1 {
					return fmt.Errorf("P1's children: %v", r.GetChildren())
				}
				return nil
			}},
		},
		"ParentService/GetChild": parentAccountCases(func(ctx context.Context, acc string) error {
			_, err := P.GetChild(p1(), &apiv1.GetChildRequest{AccountId: acc})
			return err
		}),
		"ParentService/ListHistory": parentAccountCases(func(ctx context.Context, acc string) error {
			_, err := P.ListHistory(p1(), &apiv1.ListHistoryRequest{AccountId: acc})
			return err
		}),
		"ParentService/ReportLoss": parentAccountCases(func(ctx context.Context, acc string) error {
			_, err := P.ReportLoss(p1(), &apiv1.ReportLossRequest{AccountId: acc, RequestId: "loss-1"})
			return err
		}),
		"ParentService/SetDailyCap": parentAccountCases(func(ctx context.Context, acc string) error {
			_, err := P.SetDailyCap(p1(), &apiv1.SetDailyCapRequest{AccountId: acc, AmountFen: 1, RequestId: "cap-1"})
			return err
		}),
		"ParentService/CreateRecharge": parentAccountCases(func(ctx context.Context, acc string) error {
			_, err := P.CreateRecharge(p1(), &apiv1.CreateRechargeRequest{AccountId: acc, AmountFen: 100, RequestId: "rc-1"})
			return err
		}),
		"ParentService/GetNotificationPreferences": {
			{who: "P1 reads only their own", code: codes.OK, call: func(ctx context.Context) error {
				if _, err := P.UpdateNotificationPreferences(p2(), &apiv1.UpdateNotificationPreferencesRequest{ChannelsOn: []string{"sms"}, KindsOff: []string{"refund_done"}}); err != nil {
					return err
				}
				r, err := P.GetNotificationPreferences(p1(), &apiv1.GetNotificationPreferencesRequest{})
				if err != nil {
					return err
				}
				for _, k := range r.GetPreferences().GetKinds() {
					if !k.GetOn() {
						return fmt.Errorf("P1 sees P2's preference: %v", k)
					}
				}
				return nil
			}},
		},
		"ParentService/UpdateNotificationPreferences": {
			{who: "P1 changes only their own", code: codes.OK, call: func(ctx context.Context) error {
				if _, err := P.UpdateNotificationPreferences(p1(), &apiv1.UpdateNotificationPreferencesRequest{ChannelsOn: []string{"wechat"}, KindsOff: []string{"low_balance"}}); err != nil {
					return err
				}
				r, err := P.GetNotificationPreferences(p2(), &apiv1.GetNotificationPreferencesRequest{})
				if err != nil {
					return err
				}
				for _, k := range r.GetPreferences().GetKinds() {
					if k.GetKind() == "low_balance" && !k.GetOn() {
						return fmt.Errorf("P1 changed P2's preferences")
					}
				}
				return nil
			}},
			{who: "P1 turning arrears off", code: codes.InvalidArgument, call: func(ctx context.Context) error {
				_, err := P.UpdateNotificationPreferences(p1(), &apiv1.UpdateNotificationPreferencesRequest{KindsOff: []string{"arrears"}})
				return err
			}},
		},
		"ParentService/GetRecharge": {
			{who: "P1 on P2's order", code: codes.NotFound,
				call: func(ctx context.Context) error {
					_, err := P.GetRecharge(p1(), &apiv1.GetRechargeRequest{OrderId: w.orderP2})
					return err
				},
				like: func(ctx context.Context) error {
					_, err := P.GetRecharge(p1(), &apiv1.GetRechargeRequest{OrderId: unknownOrder})
					return err
				}},
		},
		"StaffService/ImportPupilsFile": {
			{who: "teacherA", code: codes.PermissionDenied, call: func(ctx context.Context) error {
				_, err := S.ImportPupilsFile(st("teacherA"), &apiv1.ImportPupilsFileRequest{Format: "csv", Content: []byte("学号,姓名,班级\n2024000001,王小明,1A\n"), CardExpiry: nextYear()})
				return err
			}},
			{who: "canteen1", code: codes.PermissionDenied, call: func(ctx context.Context) error {
				_, err := S.ImportPupilsFile(st("canteen1"), &apiv1.ImportPupilsFileRequest{Format: "csv", Content: []byte("学号,姓名,班级\n2024000001,王小明,1A\n"), CardExpiry: nextYear()})
				return err
			}},
			{who: "admin1 importing into school 2's class", code: codes.OK, call: func(ctx context.Context) error {
				r, err := S.ImportPupilsFile(st("admin1"), &apiv1.ImportPupilsFileRequest{Format: "csv", Content: []byte("学号,姓名,班级\n2024000001,王小明,2A\n"), CardExpiry: nextYear()})
				if err != nil {
					return err
				}
				if r.GetImported() != 0 || len(r.GetErrors()) != 1 || r.GetErrors()[0].GetReason() != "UNKNOWN_CLASS" || r.GetErrors()[0].GetRow() != 2 {
					return fmt.Errorf("import into a foreign class: %v", r)
				}
				return nil
			}},
		},
		"StaffService/ListPupils": {
			{who: "admin1 on school 2's class", code: codes.NotFound, call: listPupils(S, st("admin1"), "2A"), like: listPupils(S, st("admin1"), "nope")},
			{who: "finance1 on school 2's class", code: codes.NotFound, call: listPupils(S, st("finance1"), "2A"), like: listPupils(S, st("finance1"), "nope")},
			{who: "teacherA on class 1B", code: codes.NotFound, call: listPupils(S, st("teacherA"), "1B"), like: listPupils(S, st("teacherA"), "nope")},
			{who: "admin2 on school 1's class", code: codes.NotFound, call: listPupils(S, st("admin2"), "1A"), like: listPupils(S, st("admin2"), "nope")},
			{who: "canteen1", code: codes.PermissionDenied, call: listPupils(S, st("canteen1"), "1A")},
			{who: "teacherA without class lists 1A only", code: codes.OK, call: func(ctx context.Context) error {
				r, err := S.ListPupils(st("teacherA"), &apiv1.ListPupilsRequest{})
				if err != nil {
					return err
				}
				for _, p := range r.GetPupils() {
					if p.GetClassId() != "1A" {
						return fmt.Errorf("teacher of 1A sees %v", p)
					}
				}
				if len(r.GetPupils()) != 2 {
					return fmt.Errorf("teacher of 1A sees %d pupils", len(r.GetPupils()))
				}
				return nil
			}},
		},
		"ParentService/UnbindChild": parentAccountCases(func(ctx context.Context, acc string) error {
			_, err := P.UnbindChild(p1(), &apiv1.UnbindChildRequest{AccountId: acc})
			return err
		}),
		"StaffService/IssueBindCode": guardianStaffCases(w, false, func(ctx context.Context, acc, _ string) error {
			_, err := S.IssueBindCode(ctx, &apiv1.IssueBindCodeRequest{AccountId: acc})
			return err
		}),
		"StaffService/ListPupilGuardians": guardianStaffCases(w, false, func(ctx context.Context, acc, _ string) error {
			_, err := S.ListPupilGuardians(ctx, &apiv1.ListPupilGuardiansRequest{AccountId: acc})
			return err
		}),
		"StaffService/UnbindGuardian": guardianStaffCases(w, true, func(ctx context.Context, acc, parent string) error {
			_, err := S.UnbindGuardian(ctx, &apiv1.UnbindGuardianRequest{AccountId: acc, ParentId: parent})
			return err
		}),
		"StaffService/GetPupil": staffAccountCases(func(ctx context.Context, acc string) error {
			_, err := S.GetPupil(ctx, &apiv1.GetPupilRequest{AccountId: acc})
			return err
		}),
		"StaffService/ListPupilHistory": staffAccountCases(func(ctx context.Context, acc string) error {
			_, err := S.ListPupilHistory(ctx, &apiv1.ListPupilHistoryRequest{AccountId: acc})
			return err
		}),
		"StaffService/ReportPupilLoss": staffAccountCases(func(ctx context.Context, acc string) error {
			_, err := S.ReportPupilLoss(ctx, &apiv1.ReportPupilLossRequest{AccountId: acc, RequestId: "loss-1"})
			return err
		}),
		"StaffService/ReissueCard": staffAccountCases(func(ctx context.Context, acc string) error {
			_, err := S.ReissueCard(ctx, &apiv1.ReissueCardRequest{AccountId: acc, RequestId: "re-1", CardExpiry: nextYear()})
			return err
		}),
		"StaffService/GetPupilCard": staffAccountCases(func(ctx context.Context, acc string) error {
			_, err := S.GetPupilCard(ctx, &apiv1.GetPupilCardRequest{AccountId: acc})
			return err
		}),
		"StaffService/GetDishLabels": {
			{who: "canteen1 on school 2's canteen", code: codes.NotFound, call: dishLabels(S, st("canteen1"), "C2"), like: dishLabels(S, st("canteen1"), "C404")},
			{who: "admin2 on school 1's canteen", code: codes.NotFound, call: dishLabels(S, st("admin2"), "C1"), like: dishLabels(S, st("admin2"), "C404")},
			{who: "finance1", code: codes.PermissionDenied, call: dishLabels(S, st("finance1"), "C1")},
			{who: "teacherA", code: codes.PermissionDenied, call: dishLabels(S, st("teacherA"), "C1")},
		},
		"StaffService/GetClassSheet": {
			{who: "admin1 on school 2's class", code: codes.NotFound, call: classSheet(S, st("admin1"), "2A"), like: classSheet(S, st("admin1"), "nope")},
			{who: "teacherA on class 1B", code: codes.NotFound, call: classSheet(S, st("teacherA"), "1B"), like: classSheet(S, st("teacherA"), "nope")},
			{who: "teacher2 on class 1A", code: codes.NotFound, call: classSheet(S, st("teacher2"), "1A"), like: classSheet(S, st("teacher2"), "nope")},
			{who: "canteen1", code: codes.PermissionDenied, call: classSheet(S, st("canteen1"), "1A")},
		},
		"StaffService/GetCanteenTotals": {
			{who: "canteen1 on school 2's canteen", code: codes.NotFound, call: totals(S, st("canteen1"), "C2"), like: totals(S, st("canteen1"), "C404")},
			{who: "finance1 on school 2's canteen", code: codes.NotFound, call: totals(S, st("finance1"), "C2"), like: totals(S, st("finance1"), "C404")},
			{who: "admin2 on school 1's canteen", code: codes.NotFound, call: totals(S, st("admin2"), "C1"), like: totals(S, st("admin2"), "C404")},
			{who: "teacherA", code: codes.PermissionDenied, call: totals(S, st("teacherA"), "C1")},
		},
		// Canteen management: canteen managers and school admins of the
		// canteen's school only; another school's canteen or terminal answers
		// as an unknown one.
		"StaffService/PutStaffCanteen": {
			// An unknown id creates a canteen, so the foreign one answers as every
			// staff route answers a canteen out of reach (ListCanteenDishes on C404).
			{who: "canteen1 renaming school 2's canteen", code: codes.NotFound, call: putCanteen(S, st("canteen1"), "C2"), like: listDishes(S, st("canteen1"), "C404")},
			{who: "admin2 renaming school 1's canteen", code: codes.NotFound, call: putCanteen(S, st("admin2"), "C1"), like: listDishes(S, st("admin2"), "C404")},
			{who: "finance1", code: codes.PermissionDenied, call: putCanteen(S, st("finance1"), bolaNewCanteen)},
			{who: "teacherA", code: codes.PermissionDenied, call: putCanteen(S, st("teacherA"), "C1")},
		},
		"StaffService/RegisterCanteenTerminal": {
			{who: "canteen1 on school 2's canteen", code: codes.NotFound, call: registerTerminal(S, st("canteen1"), "C2", bolaNewTerminal),
				like: registerTerminal(S, st("canteen1"), "C404", bolaNewTerminal)},
			{who: "admin2 on school 1's canteen", code: codes.NotFound, call: registerTerminal(S, st("admin2"), "C1", bolaNewTerminal),
				like: registerTerminal(S, st("admin2"), "C404", bolaNewTerminal)},
			{who: "finance1", code: codes.PermissionDenied, call: registerTerminal(S, st("finance1"), "C1", bolaNewTerminal)},
			{who: "teacherA", code: codes.PermissionDenied, call: registerTerminal(S, st("teacherA"), "C1", bolaNewTerminal)},
			{who: "canteen1 re-registering school 2's terminal id", code: codes.OK, call: func(ctx context.Context) error {
				r, err := S.RegisterCanteenTerminal(st("canteen1"), &apiv1.RegisterCanteenTerminalRequest{CanteenId: "C1", TerminalId: "T2", Name: "x"})
				if status.Code(err) != codes.AlreadyExists || reasonOf(err) != "TERMINAL_EXISTS" || r.GetSecret() != "" {
					return fmt.Errorf("re-registering T2: %v %v, want AlreadyExists TERMINAL_EXISTS and no secret", r, err)
				}
				if msg := status.Convert(err).Message(); strings.Contains(msg, "35002") || strings.Contains(msg, "C2") {
					return fmt.Errorf("TERMINAL_EXISTS tells of the other school: %q", msg)
				}
				return nil
			}},
		},
		"StaffService/SetTerminalEnabled": {
			{who: "canteen1 disabling school 2's terminal", code: codes.NotFound, call: setEnabled(S, st("canteen1"), "T2"), like: setEnabled(S, st("canteen1"), "T404")},
			{who: "admin2 disabling school 1's terminal", code: codes.NotFound, call: setEnabled(S, st("admin2"), "T1"), like: setEnabled(S, st("admin2"), "T404")},
			{who: "canteen1 on a malformed id", code: codes.NotFound, call: setEnabled(S, st("canteen1"), "../T2"), like: setEnabled(S, st("canteen1"), "T404")},
			{who: "finance1", code: codes.PermissionDenied, call: setEnabled(S, st("finance1"), "T1")},
			{who: "teacherA", code: codes.PermissionDenied, call: setEnabled(S, st("teacherA"), "T1")},
		},
		"StaffService/PutCanteenDish": {
			{who: "canteen1 on school 2's canteen", code: codes.NotFound, call: putDish(S, st("canteen1"), "C2", ""), like: putDish(S, st("canteen1"), "C404", "")},
			{who: "admin2 on school 1's canteen", code: codes.NotFound, call: putDish(S, st("admin2"), "C1", ""), like: putDish(S, st("admin2"), "C404", "")},
			{who: "canteen1 naming school 2's canteen in the body", code: codes.InvalidArgument, call: putDish(S, st("canteen1"), "C1", "C2")},
			{who: "finance1", code: codes.PermissionDenied, call: putDish(S, st("finance1"), "C1", "")},
			{who: "teacherA", code: codes.PermissionDenied, call: putDish(S, st("teacherA"), "C1", "")},
		},
		// Staff accounts: school admins of the caller's school only. The school
		// is always the caller's, so a username of another school names an
		// account of the caller's school; another school's class answers as an
		// unknown one.
		"StaffService/PutSchoolStaff": {
			{who: "finance1", code: codes.PermissionDenied, call: putStaff(S, st("finance1"), bolaNewStaff, apiv1.StaffRole_STAFF_ROLE_FINANCE, "")},
			{who: "canteen1", code: codes.PermissionDenied, call: putStaff(S, st("canteen1"), bolaNewStaff, apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER, "")},
			{who: "teacherA promoting themselves", code: codes.PermissionDenied, call: putStaff(S, st("teacherA"), "st_teacherA", apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN, "")},
			{who: "teacher2", code: codes.PermissionDenied, call: putStaff(S, st("teacher2"), bolaNewStaff, apiv1.StaffRole_STAFF_ROLE_TEACHER, "2A")},
			{who: "admin1 with school 2's class", code: codes.NotFound, call: putStaff(S, st("admin1"), bolaNewStaff, apiv1.StaffRole_STAFF_ROLE_TEACHER, "2A"),
				like: putStaff(S, st("admin1"), bolaNewStaff, apiv1.StaffRole_STAFF_ROLE_TEACHER, "nope")},
			{who: "admin2 moving their teacher to school 1's class", code: codes.NotFound, call: putStaff(S, st("admin2"), "st_teacher2", apiv1.StaffRole_STAFF_ROLE_TEACHER, "1A"),
				like: putStaff(S, st("admin2"), "st_teacher2", apiv1.StaffRole_STAFF_ROLE_TEACHER, "nope")},
			{who: "admin1 demoting themselves", code: codes.FailedPrecondition, call: putStaff(S, st("admin1"), "st_admin1", apiv1.StaffRole_STAFF_ROLE_FINANCE, "")},
			{who: "admin1 writing school 2's admin's username lands in school 1", code: codes.OK, call: func(ctx context.Context) error {
				r, err := S.PutSchoolStaff(st("admin1"), &apiv1.PutSchoolStaffRequest{Username: "st_admin2", Role: apiv1.StaffRole_STAFF_ROLE_TEACHER,
					ClassId: "1A", Password: "bola-password-1", Enabled: false})
				if err != nil {
					return err
				}
				if s := r.GetStaff(); s.GetSchoolId() != "35001" || s.GetStaffId() != "st_35001_st_admin2" || s.GetEnabled() {
					return fmt.Errorf("admin1 writing st_admin2: %v, want a disabled account of school 1", s)
				}
				u, err := e.dir.StaffByUsername(ctx, "35002", "st_admin2")
				if err != nil || u.ID != "st_admin2" || u.Role != directory.RoleSchoolAdmin || u.Status != directory.StaffActive {
					return fmt.Errorf("school 2's st_admin2 after admin1's write: %+v %v", u, err)
				}
				return nil
			}},
		},
		"StaffService/ListCanteenDishes": {
			{who: "canteen1 on school 2's canteen", code: codes.NotFound, call: listDishes(S, st("canteen1"), "C2"), like: listDishes(S, st("canteen1"), "C404")},
			{who: "admin2 on school 1's canteen", code: codes.NotFound, call: listDishes(S, st("admin2"), "C1"), like: listDishes(S, st("admin2"), "C404")},
			{who: "finance1", code: codes.PermissionDenied, call: listDishes(S, st("finance1"), "C1")},
			{who: "teacherA", code: codes.PermissionDenied, call: listDishes(S, st("teacherA"), "C1")},
		},
	}

	for route, cs := range bolaListCases(w, S) {
		cases[route] = append(cases[route], cs...)
	}

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

	// The same over REST: JSON error bodies with the same statuses.
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

	// Controls: the rightful callers are answered, so the refusals above are
	// about reach, not a broken setup.
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

// guardianStaffCases are the refused staff calls on guardianship (bind codes,
// guardian lists, unbinding): a pupil of another school or (for teachers)
// class answers as an unknown one; finance and canteen managers (and, with
// adminOnly, teachers) may not; a parent is not staff.
func guardianStaffCases(w *bolaWorld, adminOnly bool, call func(ctx context.Context, acc, parent string) error) []bolaCase {
	st := func(name string) context.Context { return bearer(w.staff[name]) }
	guardianOf := map[string]string{w.a1: "par_p1", w.b1: "par_p2", w.x2: "par_p2"}
	var out []bolaCase
	reach := [][2]string{{"admin1", w.x2}, {"admin2", w.a1}, {"admin2", w.b1}}
	if !adminOnly {
		reach = append(reach, [][2]string{{"teacherA", w.x2}, {"teacherA", w.b1}, {"teacherB", w.a1}, {"teacher2", w.a1}}...)
	}
	for _, c := range reach {
		out = append(out, bolaCase{who: c[0] + " on " + c[1], code: codes.NotFound,
			call: func(ctx context.Context) error { return call(st(c[0]), c[1], guardianOf[c[1]]) },
			like: func(ctx context.Context) error { return call(st(c[0]), unknownAccount, guardianOf[c[1]]) }})
	}
	denied := []string{"finance1", "canteen1", "finance2", "canteen2"}
	if adminOnly {
		denied = append(denied, "teacherA", "teacher2")
	}
	for _, who := range denied {
		acc := w.a1
		if strings.HasSuffix(who, "2") {
			acc = w.x2
		}
		out = append(out, bolaCase{who: who + " on " + acc, code: codes.PermissionDenied,
			call: func(ctx context.Context) error { return call(st(who), acc, guardianOf[acc]) }})
	}
	out = append(out, bolaCase{who: "P1 on their child", code: codes.PermissionDenied,
		call: func(ctx context.Context) error { return call(bearer(w.p1), w.a1, "par_p1") }})
	return out
}

func listPupils(S apiv1.StaffServiceClient, ctx context.Context, class string) func(context.Context) error {
	return func(context.Context) error {
		_, err := S.ListPupils(ctx, &apiv1.ListPupilsRequest{ClassId: class})
		return err
	}
}

func classSheet(S apiv1.StaffServiceClient, ctx context.Context, class string) func(context.Context) error {
	return func(context.Context) error {
		_, err := S.GetClassSheet(ctx, &apiv1.GetClassSheetRequest{ClassId: class})
		return err
	}
}

func totals(S apiv1.StaffServiceClient, ctx context.Context, canteen string) func(context.Context) error {
	return func(context.Context) error {
		_, err := S.GetCanteenTotals(ctx, &apiv1.GetCanteenTotalsRequest{CanteenId: canteen, FromDay: "20250101", ToDay: "20250102"})
		return err
	}
}

func putCanteen(S apiv1.StaffServiceClient, ctx context.Context, canteen string) func(context.Context) error {
	return func(context.Context) error {
		_, err := S.PutStaffCanteen(ctx, &apiv1.PutStaffCanteenRequest{CanteenId: canteen, Name: "taken over"})
		return err
	}
}

func registerTerminal(S apiv1.StaffServiceClient, ctx context.Context, canteen, terminal string) func(context.Context) error {
	return func(context.Context) error {
		r, err := S.RegisterCanteenTerminal(ctx, &apiv1.RegisterCanteenTerminalRequest{CanteenId: canteen, TerminalId: terminal, Name: "rogue", CanOverride: true})
		if err == nil && r.GetSecret() != "" {
			return fmt.Errorf("registered %s on %s, secret answered", terminal, canteen)
		}
		return err
	}
}

func setEnabled(S apiv1.StaffServiceClient, ctx context.Context, terminal string) func(context.Context) error {
	return func(context.Context) error {
		_, err := S.SetTerminalEnabled(ctx, &apiv1.SetTerminalEnabledRequest{TerminalId: terminal, Enabled: false})
		return err
	}
}

// putDish puts a cheap dish D1001 in canteen (the path); bodyCanteen, when
// set, names a canteen in the dish too.
func putDish(S apiv1.StaffServiceClient, ctx context.Context, canteen, bodyCanteen string) func(context.Context) error {
	return func(context.Context) error {
		_, err := S.PutCanteenDish(ctx, &apiv1.PutCanteenDishRequest{CanteenId: canteen, Barcode: "D1001",
			Dish: &apiv1.Dish{CanteenId: bodyCanteen, Name: "红烧肉", PriceFen: 1, Active: proto.Bool(true)}})
		return err
	}
}

// bolaStaffBody is a REST PutSchoolStaff body creating an enabled school admin.
var bolaStaffBody = map[string]any{"role": "STAFF_ROLE_SCHOOL_ADMIN", "password": "bola-password-1", "enabled": true}

// putStaff writes an enabled account username with role and class (and a
// password, which creates it when new).
func putStaff(S apiv1.StaffServiceClient, ctx context.Context, username string, role apiv1.StaffRole, class string) func(context.Context) error {
	return func(context.Context) error {
		_, err := S.PutSchoolStaff(ctx, &apiv1.PutSchoolStaffRequest{Username: username, Role: role, ClassId: class, Password: "bola-password-1", Enabled: true})
		return err
	}
}

func listDishes(S apiv1.StaffServiceClient, ctx context.Context, canteen string) func(context.Context) error {
	return func(context.Context) error {
		_, err := S.ListCanteenDishes(ctx, &apiv1.ListCanteenDishesRequest{CanteenId: canteen})
		return err
	}
}

func dishLabels(S apiv1.StaffServiceClient, ctx context.Context, canteen string) func(context.Context) error {
	return func(context.Context) error {
		_, err := S.GetDishLabels(ctx, &apiv1.GetDishLabelsRequest{CanteenId: canteen})
		return err
	}
}
