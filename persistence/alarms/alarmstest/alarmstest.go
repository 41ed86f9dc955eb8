// Package alarmstest is the conformance suite of alarms.Store: every
// implementation (pgalarms, sqlitealarms) runs it.
package alarmstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/alarms"
)

// Opener returns a new, empty Store.
type Opener func(t *testing.T) alarms.Store

// Run runs the suite; each subtest gets a new Store (closed by the suite).
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		f    func(t *testing.T, s alarms.Store)
	}{
		{"RaiseOnceThenCount", testRaiseDedupe},
		{"ClearReArms", testClearReArms},
		{"Acknowledge", testAcknowledge},
		{"ListAndPage", testList},
		{"OpenKeysByPrefix", testOpenKeys},
		{"Invalid", testInvalid},
		{"ConcurrentRaiseOneAlarm", testConcurrentRaise},
		{"BeatsNewestWins", testBeats},
		{"LeasesOneHolder", testLeases},
		{"TerminalDaysPerMemberAndRun", testTerminalDays},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			tc.f(t, s)
		})
	}
}

var t0 = time.Date(2026, 9, 1, 11, 30, 0, 123456000, time.UTC)

func alarm(key string, at time.Time) alarms.Alarm {
	return alarms.Alarm{Key: key, Kind: "terminal_offline", Level: alarms.Warning, SchoolID: "35001",
		Subject: "T-1", Message: "no heartbeat for 90 s", RaisedAt: at}
}

func raise(t *testing.T, s alarms.Store, a alarms.Alarm) (alarms.Alarm, bool) {
	t.Helper()
	got, created, err := s.Raise(context.Background(), a)
	if err != nil {
		t.Fatalf("Raise(%s): %v", a.Key, err)
	}
	return got, created
}

func testRaiseDedupe(t *testing.T, s alarms.Store) {
	first, created := raise(t, s, alarm("offline/T-1", t0))
	if !created || first.ID == 0 || first.Count != 1 || !first.Open() || !first.RaisedAt.Equal(t0) {
		t.Fatalf("first raise = %+v, created %v", first, created)
	}
	again := alarm("offline/T-1", t0.Add(time.Minute))
	again.Message = "no heartbeat for 150 s"
	second, created := raise(t, s, again)
	if created || second.ID != first.ID || second.Count != 2 || !second.LastSeen.Equal(t0.Add(time.Minute)) ||
		!second.RaisedAt.Equal(t0) || second.Message != again.Message {
		t.Fatalf("second raise = %+v, created %v; want the first alarm counted twice", second, created)
	}
	other, created := raise(t, s, alarm("offline/T-2", t0))
	if !created || other.ID == first.ID {
		t.Fatalf("other key = %+v, created %v", other, created)
	}
}

func testClearReArms(t *testing.T, s alarms.Store) {
	ctx := context.Background()
	first, _ := raise(t, s, alarm("offline/T-1", t0))
	ok, err := s.Clear(ctx, "offline/T-1", t0.Add(time.Minute))
	if err != nil || !ok {
		t.Fatalf("Clear = %v, %v; want true", ok, err)
	}
	if ok, err := s.Clear(ctx, "offline/T-1", t0.Add(2*time.Minute)); err != nil || ok {
		t.Fatalf("second Clear = %v, %v; want false", ok, err)
	}
	got, err := s.Get(ctx, first.ID)
	if err != nil || got.Open() || !got.Cleared.Equal(t0.Add(time.Minute)) {
		t.Fatalf("cleared alarm = %+v, %v", got, err)
	}
	again, created := raise(t, s, alarm("offline/T-1", t0.Add(3*time.Minute)))
	if !created || again.ID == first.ID || again.Count != 1 {
		t.Fatalf("raise after clear = %+v, created %v; want a new alarm", again, created)
	}
}

func testAcknowledge(t *testing.T, s alarms.Store) {
	ctx := context.Background()
	a, _ := raise(t, s, alarm("offline/T-1", t0))
	got, err := s.Acknowledge(ctx, a.ID, "operator", t0.Add(time.Second))
	if err != nil || got.AckedBy != "operator" || !got.AckedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("Acknowledge = %+v, %v", got, err)
	}
	got, err = s.Acknowledge(ctx, a.ID, "someone-else", t0.Add(time.Minute))
	if err != nil || got.AckedBy != "operator" || !got.AckedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("second Acknowledge = %+v, %v; want the first kept", got, err)
	}
	if _, err := s.Acknowledge(ctx, a.ID+1000, "operator", t0); !errors.Is(err, alarms.ErrNotFound) {
		t.Fatalf("Acknowledge(unknown) = %v, want ErrNotFound", err)
	}
	// Still open: an acknowledgement is not a clearance.
	if got, _ := s.Get(ctx, a.ID); !got.Open() {
		t.Fatalf("acknowledged alarm cleared: %+v", got)
	}
}

func testList(t *testing.T, s alarms.Store) {
	ctx := context.Background()
	var ids []int64
	for i := range 5 {
		a, _ := raise(t, s, alarm(fmt.Sprintf("k/%d", i), t0.Add(time.Duration(i)*time.Second)))
		ids = append(ids, a.ID)
	}
	if _, err := s.Clear(ctx, "k/1", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	page, err := s.List(ctx, alarms.Filter{Limit: 2})
	if err != nil || len(page) != 2 || page[0].ID != ids[4] || page[1].ID != ids[3] {
		t.Fatalf("first page = %+v, %v", page, err)
	}
	rest, err := s.List(ctx, alarms.Filter{Limit: 10, BeforeID: page[1].ID})
	if err != nil || len(rest) != 3 || rest[0].ID != ids[2] {
		t.Fatalf("second page = %+v, %v", rest, err)
	}
	open, err := s.List(ctx, alarms.Filter{Limit: 10, OpenOnly: true})
	if err != nil || len(open) != 4 || slices.ContainsFunc(open, func(a alarms.Alarm) bool { return a.ID == ids[1] }) {
		t.Fatalf("open alarms = %+v, %v; want 4 without the cleared one", open, err)
	}
}

func testOpenKeys(t *testing.T, s alarms.Store) {
	ctx := context.Background()
	for _, k := range []string{"offline/T-1", "offline/T-2", "illegal/T-9", "offline_%/x"} {
		raise(t, s, alarm(k, t0))
	}
	if _, err := s.Clear(ctx, "offline/T-2", t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	got, err := s.OpenKeys(ctx, "offline/")
	if err != nil || !slices.Equal(got, []string{"offline/T-1"}) {
		t.Fatalf("OpenKeys(offline/) = %v, %v", got, err)
	}
	got, err = s.OpenKeys(ctx, "offline_%")
	if err != nil || !slices.Equal(got, []string{"offline_%/x"}) {
		t.Fatalf("OpenKeys(offline_%%) = %v, %v", got, err)
	}
}

func testInvalid(t *testing.T, s alarms.Store) {
	ctx := context.Background()
	bad := []alarms.Alarm{
		{},
		func() alarms.Alarm { a := alarm("k", t0); a.Level = "panic"; return a }(),
		func() alarms.Alarm { a := alarm("k", t0); a.Kind = ""; return a }(),
		func() alarms.Alarm { a := alarm("k", time.Time{}); return a }(),
		func() alarms.Alarm { a := alarm(string(make([]byte, alarms.MaxKeyLen+1)), t0); return a }(),
	}
	for i, a := range bad {
		if _, _, err := s.Raise(ctx, a); !errors.Is(err, alarms.ErrInvalid) {
			t.Errorf("Raise(bad %d) = %v, want ErrInvalid", i, err)
		}
	}
	if _, err := s.List(ctx, alarms.Filter{Limit: alarms.MaxListLimit + 1}); !errors.Is(err, alarms.ErrInvalid) {
		t.Errorf("List(huge) = %v, want ErrInvalid", err)
	}
	if got, _ := s.List(ctx, alarms.Filter{Limit: 10}); len(got) != 0 {
		t.Errorf("after bad input: %+v, want nothing written", got)
	}
}

func testConcurrentRaise(t *testing.T, s alarms.Store) {
	const n = 8
	var wg sync.WaitGroup
	created := make(chan bool, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, c, err := s.Raise(context.Background(), alarm("storm/T-1", t0.Add(time.Duration(i)*time.Millisecond)))
			if err != nil {
				t.Errorf("Raise: %v", err)
			}
			created <- c
		}()
	}
	wg.Wait()
	close(created)
	count := 0
	for c := range created {
		if c {
			count++
		}
	}
	list, err := s.List(context.Background(), alarms.Filter{Limit: 10})
	if count != 1 || err != nil || len(list) != 1 || list[0].Count != n {
		t.Fatalf("%d concurrent raises: %d created, list %+v (%v); want one alarm counted %d times", n, count, list, err, n)
	}
}
