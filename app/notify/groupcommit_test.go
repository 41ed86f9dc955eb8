package notify

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestGroupCommitGroups: items handed over while a write is in flight are
// written together, at most max a write, and every caller gets its group's
// error.
func TestGroupCommitGroups(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	errFull := errors.New("a full group's write failed")
	g := newGroupCommit(3, time.Second, func(_ context.Context, items []int) error {
		mu.Lock()
		defer mu.Unlock()
		sizes = append(sizes, len(items))
		if len(items) == 3 {
			return errFull
		}
		return nil
	})
	g.writing <- struct{}{} // a write in flight: the next items queue up
	const n = 7
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- g.add(context.Background(), i) }()
	}
	// Two groups fill up (3 + 3) and close; the seventh item waits in the open one.
	waitHanded(t, g, n)
	if _, open := g.counts(); open != 1 {
		t.Fatalf("the open group holds %d items, want 1", open)
	}
	<-g.writing
	failed := 0
	for range n {
		if err := <-errs; errors.Is(err, errFull) {
			failed++
		} else if err != nil {
			t.Fatalf("add: %v", err)
		}
	}
	slices.Sort(sizes)
	if !slices.Equal(sizes, []int{1, 3, 3}) {
		t.Errorf("writes of %v items, want groups of 1, 3 and 3", sizes)
	}
	if failed != 6 {
		t.Errorf("%d callers got their group's error, want the 6 of the failed full groups", failed)
	}
}

// TestGroupCommitOutlivesCancel: a write runs although the leader's context
// was cancelled (what a provider accepted is written down during a shutdown).
func TestGroupCommitOutlivesCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var got error
	g := newGroupCommit(10, time.Second, func(ctx context.Context, _ []string) error {
		got = ctx.Err()
		return nil
	})
	if err := g.add(ctx, "x"); err != nil || got != nil {
		t.Fatalf("add on a cancelled context: %v, the write saw %v; want both nil", err, got)
	}
}
