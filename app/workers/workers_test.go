package workers

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestForEachBoundsAndStops(t *testing.T) {
	var running, peak, done atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{}, 100)
	go func() {
		for range 3 { // three workers must be busy at once before any is let go
			<-started
		}
		close(release)
	}()
	err := ForEach(context.Background(), 20, 3, func(ctx context.Context, i int) error {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		started <- struct{}{}
		<-release
		running.Add(-1)
		done.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := peak.Load(); got != 3 {
		t.Errorf("peak concurrency %d, want 3", got)
	}
	if got := done.Load(); got != 20 {
		t.Errorf("ran %d, want 20", got)
	}

	boom := errors.New("boom")
	var calls atomic.Int32
	err = ForEach(context.Background(), 1000, 1, func(ctx context.Context, i int) error {
		calls.Add(1)
		if i == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("err %v, want boom", err)
	}
	if got := calls.Load(); got > 4 {
		t.Errorf("%d calls after the first error at i=2, want it to stop", got)
	}
}
