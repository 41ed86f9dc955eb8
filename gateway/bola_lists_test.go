package gateway_test

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// bolaListCases are the BOLA cases of the console's lists: each caller sees its own
// school (a teacher their class) and nothing else; other roles are refused.
func bolaListCases(w *bolaWorld, S apiv1.StaffServiceClient) map[string][]bolaCase {
	classes := func(who, want string) bolaCase {
		return bolaCase{who: who + " lists " + want, code: codes.OK, call: func(context.Context) error {
			r, err := S.ListSchoolClasses(bearer(w.staff[who]), &apiv1.ListSchoolClassesRequest{})
			if err != nil {
				return err
			}
			var got []string
			for _, c := range r.GetClasses() {
				got = append(got, c.GetSchoolId()+"/"+c.GetId())
			}
			if strings.Join(got, ",") != want {
				return fmt.Errorf("%s lists the classes %v, want %s", who, got, want)
			}
			return nil
		}}
	}
	canteens := func(who, want string) bolaCase {
		return bolaCase{who: who + " lists " + want, code: codes.OK, call: func(context.Context) error {
			r, err := S.ListStaffCanteens(bearer(w.staff[who]), &apiv1.ListStaffCanteensRequest{})
			if err != nil {
				return err
			}
			var got []string
			for _, c := range r.GetCanteens() {
				got = append(got, c.GetCanteen().GetSchoolId()+"/"+c.GetCanteen().GetId())
				for _, t := range c.GetTerminals() {
					got = append(got, t.GetTerminalId())
				}
			}
			if strings.Join(got, ",") != want {
				return fmt.Errorf("%s lists the canteens %v, want %s", who, got, want)
			}
			return nil
		}}
	}
	denied := func(who string, call func(ctx context.Context) error) bolaCase {
		return bolaCase{who: who, code: codes.PermissionDenied, call: call}
	}
	staffOf := func(who, school string) bolaCase {
		return bolaCase{who: who + " lists the staff of " + school, code: codes.OK, call: func(context.Context) error {
			r, err := S.ListSchoolStaff(bearer(w.staff[who]), &apiv1.ListSchoolStaffRequest{})
			if err != nil {
				return err
			}
			for _, u := range r.GetStaff() {
				if u.GetSchoolId() != school {
					return fmt.Errorf("%s lists %s of school %s", who, u.GetUsername(), u.GetSchoolId())
				}
			}
			if len(r.GetStaff()) == 0 {
				return fmt.Errorf("%s lists no staff", who)
			}
			return nil
		}}
	}
	limits := S.GetSchoolLimits
	setLimits := func(who string) bolaCase {
		return denied(who+" sets the limits", func(context.Context) error {
			_, err := S.SetSchoolLimits(bearer(w.staff[who]), &apiv1.SetSchoolLimitsRequest{Limits: &apiv1.SchoolLimits{
				SingleRechargeMaxFen: 1, BalanceCapFen: 1, DailySpendCapFen: 1}})
			return err
		})
	}
	return map[string][]bolaCase{
		"StaffService/ListSchoolStaff": {
			staffOf("admin1", "35001"), staffOf("admin2", "35002"),
			denied("finance1", func(context.Context) error {
				_, err := S.ListSchoolStaff(bearer(w.staff["finance1"]), &apiv1.ListSchoolStaffRequest{})
				return err
			}),
			denied("teacherA", func(context.Context) error {
				_, err := S.ListSchoolStaff(bearer(w.staff["teacherA"]), &apiv1.ListSchoolStaffRequest{})
				return err
			}),
		},
		"StaffService/GetSchoolLimits": {
			{who: "finance2 reads school 2's limits", code: codes.OK, call: func(context.Context) error {
				_, err := limits(bearer(w.staff["finance2"]), &apiv1.GetSchoolLimitsRequest{})
				return err
			}},
			denied("teacherA", func(context.Context) error {
				_, err := limits(bearer(w.staff["teacherA"]), &apiv1.GetSchoolLimitsRequest{})
				return err
			}),
			denied("canteen1", func(context.Context) error {
				_, err := limits(bearer(w.staff["canteen1"]), &apiv1.GetSchoolLimitsRequest{})
				return err
			}),
		},
		"StaffService/SetSchoolLimits": {setLimits("finance1"), setLimits("teacherA"), setLimits("canteen1")},
		// The school always comes from the session (TestStaffListNoticesIsSchoolScoped
		// shows another school's notices never listed); these roles are refused.
		"StaffService/ListNotices": {
			denied("teacherA", func(context.Context) error {
				_, err := S.ListNotices(bearer(w.staff["teacherA"]), &apiv1.ListNoticesRequest{})
				return err
			}),
			denied("canteen1", func(context.Context) error {
				_, err := S.ListNotices(bearer(w.staff["canteen1"]), &apiv1.ListNoticesRequest{})
				return err
			}),
		},
		"StaffService/ListSchoolClasses": {
			classes("admin1", "35001/1A,35001/1B"), classes("admin2", "35002/2A"), classes("teacherA", "35001/1A"),
			denied("canteen1", func(context.Context) error {
				_, err := S.ListSchoolClasses(bearer(w.staff["canteen1"]), &apiv1.ListSchoolClassesRequest{})
				return err
			}),
		},
		"StaffService/ListStaffCanteens": {
			canteens("canteen1", "35001/C1,T1"), canteens("admin2", "35002/C2,T2"), canteens("finance1", "35001/C1"),
			denied("teacherA", func(context.Context) error {
				_, err := S.ListStaffCanteens(bearer(w.staff["teacherA"]), &apiv1.ListStaffCanteensRequest{})
				return err
			}),
		},
	}
}
