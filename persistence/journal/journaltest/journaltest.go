package journaltest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/journal"
)

// Run runs the suite; open returns a new, empty Store for each subtest
// (closed by the suite).
func Run(t *testing.T, open func(t *testing.T) journal.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s journal.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"SeqConflict", testSeqConflict},
		{"DuplicateKey", testDuplicateKey},
		{"ConflictInBatchFailsOnlyItself", testBatchIsolation},
		{"SameAccountTwiceInBatch", testSameAccountInBatch},
		{"GapRefused", testGapRefused},
		{"PostingsWithAnyLedgerName", testLedgerNames},
		{"SnapshotAndTail", testSnapshotTail},
		{"HistoryPagination", testHistory},
		{"CanteenDailyWithVoid", testCanteenDaily},
		{"LedgerAndWallet", testLedger},
		{"ConcurrentAppendersNoFork", testConcurrent},
		{"BadInputWritesNothing", testBadInput},
		{"AuditReader", testAudit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			tc.f(t, s)
		})
	}
}

// base is a fixed instant: 2025-09-01 10:00 Asia/Shanghai.
var base = time.Date(2025, 9, 1, 10, 0, 0, 123456000, journal.CanteenZone)

func ev(typ string, amount int64, merchant string, at time.Time) journal.Event {
	e := journal.Event{Type: typ, Data: []byte(typ + fmt.Sprint(amount)), At: at, Amount: amount, Merchant: merchant}
	if amount != 0 {
		e.Postings = []journal.Posting{{Ledger: "wallet", Amount: amount}, {Ledger: "clearing", Amount: -amount}}
	}
	return e
}

func app(account string, expected int64, events ...journal.Event) journal.Append {
	return journal.Append{Account: account, ExpectedSeq: expected, Events: events}
}

func appendOne(t *testing.T, s journal.Store, a journal.Append) error {
	t.Helper()
	errs := s.AppendBatch(context.Background(), []journal.Append{a})
	if len(errs) != 1 {
		t.Fatalf("AppendBatch returned %d errors for 1 append", len(errs))
	}
	return errs[0]
}

func mustAppend(t *testing.T, s journal.Store, a journal.Append) {
	t.Helper()
	if err := appendOne(t, s, a); err != nil {
		t.Fatalf("append %s@%d: %v", a.Account, a.ExpectedSeq, err)
	}
}

func load(t *testing.T, s journal.Store, account string) (*journal.Snapshot, []journal.Event) {
	t.Helper()
	snap, tail, err := s.Load(context.Background(), account)
	if err != nil {
		t.Fatalf("Load(%s): %v", account, err)
	}
	return snap, tail
}

func seqs(events []journal.Event) []int64 {
	out := make([]int64, len(events))
	for i, e := range events {
		out[i] = e.Seq
	}
	return out
}

func equalSeqs(got, want []int64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func span(from, to int64) []int64 {
	var out []int64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func testRoundTrip(t *testing.T, s journal.Store) {
	want := []journal.Event{ev("ToppedUp", 1000, "", base), ev("Purchased", -350, "canteen-1", base.Add(time.Minute))}
	want[1].Seq = 2 // explicit seqs are accepted when contiguous
	mustAppend(t, s, app("pupil-1", 0, want...))
	snap, got := load(t, s, "pupil-1")
	if snap != nil {
		t.Errorf("got snapshot %+v, want none", snap)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i, g := range got {
		w := want[i]
		if g.Seq != int64(i+1) || g.Type != w.Type || !bytes.Equal(g.Data, w.Data) || !g.At.Equal(w.At.Truncate(time.Microsecond)) ||
			g.Amount != w.Amount || g.Merchant != w.Merchant {
			t.Errorf("event %d: got %+v, want %+v at seq %d", i, g, w, i+1)
		}
	}
	_, other := load(t, s, "pupil-unknown")
	if len(other) != 0 {
		t.Errorf("unknown account: got %d events, want 0", len(other))
	}
}

func testSeqConflict(t *testing.T, s journal.Store) {
	mustAppend(t, s, app("pupil-1", 0, ev("ToppedUp", 500, "", base)))
	for _, expected := range []int64{0, 2, 7} {
		err := appendOne(t, s, app("pupil-1", expected, ev("ToppedUp", 1, "", base)))
		if !errors.Is(err, journal.ErrSeqConflict) {
			t.Errorf("expected seq %d: got %v, want ErrSeqConflict", expected, err)
		}
	}
	if _, tail := load(t, s, "pupil-1"); !equalSeqs(seqs(tail), []int64{1}) {
		t.Errorf("got seqs %v after conflicts, want [1]", seqs(tail))
	}
}

func testDuplicateKey(t *testing.T, s journal.Store) {
	ctx := context.Background()
	a := app("pupil-1", 0, ev("Purchased", -300, "canteen-1", base))
	a.IdemKey, a.Fingerprint, a.Outcome = "pay-1", "fp-1", []byte("outcome-1")
	mustAppend(t, s, a)
	retry := app("pupil-1", 1, ev("Purchased", -300, "canteen-1", base))
	retry.IdemKey, retry.Fingerprint, retry.Outcome = "pay-1", "fp-other", []byte("other")
	err := appendOne(t, s, retry)
	var dup *journal.DuplicateError
	if !errors.Is(err, journal.ErrDuplicateKey) || !errors.As(err, &dup) {
		t.Fatalf("got %v, want *DuplicateError", err)
	}
	if dup.Fingerprint != "fp-1" || !bytes.Equal(dup.Outcome, []byte("outcome-1")) {
		t.Errorf("got stored %q/%q, want fp-1/outcome-1", dup.Fingerprint, dup.Outcome)
	}
	fp, outcome, found, err := s.Command(ctx, "pupil-1", "pay-1")
	if err != nil || !found || fp != "fp-1" || !bytes.Equal(outcome, []byte("outcome-1")) {
		t.Errorf("Command: got %q %q %v %v, want fp-1 outcome-1 true nil", fp, outcome, found, err)
	}
	if _, _, found, err := s.Command(ctx, "pupil-1", "pay-2"); found || err != nil {
		t.Errorf("Command(unknown): got found=%v err=%v, want false nil", found, err)
	}
	// The same key on another account is another command.
	other := app("pupil-2", 0, ev("Purchased", -300, "canteen-1", base))
	other.IdemKey = "pay-1"
	mustAppend(t, s, other)
	if _, tail := load(t, s, "pupil-1"); len(tail) != 1 {
		t.Errorf("got %d events after the duplicate, want 1", len(tail))
	}
}

func testBatchIsolation(t *testing.T, s journal.Store) {
	mustAppend(t, s, app("pupil-b", 0, ev("ToppedUp", 100, "", base)))
	dupSeed := app("pupil-d", 0, ev("ToppedUp", 100, "", base))
	dupSeed.IdemKey = "k"
	mustAppend(t, s, dupSeed)
	dup := app("pupil-d", 1, ev("ToppedUp", 100, "", base))
	dup.IdemKey = "k"
	batch := []journal.Append{
		app("pupil-a", 0, ev("ToppedUp", 100, "", base)),
		app("pupil-b", 0, ev("ToppedUp", 100, "", base)), // conflict
		app("pupil-c", 0, ev("ToppedUp", 100, "", base)),
		app("", 0, ev("ToppedUp", 100, "", base)), // invalid
		dup,
		app("pupil-e", 0, ev("ToppedUp", 100, "", base), ev("ToppedUp", 5, "", base)),
	}
	errs := s.AppendBatch(context.Background(), batch)
	wants := []error{nil, journal.ErrSeqConflict, nil, journal.ErrInvalid, journal.ErrDuplicateKey, nil}
	if len(errs) != len(wants) {
		t.Fatalf("got %d errors, want %d", len(errs), len(wants))
	}
	for i, want := range wants {
		if (want == nil && errs[i] != nil) || (want != nil && !errors.Is(errs[i], want)) {
			t.Errorf("append %d: got %v, want %v", i, errs[i], want)
		}
	}
	for account, want := range map[string][]int64{"pupil-a": {1}, "pupil-b": {1}, "pupil-c": {1}, "pupil-d": {1}, "pupil-e": {1, 2}} {
		if _, tail := load(t, s, account); !equalSeqs(seqs(tail), want) {
			t.Errorf("%s: got seqs %v, want %v", account, seqs(tail), want)
		}
	}
}

func testSameAccountInBatch(t *testing.T, s journal.Store) {
	first := app("pupil-1", 0, ev("ToppedUp", 100, "", base), ev("Purchased", -30, "canteen-1", base))
	first.IdemKey = "k1"
	again := first // a retry of the same command in the same batch
	again.ExpectedSeq = 2
	second := app("pupil-1", 2, ev("Purchased", -20, "canteen-1", base))
	second.IdemKey = "k2"
	stale := app("pupil-1", 0, ev("ToppedUp", 1, "", base))
	errs := s.AppendBatch(context.Background(), []journal.Append{first, again, second, stale})
	if errs[0] != nil || !errors.Is(errs[1], journal.ErrDuplicateKey) || errs[2] != nil || !errors.Is(errs[3], journal.ErrSeqConflict) {
		t.Fatalf("got %v, want [nil duplicate nil conflict]", errs)
	}
	if _, tail := load(t, s, "pupil-1"); !equalSeqs(seqs(tail), []int64{1, 2, 3}) {
		t.Errorf("got seqs %v, want [1 2 3]", seqs(tail))
	}
	if bal, err := s.WalletBalance(context.Background(), "pupil-1"); err != nil || bal != 50 {
		t.Errorf("balance: got %d %v, want 50", bal, err)
	}
}

func testSnapshotTail(t *testing.T, s journal.Store) {
	mustAppend(t, s, app("pupil-1", 0, ev("A", 1, "", base), ev("B", 2, "", base), ev("C", 3, "", base)))
	withSnap := app("pupil-1", 3, ev("D", 4, "", base), ev("E", 5, "", base))
	withSnap.Snapshot = &journal.Snapshot{Seq: 5, Data: []byte("state@5")}
	mustAppend(t, s, withSnap)
	snap, tail := load(t, s, "pupil-1")
	if snap == nil || snap.Seq != 5 || string(snap.Data) != "state@5" || len(tail) != 0 {
		t.Fatalf("got snapshot %+v tail %v, want state@5 and no tail", snap, seqs(tail))
	}
	mustAppend(t, s, app("pupil-1", 5, ev("F", 6, "", base), ev("G", 7, "", base)))
	snap, tail = load(t, s, "pupil-1")
	if snap == nil || snap.Seq != 5 || !equalSeqs(seqs(tail), []int64{6, 7}) || tail[0].Type != "F" {
		t.Fatalf("got snapshot %+v tail %v, want seq 5 and tail [6 7]", snap, seqs(tail))
	}
	midSnap := app("pupil-1", 7, ev("H", 8, "", base), ev("I", 9, "", base))
	midSnap.Snapshot = &journal.Snapshot{Seq: 8, Data: []byte("state@8")}
	mustAppend(t, s, midSnap)
	snap, tail = load(t, s, "pupil-1")
	if snap == nil || snap.Seq != 8 || !equalSeqs(seqs(tail), []int64{9}) {
		t.Fatalf("got snapshot %+v tail %v, want seq 8 and tail [9]", snap, seqs(tail))
	}
}

func testHistory(t *testing.T, s journal.Store) {
	ctx := context.Background()
	for i := range 5 {
		var events []journal.Event
		for j := range 5 {
			events = append(events, ev("ToppedUp", int64(i*5+j+1), "", base))
		}
		mustAppend(t, s, app("pupil-1", int64(i*5), events...))
	}
	var got [][]int64
	before := int64(0)
	for range 10 { // bounded: 25 events in pages of 10
		page, err := s.History(ctx, "pupil-1", before, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, seqs(page))
		before = page[len(page)-1].Seq
	}
	want := [][]int64{{25, 24, 23, 22, 21, 20, 19, 18, 17, 16}, {15, 14, 13, 12, 11, 10, 9, 8, 7, 6}, {5, 4, 3, 2, 1}}
	if len(got) != len(want) {
		t.Fatalf("got pages %v, want %v", got, want)
	}
	for i := range want {
		if !equalSeqs(got[i], want[i]) {
			t.Errorf("page %d: got %v, want %v", i, got[i], want[i])
		}
	}
	for _, limit := range []int{0, -1, journal.MaxHistoryLimit + 1, 1 << 30} {
		if _, err := s.History(ctx, "pupil-1", 0, limit); !errors.Is(err, journal.ErrInvalid) {
			t.Errorf("limit %d: got %v, want ErrInvalid", limit, err)
		}
	}
	if page, err := s.History(ctx, "pupil-1", 0, journal.MaxHistoryLimit); err != nil || len(page) != 25 {
		t.Errorf("max limit: got %d events, %v; want 25", len(page), err)
	}
}

func testCanteenDaily(t *testing.T, s journal.Store) {
	ctx := context.Background()
	day1 := time.Date(2025, 9, 1, 0, 0, 0, 0, journal.CanteenZone)
	day2 := day1.AddDate(0, 0, 1)
	// 23:30 Shanghai is still day 1 although it is 15:30 UTC.
	mustAppend(t, s, app("pupil-1", 0,
		ev("ToppedUp", 10000, "", day1.Add(7*time.Hour)),
		ev("Purchased", -500, "canteen-1", day1.Add(12*time.Hour)),
		ev("Purchased", -700, "canteen-1", day1.Add(23*time.Hour+30*time.Minute)),
		ev("Purchased", -900, "canteen-2", day1.Add(12*time.Hour)),
		ev("Purchased", -400, "canteen-1", day2.Add(8*time.Hour)),
		ev("Voided", 400, "canteen-1", day2.Add(8*time.Hour+time.Minute)),
		ev("Purchased", -250, "canteen-1", day2.Add(9*time.Hour)),
	))
	mustAppend(t, s, app("pupil-2", 0, ev("Purchased", -100, "canteen-1", day2.Add(time.Minute))))
	got, err := s.CanteenDaily(ctx, "canteen-1", day1, day2.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	want := []journal.DayTotal{{Day: day1, Count: 2, Sum: 1200}, {Day: day2, Count: 2, Sum: 350}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].Day.Equal(want[i].Day) || got[i].Count != want[i].Count || got[i].Sum != want[i].Sum {
			t.Errorf("day %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if got, err := s.CanteenDaily(ctx, "canteen-1", day2, day2.AddDate(0, 0, 1)); err != nil || len(got) != 1 {
		t.Errorf("day 2 only: got %+v %v, want one day", got, err)
	}
	for _, bad := range [][2]time.Time{{day2, day1}, {day1, day1.AddDate(2, 0, 0)}} {
		if _, err := s.CanteenDaily(ctx, "canteen-1", bad[0], bad[1]); !errors.Is(err, journal.ErrInvalid) {
			t.Errorf("range %v: got %v, want ErrInvalid", bad, err)
		}
	}
}

func testLedger(t *testing.T, s journal.Store) {
	ctx := context.Background()
	mustAppend(t, s, app("pupil-1", 0, ev("ToppedUp", 1000, "", base), ev("Purchased", -300, "canteen-1", base)))
	three := ev("Purchased", -200, "canteen-1", base)
	three.Postings = []journal.Posting{{Ledger: "wallet", Amount: -200}, {Ledger: "canteen", Amount: 150}, {Ledger: "fees", Amount: 50}}
	mustAppend(t, s, app("pupil-1", 2, three))
	mustAppend(t, s, app("pupil-2", 0, ev("ToppedUp", 50, "", base)))
	if sum, err := s.LedgerSum(ctx); err != nil || sum != 0 {
		t.Errorf("LedgerSum: got %d %v, want 0", sum, err)
	}
	for account, want := range map[string]int64{"pupil-1": 500, "pupil-2": 50, "pupil-3": 0} {
		if got, err := s.WalletBalance(ctx, account); err != nil || got != want {
			t.Errorf("WalletBalance(%s): got %d %v, want %d", account, got, err, want)
		}
	}
}

// testConcurrent: many goroutines append to one account, each at the seq it
// last saw, until it holds total events; exactly one wins each seq and the
// journal has no gap or fork.
func testConcurrent(t *testing.T, s journal.Store) {
	const workers, total, maxTries = 8, 40, 2000
	ctx := context.Background()
	var mu sync.Mutex
	won := make(map[int64]string)
	var errs []error
	report := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen := int64(0)
			for try := range maxTries {
				if seen >= total {
					return
				}
				name := fmt.Sprintf("w%d-t%d", w, try)
				a := app("hot", seen, journal.Event{Type: "T", Data: []byte(name), At: base})
				err := s.AppendBatch(ctx, []journal.Append{a})[0]
				switch {
				case err == nil:
					mu.Lock()
					if prev, dup := won[seen+1]; dup {
						errs = append(errs, fmt.Errorf("seq %d won twice: %s and %s", seen+1, prev, name))
					}
					won[seen+1] = name
					mu.Unlock()
					seen++
				case errors.Is(err, journal.ErrSeqConflict):
					_, tail, err := s.Load(ctx, "hot")
					if err != nil {
						report(err)
						return
					}
					seen = int64(len(tail))
				default:
					report(err)
					return
				}
			}
			report(fmt.Errorf("worker %d: journal not at %d after %d tries", w, total, maxTries))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	_, tail := load(t, s, "hot")
	if !equalSeqs(seqs(tail), span(1, total)) {
		t.Fatalf("got seqs %v, want 1..%d", seqs(tail), total)
	}
	for _, e := range tail {
		if won[e.Seq] != string(e.Data) {
			t.Errorf("seq %d: journal has %q, winner was %q", e.Seq, e.Data, won[e.Seq])
		}
	}
	if len(won) != total {
		t.Errorf("got %d winning appends, want %d", len(won), total)
	}
}

func testBadInput(t *testing.T, s journal.Store) {
	ctx := context.Background()
	good := func() journal.Append { return app("pupil-1", 0, ev("ToppedUp", 100, "", base)) }
	tests := []struct {
		name   string
		mutate func(*journal.Append)
	}{
		{"empty account", func(a *journal.Append) { a.Account = "" }},
		{"huge account", func(a *journal.Append) { a.Account = string(make([]byte, journal.MaxAccountLen+1)) }},
		{"negative expected seq", func(a *journal.Append) { a.ExpectedSeq = -1 }},
		{"no events", func(a *journal.Append) { a.Events = nil }},
		{"non-contiguous seq", func(a *journal.Append) {
			a.Events = append(a.Events, ev("ToppedUp", 1, "", base))
			a.Events[1].Seq = 3
		}},
		{"wrong first seq", func(a *journal.Append) { a.Events[0].Seq = 2 }},
		{"unbalanced postings", func(a *journal.Append) { a.Events[0].Postings[1].Amount = -99 }},
		{"zero posting", func(a *journal.Append) {
			a.Events[0].Postings = append(a.Events[0].Postings, journal.Posting{Ledger: "x"})
		}},
		{"posting without ledger", func(a *journal.Append) { a.Events[0].Postings[0].Ledger = "" }},
		{"no type", func(a *journal.Append) { a.Events[0].Type = "" }},
		{"no time", func(a *journal.Append) { a.Events[0].At = time.Time{} }},
		{"snapshot beyond appended", func(a *journal.Append) { a.Snapshot = &journal.Snapshot{Seq: 2} }},
		{"snapshot at expected", func(a *journal.Append) { a.Snapshot = &journal.Snapshot{Seq: 0} }},
	}
	for _, tc := range tests {
		a := good()
		tc.mutate(&a)
		if err := appendOne(t, s, a); !errors.Is(err, journal.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", tc.name, err)
		}
	}
	big := make([]journal.Append, journal.MaxBatch+1)
	for i := range big {
		big[i] = good()
	}
	for i, err := range s.AppendBatch(ctx, big) {
		if !errors.Is(err, journal.ErrInvalid) {
			t.Fatalf("oversized batch, append %d: got %v, want ErrInvalid", i, err)
		}
	}
	if _, tail := load(t, s, "pupil-1"); len(tail) != 0 {
		t.Errorf("got %d events after bad input, want 0", len(tail))
	}
	if sum, err := s.LedgerSum(ctx); err != nil || sum != 0 {
		t.Errorf("LedgerSum: got %d %v, want 0", sum, err)
	}
	if _, _, err := s.Load(ctx, ""); !errors.Is(err, journal.ErrInvalid) {
		t.Errorf("Load(\"\"): got %v, want ErrInvalid", err)
	}
	if _, err := s.History(ctx, "", 0, 10); !errors.Is(err, journal.ErrInvalid) {
		t.Errorf("History(\"\"): got %v, want ErrInvalid", err)
	}
}

// testGapRefused: an append whose expected seq is ahead of the account's head
// would leave a gap; it conflicts and writes nothing, alone or chained.
func testGapRefused(t *testing.T, s journal.Store) {
	mustAppend(t, s, app("pupil-g", 0, ev("ToppedUp", 100, "", base)))
	ahead := app("pupil-g", 2, ev("Purchased", -10, "canteen-1", base))
	onAhead := app("pupil-g", 3, ev("Purchased", -10, "canteen-1", base))
	fresh := app("pupil-h", 1, ev("ToppedUp", 100, "", base)) // a new account starts at 0
	ok := app("pupil-i", 0, ev("ToppedUp", 100, "", base))
	errs := s.AppendBatch(context.Background(), []journal.Append{ahead, onAhead, fresh, ok})
	if !errors.Is(errs[0], journal.ErrSeqConflict) || !errors.Is(errs[1], journal.ErrSeqConflict) ||
		!errors.Is(errs[2], journal.ErrSeqConflict) || errs[3] != nil {
		t.Fatalf("got %v, want [conflict conflict conflict nil]", errs)
	}
	for account, want := range map[string][]int64{"pupil-g": {1}, "pupil-h": nil, "pupil-i": {1}} {
		if _, tail := load(t, s, account); !equalSeqs(seqs(tail), want) {
			t.Errorf("%s: got seqs %v, want %v", account, seqs(tail), want)
		}
	}
}

// testLedgerNames: ledger names are opaque text, quotes and commas included,
// and the ledger still sums to zero.
func testLedgerNames(t *testing.T, s journal.Store) {
	e := ev("ToppedUp", 100, "", base)
	e.Postings = []journal.Posting{{Ledger: `wallet "a", {b}\\c`, Amount: 100}, {Ledger: "clearing,1", Amount: -60}, {Ledger: "中文", Amount: -40}}
	mustAppend(t, s, app("pupil-l", 0, e))
	if sum, err := s.LedgerSum(context.Background()); err != nil || sum != 0 {
		t.Fatalf("LedgerSum: got %d %v, want 0", sum, err)
	}
}
