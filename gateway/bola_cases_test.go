package gateway_test

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// bolaKit is what the route cases call with: the world's clients and sessions.
type bolaKit struct {
	w    *bolaWorld
	P    apiv1.ParentServiceClient
	S    apiv1.StaffServiceClient
	st   func(name string) context.Context
	p1   func() context.Context
	p2   func() context.Context
	pacc func(call func(ctx context.Context, acc string) error) []bolaCase
	sacc func(call func(ctx context.Context, acc string) error) []bolaCase
}

func newBolaKit(w *bolaWorld) bolaKit {
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
	return bolaKit{w: w, P: P, S: S, st: st, p1: p1, p2: p2, pacc: parentAccountCases, sacc: staffAccountCases}
}

// routeCases are the refused attempts of every route, by route.
func (k bolaKit) routeCases() map[string][]bolaCase {
	cases := map[string][]bolaCase{}
	for _, part := range []map[string][]bolaCase{k.cases1(), k.cases2(), k.cases3(), k.cases4(), k.cases5(), bolaListCases(k.w, k.S)} {
		for route, cs := range part {
			cases[route] = append(cases[route], cs...)
		}
	}
	return cases
}

// cases1 are route cases (part 1 of the table).
func (k bolaKit) cases1() map[string][]bolaCase {
	w, P, p1, p2, parentAccountCases := k.w, k.P, k.p1, k.p2, k.pacc
	return map[string][]bolaCase{
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
	}
}

// cases2 are route cases (part 2 of the table).
func (k bolaKit) cases2() map[string][]bolaCase {
	w, P, S, st, p1, p2 := k.w, k.P, k.S, k.st, k.p1, k.p2
	return map[string][]bolaCase{
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
	}
}

// cases3 are route cases (part 3 of the table).
func (k bolaKit) cases3() map[string][]bolaCase {
	w, P, S, st, p1, parentAccountCases, staffAccountCases := k.w, k.P, k.S, k.st, k.p1, k.pacc, k.sacc
	return map[string][]bolaCase{
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
	}
}

// cases4 are route cases (part 4 of the table).
func (k bolaKit) cases4() map[string][]bolaCase {
	S, st := k.S, k.st
	return map[string][]bolaCase{
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
	}
}

// cases5 are route cases (part 5 of the table).
func (k bolaKit) cases5() map[string][]bolaCase {
	S, st := k.S, k.st
	e := k.w.e
	return map[string][]bolaCase{
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
