package history

import (
	"context"
	"strconv"
	"time"

	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/journal"
)

// MaxCanteenDays bounds the days of one CanteenTotals query.
const MaxCanteenDays = journal.MaxCanteenDays

// DayTotal is a canteen's net turnover on one school day.
type DayTotal struct {
	Day    schoolday.Date
	Count  int64 // purchases minus voids
	SumFen int64 // paid to the canteen, net of voids
}

// CanteenTotals answers a canteen's net turnover per school day from fromDay to
// toDay (YYYYMMDD) inclusive, at most MaxCanteenDays days, oldest first, days
// without sales omitted. The caller has checked that it may reach the canteen.
func (s *Service) CanteenTotals(ctx context.Context, canteenID, fromDay, toDay string) ([]DayTotal, error) {
	from, err := parseDay("from_day", fromDay)
	if err != nil {
		return nil, err
	}
	to, err := parseDay("to_day", toDay)
	if err != nil {
		return nil, err
	}
	end := to.AddDate(0, 0, 1)
	if !from.Before(end) {
		return nil, reason.Invalid(reason.InvalidArgument, "to_day %s is before from_day %s", toDay, fromDay)
	}
	if days := int(end.Sub(from) / (24 * time.Hour)); days > MaxCanteenDays {
		return nil, reason.Invalid(reason.InvalidArgument, "%d days, at most %d per query", days, MaxCanteenDays)
	}
	totals, err := s.journal.CanteenDaily(ctx, canteenID, from, end)
	if err != nil {
		return nil, err
	}
	out := make([]DayTotal, len(totals))
	for i, t := range totals {
		out[i] = DayTotal{Day: schoolday.Of(t.Day), Count: t.Count, SumFen: t.Sum}
	}
	return out, nil
}

// parseDay parses YYYYMMDD as the start of that school day; what names the field.
func parseDay(what, s string) (time.Time, error) {
	if len(s) != len(schoolday.Layout) || !input.IsDigits(s) {
		return time.Time{}, reason.Invalid(reason.InvalidArgument, "%s %q, want YYYYMMDD", what, s)
	}
	d, err := schoolday.Parse(s)
	if err != nil {
		return time.Time{}, reason.Invalid(reason.InvalidArgument, "%s %q is not a real day", what, s)
	}
	if v, _ := strconv.Atoi(s); v < directory.MinCardExpiry {
		return time.Time{}, reason.Invalid(reason.InvalidArgument, "%s %q is before 2000", what, s)
	}
	return d, nil
}
