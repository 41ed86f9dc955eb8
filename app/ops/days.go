package ops

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/alarms"
)

// Terminals' sales and declines per day, shared across members: each member
// writes its board's day counts (its own run's) to the alarm store with the
// heartbeats, and the ops API sums the rows of every member and run, so a
// terminal that paid on two members, or on one before and after a restart,
// shows its whole day wherever the operator asks.

// keepDays is how long the day rows are kept.
const keepDays = 92

// pruneEvery is how often a member deletes the rows older than keepDays.
const pruneEvery = time.Hour

// maxPendingDays bounds the closed days waiting for a write that keeps failing.
const maxPendingDays = 10_000

// dayCount is what this member last wrote of a terminal's day (one per terminal
// of the board, which is bounded).
type dayCount struct {
	day             schoolday.Date
	sales, declines int64
}

// writeDays writes the day counts of this member's terminals that changed since
// the last write, and the days the board closed; every pruneEvery it deletes
// the days older than keepDays.
func (w *Watcher) writeDays(ctx context.Context) error {
	open, closed := w.c.Board.Days()
	now := w.c.Now()
	w.mu.Lock()
	w.pendingDays = append(w.pendingDays, closed...)
	if n := len(w.pendingDays) - maxPendingDays; n > 0 {
		w.pendingDays = w.pendingDays[n:]
	}
	rows := make([]alarms.TerminalDay, 0, len(w.pendingDays)+len(open))
	at := map[[2]string]int{}
	add := func(f TerminalFigures) {
		r := w.dayRow(f, now)
		k := [2]string{r.Day.String(), r.TerminalID}
		if i, ok := at[k]; ok { // a clock that went back: keep the larger count
			if r.Sales+r.DeclineTotal() > rows[i].Sales+rows[i].DeclineTotal() {
				rows[i] = r
			}
			return
		}
		at[k] = len(rows)
		rows = append(rows, r)
	}
	for _, f := range w.pendingDays {
		add(f)
	}
	for _, f := range open {
		if c, ok := w.dayWritten[f.TerminalID]; !ok || c != (dayCount{f.Day, f.SalesToday, total(f.DeclinesToday)}) {
			add(f)
		}
	}
	pending := len(w.pendingDays)
	prune := now.Sub(w.prunedAt) >= pruneEvery
	w.mu.Unlock()
	for len(rows) > 0 {
		n := min(len(rows), alarms.MaxDayRows)
		if err := w.c.Alarms.store.WriteDays(ctx, rows[:n]); err != nil {
			return fmt.Errorf("ops: terminal days: %w", err)
		}
		rows = rows[n:]
	}
	w.mu.Lock()
	w.pendingDays = w.pendingDays[pending:]
	for _, f := range open {
		w.dayWritten[f.TerminalID] = dayCount{f.Day, f.SalesToday, total(f.DeclinesToday)}
	}
	if prune {
		w.prunedAt = now
	}
	w.mu.Unlock()
	if !prune {
		return nil
	}
	if _, err := w.c.Alarms.store.PruneDays(ctx, schoolday.Of(now.AddDate(0, 0, -keepDays))); err != nil {
		return fmt.Errorf("ops: prune terminal days: %w", err)
	}
	return nil
}

func (w *Watcher) dayRow(f TerminalFigures, now time.Time) alarms.TerminalDay {
	return alarms.TerminalDay{Day: f.Day, TerminalID: f.TerminalID, SchoolID: f.SchoolID, Member: clip(w.c.Member),
		Run: w.c.Run, Sales: f.SalesToday, SalesFen: f.SalesFenToday, Declines: f.DeclinesToday, UpdatedAt: now}
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// sumDays sets the figures of today of each terminal of list to the sum over
// every member and run (rows of today), this member's own run (self, run)
// counting its live board figures (list, as the board gave them) rather than its
// last written row; with no run, every row of self is left out (the board has
// the live figures of this start; earlier starts are not counted). Terminals
// that only paid elsewhere are added.
func sumDays(list []TerminalFigures, rows []alarms.TerminalDay, self, run string) []TerminalFigures {
	at := make(map[string]int, len(list))
	for i := range list {
		at[list[i].TerminalID] = i
		if list[i].DeclinesToday == nil {
			list[i].DeclinesToday = map[string]int64{}
		}
	}
	for _, r := range rows {
		if r.Member == self && (run == "" || r.Run == run) {
			continue
		}
		i, ok := at[r.TerminalID]
		if !ok {
			list = append(list, TerminalFigures{TerminalID: r.TerminalID, SchoolID: r.SchoolID, Member: r.Member,
				DeclinesToday: map[string]int64{}})
			i = len(list) - 1
			at[r.TerminalID] = i
		}
		f := &list[i]
		f.Day = r.Day
		f.SalesToday += r.Sales
		f.SalesFenToday += r.SalesFen
		for k, v := range r.Declines {
			if len(f.DeclinesToday) < maxLabels || f.DeclinesToday[k] > 0 {
				f.DeclinesToday[k] += v
			} else {
				f.DeclinesToday["other"] += v
			}
		}
	}
	slices.SortFunc(list, func(x, y TerminalFigures) int { return strings.Compare(x.TerminalID, y.TerminalID) })
	return list
}
