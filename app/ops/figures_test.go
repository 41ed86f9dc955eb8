package ops

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/journal"
)

func TestBoardCountsTodayPerTerminal(t *testing.T) {
	c := &clock{t: watchT0}
	b := NewBoard(c.Now)
	b.Connected("T2", "35002", "C9", "pos/2")
	b.Connected("T1", "35001", "C1", "pos/1")
	b.NotePay("T1", true, 1200, "")
	b.NotePay("T1", true, 800, "")
	b.NotePay("T1", false, 0, "INSUFFICIENT_FUNDS")
	b.NotePay("T-unknown", true, 100, "") // not connected: ignored
	got := b.Terminals("35001")
	if len(got) != 1 || got[0].SalesToday != 2 || got[0].SalesFenToday != 2000 || got[0].DeclinesToday["INSUFFICIENT_FUNDS"] != 1 ||
		!got[0].Online || got[0].Software != "pos/1" {
		t.Fatalf("school 35001 = %+v", got)
	}
	if all := b.Terminals(""); len(all) != 2 || all[0].TerminalID != "T1" || all[1].TerminalID != "T2" {
		t.Fatalf("every school = %+v, want T1 then T2", all)
	}
	c.Add(24 * time.Hour) // the next service day starts at zero
	b.Disconnected("T1")
	if got := b.Terminals("35001"); got[0].SalesToday != 0 || len(got[0].DeclinesToday) != 0 || got[0].Online {
		t.Fatalf("next day = %+v", got)
	}
	var none *Board
	none.Connected("T1", "", "", "") // a nil board records nothing
	if none.Terminals("") != nil {
		t.Fatal("nil board lists terminals")
	}
}

func TestJournalFiguresQuantilesAndRate(t *testing.T) {
	c := &clock{t: watchT0}
	sizes := make([]int64, len(journal.BatchSizeBuckets)+1)
	sizes[0], sizes[4] = 90, 10 // 90 batches of 1, 10 of 9..16
	lat := make([]int64, len(journal.FlushBuckets)+1)
	lat[2], lat[len(lat)-1] = 99, 1 // ≤ 2 ms, and one above every bound
	st := journal.WriterStats{Appends: 100, BatchSizes: sizes, FlushLatency: lat, QueueCapacity: 1024}
	s := NewService(Sources{Member: "m1", Journal: func() journal.WriterStats { return st }, Now: c.Now}, nil)
	c.Add(10 * time.Second)
	f, err := s.Journal(operator())
	if err != nil {
		t.Fatal(err)
	}
	if f.BatchP50 != 1 || f.BatchP99 != 16 || f.FlushP50 != 2*time.Millisecond || f.FlushP99 != 2*time.Millisecond || f.CommitsPerSecond != 10 {
		t.Fatalf("figures = %+v", f)
	}
	if _, err := s.Journal(context.Background()); err == nil {
		t.Fatal("journal figures without the operator")
	}
}
