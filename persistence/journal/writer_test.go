package journal_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/journal/pgjournal"
	"github.com/onecode/onecode/persistence/journal/sqlitejournal"
	"github.com/onecode/onecode/persistence/pgtest"
)

var at = time.Date(2025, 9, 1, 12, 0, 0, 0, journal.CanteenZone)

func topUp(account string, expected int64, key string) journal.Append {
	return journal.Append{Account: account, ExpectedSeq: expected, IdemKey: key, Fingerprint: "fp-" + key, Outcome: []byte("ok-" + key),
		Events: []journal.Event{{Type: "ToppedUp", Data: []byte("x"), At: at, Amount: 10,
			Postings: []journal.Posting{{Ledger: "wallet", Amount: 10}, {Ledger: "cash", Amount: -10}}}}}
}

func stores(t *testing.T) map[string]func(t *testing.T) journal.Store {
	return map[string]func(t *testing.T) journal.Store{
		"sqlite": func(t *testing.T) journal.Store {
			s, err := sqlitejournal.Open(context.Background(), filepath.Join(t.TempDir(), "j.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
		"postgres": func(t *testing.T) journal.Store {
			s, err := pgjournal.Open(context.Background(), pgtest.DSN(t), pgjournal.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
}

func newWriter(t *testing.T, s journal.Store, opts journal.WriterOptions) *journal.Writer {
	t.Helper()
	w, err := journal.NewWriter(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// TestWriterConcurrentAppends: many callers, each gets its own result;
// conflicts and duplicates fail only their own append.
func TestWriterConcurrentAppends(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			w := newWriter(t, s, journal.WriterOptions{MaxBatch: 16, MaxDelay: 5 * time.Millisecond})
			const accounts, perAccount = 20, 5
			ctx := context.Background()
			var wg sync.WaitGroup
			errc := make(chan error, accounts*2)
			for a := range accounts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					account := fmt.Sprintf("pupil-%d", a)
					for seq := range int64(perAccount) {
						key := fmt.Sprintf("k%d", seq)
						if err := w.Append(ctx, topUp(account, seq, key)); err != nil {
							errc <- fmt.Errorf("%s@%d: %w", account, seq, err)
							return
						}
					}
					// A stale writer and a retried command fail alone.
					if err := w.Append(ctx, topUp(account, 0, "other")); !errors.Is(err, journal.ErrSeqConflict) {
						errc <- fmt.Errorf("%s stale: got %v, want ErrSeqConflict", account, err)
					}
					var dup *journal.DuplicateError
					if err := w.Append(ctx, topUp(account, perAccount, "k0")); !errors.As(err, &dup) || string(dup.Outcome) != "ok-k0" {
						errc <- fmt.Errorf("%s retry: got %v, want duplicate with outcome ok-k0", account, err)
					}
				}()
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				t.Error(err)
			}
			for a := range accounts {
				if bal, err := s.WalletBalance(ctx, fmt.Sprintf("pupil-%d", a)); err != nil || bal != 10*perAccount {
					t.Errorf("pupil-%d: got balance %d %v, want %d", a, bal, err, 10*perAccount)
				}
			}
			if sum, err := s.LedgerSum(ctx); err != nil || sum != 0 {
				t.Errorf("LedgerSum: got %d %v, want 0", sum, err)
			}
		})
	}
}

// gate is a Store whose AppendBatch waits until released, to fill the queue
// deterministically.
type gate struct {
	journal.Store
	entered chan int
	release chan struct{}
}

func (g *gate) AppendBatch(ctx context.Context, b []journal.Append) []error {
	g.entered <- len(b)
	<-g.release
	return g.Store.AppendBatch(ctx, b)
}

func TestWriterQueueFullAndBatching(t *testing.T) {
	open := stores(t)["sqlite"]
	store := open(t)
	g := &gate{Store: store, entered: make(chan int, 10), release: make(chan struct{})}
	w := newWriter(t, g, journal.WriterOptions{MaxBatch: 4, MaxDelay: 50 * time.Millisecond, QueueSize: 4, Flushers: 1})
	ctx := context.Background()
	first := make(chan error, 1)
	go func() { first <- w.Append(ctx, topUp("a-first", 0, "")) }()
	if n := <-g.entered; n != 1 {
		t.Fatalf("first batch: got %d appends, want 1", n) // the flusher is now held in the store
	}
	// An append whose context has ended still takes a free queue slot, and
	// its caller learns only that the outcome is unknown.
	done, cancel := context.WithCancel(ctx)
	cancel()
	for i := range 4 {
		if err := w.Append(done, topUp(fmt.Sprintf("a-%d", i), 0, "")); !errors.Is(err, journal.ErrUnknownOutcome) {
			t.Fatalf("queued append %d: got %v, want ErrUnknownOutcome", i, err)
		}
	}
	if err := w.Append(done, topUp("a-full", 0, "")); !errors.Is(err, journal.ErrQueueFull) || !errors.Is(err, context.Canceled) {
		t.Fatalf("full queue: got %v, want ErrQueueFull wrapping context.Canceled", err)
	}
	if st := w.Stats(); st.QueueDepth != 4 || st.QueueCapacity != 4 || st.Rejected != 1 {
		t.Errorf("stats with the flusher held: queue %d of %d, rejected %d; want 4 of 4, 1", st.QueueDepth, st.QueueCapacity, st.Rejected)
	}
	close(g.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := <-g.entered; n != 4 {
		t.Errorf("second batch: got %d appends, want the 4 queued", n)
	}
	_ = w.Close()      // commits what is queued
	for i := range 4 { // the "unknown" appends did commit
		if _, tail, err := store.Load(ctx, fmt.Sprintf("a-%d", i)); err != nil || len(tail) != 1 {
			t.Errorf("a-%d: got %d events %v, want 1", i, len(tail), err)
		}
	}
	if _, tail, _ := store.Load(ctx, "a-full"); len(tail) != 0 {
		t.Errorf("a-full: got %d events, want 0", len(tail))
	}
	st := w.Stats()
	// Batches of 1 and of 4 appends: buckets "≤ 1" and "≤ 4" of BatchSizeBuckets.
	if st.Batches != 2 || st.Appends != 5 || st.BatchSizes[0] != 1 || st.BatchSizes[2] != 1 || st.FailedBatches != 0 || st.LastError != "" {
		t.Errorf("stats: got %+v, want 2 batches (sizes 1 and 4) of 5 appends, none failed", st)
	}
	var flushes int64
	for _, n := range st.FlushLatency {
		flushes += n
	}
	if flushes != 2 || st.QueueDepth != 0 {
		t.Errorf("flush latency histogram holds %d batches, queue %d; want 2, 0", flushes, st.QueueDepth)
	}
	if err := w.Append(ctx, topUp("late", 0, "")); !errors.Is(err, journal.ErrClosed) {
		t.Errorf("after Close: got %v, want ErrClosed", err)
	}
}

// TestWriterDatabaseDown: a batch whose transaction fails reports
// ErrUnknownOutcome wrapping the cause to every caller in it.
func TestWriterDatabaseDown(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			w := newWriter(t, s, journal.WriterOptions{})
			ctx := context.Background()
			if err := w.Append(ctx, topUp("pupil", 0, "")); err != nil {
				t.Fatal(err)
			}
			_ = s.Close() // the database goes away under the writer
			err := w.Append(ctx, topUp("pupil", 1, ""))
			if !errors.Is(err, journal.ErrUnknownOutcome) {
				t.Fatalf("got %v, want ErrUnknownOutcome", err)
			}
			if st := w.Stats(); st.FailedBatches != 1 || st.LastError == "" || st.LastErrorAt.IsZero() {
				t.Errorf("stats after the failed batch: %d failed, last error %q at %v; want 1 with its error", st.FailedBatches, st.LastError, st.LastErrorAt)
			}
			// Invalid input stays a definite error even with the database down.
			if err := w.Append(ctx, journal.Append{}); !errors.Is(err, journal.ErrInvalid) || errors.Is(err, journal.ErrUnknownOutcome) {
				t.Errorf("invalid append: got %v, want ErrInvalid only", err)
			}
		})
	}
}

// TestWriterNoDelayTakesWhatIsQueued: with NoDelay a free flusher takes every
// append already queued as one batch, without waiting for more.
func TestWriterNoDelayTakesWhatIsQueued(t *testing.T) {
	store := stores(t)["sqlite"](t)
	g := &gate{Store: store, entered: make(chan int, 10), release: make(chan struct{})}
	w := newWriter(t, g, journal.WriterOptions{MaxBatch: 8, MaxDelay: journal.NoDelay, Flushers: 1})
	ctx := context.Background()
	first := make(chan error, 1)
	go func() { first <- w.Append(ctx, topUp("n-first", 0, "")) }()
	if n := <-g.entered; n != 1 {
		t.Fatalf("first batch: got %d appends, want 1", n)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	for i := range 3 { // queued while the flusher is held; callers return at once
		if err := w.Append(done, topUp(fmt.Sprintf("n-%d", i), 0, "")); !errors.Is(err, journal.ErrUnknownOutcome) {
			t.Fatalf("queued append %d: got %v", i, err)
		}
	}
	close(g.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := <-g.entered; n != 3 {
		t.Errorf("second batch: got %d appends, want the 3 queued", n)
	}
}

func TestWriterOptionsBounded(t *testing.T) {
	for _, o := range []journal.WriterOptions{
		{MaxBatch: journal.MaxBatch + 1}, {MaxBatch: -1}, {MaxDelay: time.Second}, {MaxDelay: journal.NoDelay - 1}, {QueueSize: journal.MaxQueueSize + 1},
	} {
		if _, err := journal.NewWriter(nil, o); !errors.Is(err, journal.ErrInvalid) {
			t.Errorf("%+v: got %v, want ErrInvalid", o, err)
		}
	}
}
