package alarmstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/alarms"
)

func silent(t *testing.T, s alarms.Store, since, before time.Time) []alarms.Beat {
	t.Helper()
	got, err := s.Silent(context.Background(), since, before, alarms.MaxBeats)
	if err != nil {
		t.Fatalf("Silent: %v", err)
	}
	return got
}

// testBeats: the newer beat of a terminal wins, whoever wrote it; Silent answers
// the terminals last seen in a window, oldest first.
func testBeats(t *testing.T, s alarms.Store) {
	ctx := context.Background()
	if err := s.Beat(ctx, []alarms.Beat{
		{TerminalID: "T-1", SchoolID: "35001", Member: "m1", Online: true, LastSeen: t0},
		{TerminalID: "T-2", SchoolID: "35001", Member: "m1", Online: true, LastSeen: t0.Add(time.Second)},
	}); err != nil {
		t.Fatal(err)
	}
	// T-1 moves to m2 and is seen later; m1's stale view (disconnected at t0) loses.
	if err := s.Beat(ctx, []alarms.Beat{{TerminalID: "T-1", SchoolID: "35001", Member: "m2", Online: true, LastSeen: t0.Add(time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Beat(ctx, []alarms.Beat{{TerminalID: "T-1", SchoolID: "35001", Member: "m1", Online: false, LastSeen: t0}}); err != nil {
		t.Fatal(err)
	}
	got := silent(t, s, time.Unix(1, 0), t0.Add(time.Hour))
	if len(got) != 2 || got[0].TerminalID != "T-2" || got[1].TerminalID != "T-1" {
		t.Fatalf("Silent = %+v, want T-2 then T-1", got)
	}
	if b := got[1]; b.Member != "m2" || !b.Online || !b.LastSeen.Equal(t0.Add(time.Minute).Truncate(time.Microsecond)) || b.SchoolID != "35001" {
		t.Errorf("T-1 = %+v, want m2's newer beat", b)
	}
	// A disconnect at the same instant as the last beat is the member's news.
	if err := s.Beat(ctx, []alarms.Beat{{TerminalID: "T-2", SchoolID: "35001", Member: "m1", Online: false, LastSeen: t0.Add(time.Second)}}); err != nil {
		t.Fatal(err)
	}
	if got := silent(t, s, t0, t0.Add(30*time.Second)); len(got) != 1 || got[0].Online {
		t.Errorf("window [t0, t0+30s) = %+v, want T-2 offline", got)
	}
	if got := silent(t, s, t0.Add(2*time.Minute), t0.Add(time.Hour)); len(got) != 0 {
		t.Errorf("empty window = %+v", got)
	}
	// One call of many beats (several statements), a terminal twice: its later beat.
	many := make([]alarms.Beat, 0, alarms.MaxBeats)
	for i := range alarms.MaxBeats - 1 {
		many = append(many, alarms.Beat{TerminalID: fmt.Sprintf("M-%04d", i), SchoolID: "35002", Member: "m3", LastSeen: t0.Add(2 * time.Hour)})
	}
	many = append(many, alarms.Beat{TerminalID: "M-0000", SchoolID: "35002", Member: "m3", Online: true, LastSeen: t0.Add(3 * time.Hour)})
	if err := s.Beat(ctx, many); err != nil {
		t.Fatal(err)
	}
	got = silent(t, s, t0.Add(2*time.Hour), t0.Add(4*time.Hour))
	if len(got) != alarms.MaxBeats-1 || got[len(got)-1].TerminalID != "M-0000" || !got[len(got)-1].Online {
		t.Errorf("after one call of %d beats: %d silent, last %+v", len(many), len(got), got[len(got)-1])
	}
	for _, bad := range [][]alarms.Beat{{{TerminalID: "", LastSeen: t0}}, {{TerminalID: "T-3"}}, make([]alarms.Beat, alarms.MaxBeats+1)} {
		if err := s.Beat(ctx, bad); !errors.Is(err, alarms.ErrInvalid) {
			t.Errorf("Beat(%d invalid) = %v, want ErrInvalid", len(bad), err)
		}
	}
	if _, err := s.Silent(ctx, t0, t0, 0); !errors.Is(err, alarms.ErrInvalid) {
		t.Errorf("Silent limit 0 = %v", err)
	}
}

// testLeases: one holder at a time; renewals; takeover after expiry; release.
func testLeases(t *testing.T, s alarms.Store) {
	ctx := context.Background()
	acquire := func(holder string, at time.Time, want bool) {
		t.Helper()
		got, err := s.AcquireLease(ctx, "auditor", holder, 30*time.Second, at)
		if err != nil || got != want {
			t.Fatalf("AcquireLease(%s at +%v) = %v, %v; want %v", holder, at.Sub(t0), got, err, want)
		}
	}
	acquire("m1", t0, true)
	acquire("m2", t0.Add(time.Second), false)
	acquire("m1", t0.Add(20*time.Second), true) // renewed to +50 s
	acquire("m2", t0.Add(40*time.Second), false)
	acquire("m2", t0.Add(50*time.Second), true) // m1 stopped renewing
	acquire("m1", t0.Add(51*time.Second), false)
	if err := s.ReleaseLease(ctx, "auditor", "m1"); err != nil { // not m1's: nothing
		t.Fatal(err)
	}
	acquire("m1", t0.Add(52*time.Second), false)
	if err := s.ReleaseLease(ctx, "auditor", "m2"); err != nil {
		t.Fatal(err)
	}
	acquire("m1", t0.Add(53*time.Second), true)
	if ok, err := s.AcquireLease(ctx, "other-job", "m2", time.Second, t0); !ok || err != nil {
		t.Errorf("another lease name: %v %v", ok, err)
	}
	if _, err := s.AcquireLease(ctx, "auditor", "m1", 0, t0); !errors.Is(err, alarms.ErrInvalid) {
		t.Errorf("ttl 0 = %v", err)
	}

	// Concurrent claimants of a free lease: exactly one wins.
	var wg sync.WaitGroup
	wins := make(chan string, 8)
	at := t0.Add(time.Hour)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holder := "c" + string(rune('0'+i))
			ok, err := s.AcquireLease(ctx, "race", holder, time.Minute, at)
			if err != nil && !errors.Is(err, alarms.ErrConflict) {
				t.Errorf("%s: %v", holder, err)
			}
			if ok {
				wins <- holder
			}
		}()
	}
	wg.Wait()
	close(wins)
	if n := len(wins); n != 1 {
		t.Errorf("%d concurrent claimants won the lease, want 1", n)
	}
}
