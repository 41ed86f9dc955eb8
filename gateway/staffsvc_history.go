package gateway

import (
	"context"
	"strconv"
	"time"

	"github.com/onecode/onecode/app/input"

	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/journal"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// ListPupilHistory implements apiv1.StaffServiceServer (see renderHistory).
func (s *StaffService) ListPupilHistory(ctx context.Context, req *apiv1.ListPupilHistoryRequest) (*apiv1.ListPupilHistoryResponse, error) {
	pupil, err := s.reachPupil(ctx, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	lines, next, err := renderHistory(ctx, s.d, pupil.AccountID, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &apiv1.ListPupilHistoryResponse{Lines: lines, NextPageToken: next}, nil
}

// GetCanteenTotals implements apiv1.StaffServiceServer: a canteen of the
// caller's school, net turnover per Asia/Shanghai day from from_day to to_day
// inclusive (at most journal.MaxCanteenDays days). Canteen managers, finance
// and school admins.
func (s *StaffService) GetCanteenTotals(ctx context.Context, req *apiv1.GetCanteenTotalsRequest) (*apiv1.GetCanteenTotalsResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteen...)
	if err != nil {
		return nil, err
	}
	c, err := s.reachCanteen(ctx, p, req.GetCanteenId())
	if err != nil {
		return nil, err
	}
	from, err := parseDay("from_day", req.GetFromDay())
	if err != nil {
		return nil, err
	}
	to, err := parseDay("to_day", req.GetToDay())
	if err != nil {
		return nil, err
	}
	end := to.AddDate(0, 0, 1)
	if !from.Before(end) {
		return nil, invalidArg("to_day %s is before from_day %s", req.GetToDay(), req.GetFromDay())
	}
	if days := int(end.Sub(from) / (24 * time.Hour)); days > journal.MaxCanteenDays {
		return nil, invalidArg("%d days, at most %d per query", days, journal.MaxCanteenDays)
	}
	totals, err := s.d.Journal.CanteenDaily(ctx, c.ID, from, end)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	out := &apiv1.GetCanteenTotalsResponse{Days: make([]*apiv1.DayTotal, len(totals))}
	for i, t := range totals {
		out.Days[i] = &apiv1.DayTotal{Day: t.Day.In(card.Zone()).Format("20060102"), Count: t.Count, SumFen: t.Sum}
	}
	return out, nil
}

// parseDay parses YYYYMMDD as midnight in Asia/Shanghai.
func parseDay(what, s string) (time.Time, error) {
	if len(s) != 8 || !input.IsDigits(s) {
		return time.Time{}, invalidArg("%s %q, want YYYYMMDD", what, s)
	}
	d, err := time.ParseInLocation("20060102", s, card.Zone())
	if err != nil {
		return time.Time{}, invalidArg("%s %q is not a real day", what, s)
	}
	if v, _ := strconv.Atoi(s); v < directory.MinCardExpiry {
		return time.Time{}, invalidArg("%s %q is before 2000", what, s)
	}
	return d, nil
}
