package alarmstest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/alarms"
)

func days(t *testing.T, s alarms.Store, day schoolday.Date, school string) []alarms.TerminalDay {
	t.Helper()
	got, err := s.Days(context.Background(), day, school, alarms.MaxDayRows)
	if err != nil {
		t.Fatalf("Days(%v, %q): %v", day, school, err)
	}
	return got
}

// testTerminalDays: one row per (day, terminal, member, run); a run's later
// counts replace its earlier ones, a late write of older counts changes nothing,
// other members and runs keep their own rows; Days answers a day (of a school),
// PruneDays drops the days before one.
func testTerminalDays(t *testing.T, s alarms.Store) {
	ctx := context.Background()
	d1, d2 := schoolday.NewDate(2026, 9, 1), schoolday.NewDate(2026, 9, 2)
	row := func(day schoolday.Date, term, member, run string, sales int64, declines map[string]int64) alarms.TerminalDay {
		return alarms.TerminalDay{Day: day, TerminalID: term, SchoolID: "35001", Member: member, Run: run,
			Sales: sales, SalesFen: 1250 * sales, Declines: declines, UpdatedAt: t0}
	}
	write := func(rows ...alarms.TerminalDay) {
		t.Helper()
		if err := s.WriteDays(ctx, rows); err != nil {
			t.Fatalf("WriteDays: %v", err)
		}
	}
	write(row(d1, "T-1", "m1", "r1", 3, map[string]int64{"INSUFFICIENT_FUNDS": 1}),
		row(d1, "T-1", "m2", "r7", 2, nil),
		row(d2, "T-1", "m1", "r1", 9, nil))
	write(row(d1, "T-1", "m1", "r1", 5, map[string]int64{"INSUFFICIENT_FUNDS": 2})) // the run counted on
	write(row(d1, "T-1", "m1", "r1", 4, map[string]int64{"INSUFFICIENT_FUNDS": 2})) // a late, older write
	write(row(d1, "T-1", "m1", "r2", 1, map[string]int64{"DAILY_CAP_EXCEEDED": 1})) // m1 restarted
	other := row(d1, "T-9", "m1", "r1", 7, nil)
	other.SchoolID = "35002"
	write(other)

	got := days(t, s, d1, "35001")
	if len(got) != 3 {
		t.Fatalf("day 1 of 35001 = %+v, want 3 rows (m1 r1, m1 r2, m2 r7)", got)
	}
	want := []struct {
		member, run   string
		sales, refuse int64
	}{{"m1", "r1", 5, 2}, {"m1", "r2", 1, 1}, {"m2", "r7", 2, 0}}
	for i, w := range want {
		g := got[i]
		if g.Member != w.member || g.Run != w.run || g.Sales != w.sales || g.SalesFen != 1250*w.sales || g.DeclineTotal() != w.refuse ||
			g.Day != d1 || g.TerminalID != "T-1" || !g.UpdatedAt.Equal(t0.Truncate(1000)) {
			t.Errorf("row %d = %+v, want %s/%s with %d sales, %d declines", i, g, w.member, w.run, w.sales, w.refuse)
		}
	}
	if got[0].Declines["INSUFFICIENT_FUNDS"] != 2 || got[1].Declines["DAILY_CAP_EXCEEDED"] != 1 || len(got[2].Declines) != 0 {
		t.Errorf("declines by reason: %v, %v, %v", got[0].Declines, got[1].Declines, got[2].Declines)
	}
	if all := days(t, s, d1, ""); len(all) != 4 || all[3].TerminalID != "T-9" {
		t.Errorf("day 1 of every school = %+v, want 4 rows", all)
	}
	if got := days(t, s, d2, ""); len(got) != 1 || got[0].Sales != 9 {
		t.Errorf("day 2 = %+v", got)
	}

	// Many rows in one call (several statements).
	many := make([]alarms.TerminalDay, 0, 450)
	for i := range 450 {
		many = append(many, row(d2, fmt.Sprintf("M-%04d", i), "m3", "r1", int64(i), nil))
	}
	write(many...)
	if got := days(t, s, d2, "35001"); len(got) != 451 || got[450].TerminalID != "T-1" {
		t.Errorf("day 2 after %d rows: %d rows", len(many), len(got))
	}

	if n, err := s.PruneDays(ctx, d2); err != nil || n != 4 {
		t.Errorf("PruneDays(before day 2) = %d, %v; want the 4 rows of day 1", n, err)
	}
	if got := days(t, s, d1, ""); len(got) != 0 {
		t.Errorf("day 1 after pruning = %+v", got)
	}

	bad := []alarms.TerminalDay{
		{Day: 20260231, TerminalID: "T-1", Member: "m1", Run: "r1"},
		{Day: d1, Member: "m1", Run: "r1"},
		{Day: d1, TerminalID: "T-1", Run: "r1"},
		{Day: d1, TerminalID: "T-1", Member: "m1"},
		{Day: d1, TerminalID: "T-1", Member: "m1", Run: "r1", Sales: -1},
		{Day: d1, TerminalID: "T-1", Member: "m1", Run: "r1", Declines: map[string]int64{"": 1}},
	}
	for _, b := range bad {
		if err := s.WriteDays(ctx, []alarms.TerminalDay{b}); !errors.Is(err, alarms.ErrInvalid) {
			t.Errorf("WriteDays(%+v) = %v, want ErrInvalid", b, err)
		}
	}
	twice := row(d1, "T-1", "m1", "r1", 1, nil)
	if err := s.WriteDays(ctx, []alarms.TerminalDay{twice, twice}); !errors.Is(err, alarms.ErrInvalid) {
		t.Errorf("one row twice = %v, want ErrInvalid", err)
	}
	if _, err := s.Days(ctx, d1, "", 0); !errors.Is(err, alarms.ErrInvalid) {
		t.Errorf("Days limit 0 = %v", err)
	}
}
