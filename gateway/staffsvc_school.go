package gateway

import (
	"context"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/schools"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// rolesLimitsRead read the school's default limits: finance answers parents'
// questions about them (and sees the arrears cap), but only a school admin sets
// them.
var rolesLimitsRead = []access.Role{access.RoleFinance}

// ListSchoolStaff implements apiv1.StaffServiceServer: the staff accounts of
// the caller's school (access.StaffAccounts.ListBySchoolAdmin). School admins only.
func (s *StaffService) ListSchoolStaff(ctx context.Context, req *apiv1.ListSchoolStaffRequest) (*apiv1.ListSchoolStaffResponse, error) {
	page, err := s.staff.ListBySchoolAdmin(ctx, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListSchoolStaffResponse{Staff: make([]*apiv1.StaffUser, len(page.Staff)), NextPageToken: page.Next}
	for i, u := range page.Staff {
		out.Staff[i] = staffUserProto(u)
	}
	return out, nil
}

// GetSchoolLimits implements apiv1.StaffServiceServer: the default limits of
// the caller's school (school admins and finance).
func (s *StaffService) GetSchoolLimits(ctx context.Context, _ *apiv1.GetSchoolLimitsRequest) (*apiv1.GetSchoolLimitsResponse, error) {
	p, err := access.RequireStaff(ctx, rolesLimitsRead...)
	if err != nil {
		return nil, err
	}
	l, err := s.d.Schools().Limits(ctx, p.SchoolID)
	if err != nil {
		return nil, err
	}
	return &apiv1.GetSchoolLimitsResponse{Limits: limitsProto(l)}, nil
}

// SetSchoolLimits implements apiv1.StaffServiceServer: sets the default limits
// of the caller's school (schools.Service.SetLimits). School admins only.
func (s *StaffService) SetSchoolLimits(ctx context.Context, req *apiv1.SetSchoolLimitsRequest) (*apiv1.SetSchoolLimitsResponse, error) {
	p, err := access.RequireStaff(ctx, access.RoleSchoolAdmin)
	if err != nil {
		return nil, err
	}
	in := req.GetLimits()
	l, err := s.d.Schools().SetLimits(ctx, p.SchoolID, schools.Limits{
		SingleRechargeMax: in.GetSingleRechargeMaxFen(), BalanceCap: in.GetBalanceCapFen(),
		DailySpendCap: in.GetDailySpendCapFen(), ArrearsCap: in.GetArrearsCapFen(),
	})
	if err != nil {
		return nil, err
	}
	s.d.Logger.Info("school limits set", "school", p.SchoolID, "staff", p.SubjectID, "single_recharge_max_fen", l.SingleRechargeMax,
		"balance_cap_fen", l.BalanceCap, "daily_spend_cap_fen", l.DailySpendCap, "arrears_cap_fen", l.ArrearsCap)
	return &apiv1.SetSchoolLimitsResponse{Limits: limitsProto(l)}, nil
}

func limitsProto(l schools.Limits) *apiv1.SchoolLimits {
	return &apiv1.SchoolLimits{SingleRechargeMaxFen: l.SingleRechargeMax, BalanceCapFen: l.BalanceCap,
		DailySpendCapFen: l.DailySpendCap, ArrearsCapFen: l.ArrearsCap}
}
