package gateway

import (
	"context"

	"github.com/onecode/onecode/app/access"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// ListPupilHistory implements apiv1.StaffServiceServer (see history.Service.Lines).
func (s *StaffService) ListPupilHistory(ctx context.Context, req *apiv1.ListPupilHistoryRequest) (*apiv1.ListPupilHistoryResponse, error) {
	pupil, err := s.reachPupil(ctx, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	p, err := s.history.Lines(ctx, pupil.AccountID, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &apiv1.ListPupilHistoryResponse{Lines: HistoryLinesProto(p.Lines), NextPageToken: p.Next}, nil
}

// GetCanteenTotals implements apiv1.StaffServiceServer: a canteen of the
// caller's school, net turnover per school day from from_day to to_day
// inclusive (see history.Service.CanteenTotals). Canteen managers, finance and
// school admins.
func (s *StaffService) GetCanteenTotals(ctx context.Context, req *apiv1.GetCanteenTotalsRequest) (*apiv1.GetCanteenTotalsResponse, error) {
	p, err := access.RequireStaff(ctx, rolesCanteen...)
	if err != nil {
		return nil, err
	}
	c, err := s.reachCanteen(ctx, p, req.GetCanteenId())
	if err != nil {
		return nil, err
	}
	totals, err := s.history.CanteenTotals(ctx, c.ID, req.GetFromDay(), req.GetToDay())
	if err != nil {
		return nil, err
	}
	out := &apiv1.GetCanteenTotalsResponse{Days: make([]*apiv1.DayTotal, len(totals))}
	for i, t := range totals {
		out.Days[i] = &apiv1.DayTotal{Day: t.Day.String(), Count: t.Count, SumFen: t.SumFen}
	}
	return out, nil
}
