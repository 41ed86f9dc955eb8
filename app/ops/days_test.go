package ops

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/alarms"
	"github.com/onecode/onecode/persistence/alarms/pgalarms"
	"github.com/onecode/onecode/persistence/pgtest"
)

// runMember is one start (run) of a cluster member: its board, watcher and ops
// API on the cluster's one alarm database.
type runMember struct {
	board *Board
	w     *Watcher
	svc   *Service
	store alarms.Store
}

func startRun(t *testing.T, dsn, name, run string, c *clock) *runMember {
	t.Helper()
	store, err := pgalarms.Open(context.Background(), dsn, pgalarms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m := &runMember{board: NewBoard(c.Now), store: store}
	al := NewAlarms(store, nil, c.Now, nil)
	if m.w, err = NewWatcher(WatchConfig{Alarms: al, Member: name, Run: run, Board: m.board, Now: c.Now}); err != nil {
		t.Fatal(err)
	}
	m.svc = NewService(Sources{Member: name, Run: run, Board: m.board, Now: c.Now}, al)
	return m
}

func (m *runMember) check(t *testing.T) {
	t.Helper()
	if err := m.w.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// day1 is the one terminal's figures of today on m's ops API.
func (m *runMember) day1(t *testing.T) TerminalFigures {
	t.Helper()
	list, err := m.svc.Terminals(operator(), "35001")
	if err != nil || len(list) != 1 {
		t.Fatalf("terminals = %+v, %v; want T1", list, err)
	}
	return list[0]
}

func wantDay(t *testing.T, who string, f TerminalFigures, sales, fen int64, declines map[string]int64) {
	t.Helper()
	if f.TerminalID != "T1" || f.SalesToday != sales || f.SalesFenToday != fen || len(f.DeclinesToday) != len(declines) {
		t.Fatalf("%s: T1 today = %d sales, %d fen, declines %v; want %d, %d, %v", who, f.SalesToday, f.SalesFenToday,
			f.DeclinesToday, sales, fen, declines)
	}
	for r, n := range declines {
		if f.DeclinesToday[r] != n {
			t.Fatalf("%s: T1 declines %v, want %v", who, f.DeclinesToday, declines)
		}
	}
}

// TestTerminalDaySharedAcrossMembers: a terminal pays on member A, moves to
// member B, and pays again on A after A restarts (a new run that counts from
// zero). Both members' ops APIs answer the whole day — the sum over members and
// runs, each member's own run live and not counted twice once written — and a
// pay after midnight closes the day with its last counts written.
func TestTerminalDaySharedAcrossMembers(t *testing.T) {
	dsn := pgtest.DSN(t)
	c := &clock{t: watchT0} // 12:00 in Asia/Shanghai
	a := startRun(t, dsn, "m-a", "a1", c)
	b := startRun(t, dsn, "m-b", "b1", c)

	a.board.Connected("T1", "35001", "C1", "pos/1.2")
	a.board.NotePay("T1", true, 1250, "")
	a.board.NotePay("T1", true, 800, "")
	a.board.NotePay("T1", false, 0, "INSUFFICIENT_FUNDS")
	wantDay(t, "A, live", a.day1(t), 2, 2050, map[string]int64{"INSUFFICIENT_FUNDS": 1})
	a.check(t)
	wantDay(t, "A, written", a.day1(t), 2, 2050, map[string]int64{"INSUFFICIENT_FUNDS": 1})
	b.check(t)
	wantDay(t, "B, A's row", b.day1(t), 2, 2050, map[string]int64{"INSUFFICIENT_FUNDS": 1})

	c.Add(time.Minute) // T1 moves to B
	a.board.Disconnected("T1")
	b.board.Connected("T1", "35001", "C1", "pos/1.2")
	b.board.NotePay("T1", true, 500, "")
	b.board.NotePay("T1", false, 0, "DAILY_CAP_EXCEEDED")
	a.check(t)
	b.check(t)
	both := map[string]int64{"INSUFFICIENT_FUNDS": 1, "DAILY_CAP_EXCEEDED": 1}
	wantDay(t, "A", a.day1(t), 3, 2550, both)
	wantDay(t, "B", b.day1(t), 3, 2550, both)

	// A restarts (same member name, a new run) and T1 comes back to it.
	c.Add(time.Minute)
	a2 := startRun(t, dsn, "m-a", "a2", c)
	b.board.Disconnected("T1")
	a2.board.Connected("T1", "35001", "C1", "pos/1.3")
	a2.board.NotePay("T1", true, 1000, "")
	wantDay(t, "A restarted, live", a2.day1(t), 4, 3550, both)
	a2.check(t)
	b.check(t)
	wantDay(t, "A restarted", a2.day1(t), 4, 3550, both)
	wantDay(t, "B", b.day1(t), 4, 3550, both)

	// 23:59, one more sale on A unwritten; after midnight T1's first pay closes the day.
	c.Add(11*time.Hour + 57*time.Minute)
	a2.board.NotePay("T1", true, 300, "")
	yesterday := schoolday.Of(c.Now())
	c.Add(2 * time.Minute)
	a2.board.NotePay("T1", false, 0, "INSUFFICIENT_FUNDS")
	a2.check(t)
	wantDay(t, "A, a new day", a2.day1(t), 0, 0, map[string]int64{"INSUFFICIENT_FUNDS": 1})
	wantDay(t, "B, a new day", b.day1(t), 0, 0, map[string]int64{"INSUFFICIENT_FUNDS": 1})
	rows, err := b.store.Days(context.Background(), yesterday, "35001", alarms.MaxDayRows)
	if err != nil {
		t.Fatal(err)
	}
	var sales, fen int64
	for _, r := range rows {
		sales, fen = sales+r.Sales, fen+r.SalesFen
	}
	if len(rows) != 3 || sales != 5 || fen != 3850 {
		t.Errorf("yesterday's rows %+v: %d rows, %d sales, %d fen; want 3 rows (a1, a2, b1), 5 sales, 3850 fen", rows, len(rows), sales, fen)
	}
}
