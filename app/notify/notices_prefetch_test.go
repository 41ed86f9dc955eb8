package notify

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

type prefetchKey struct{}

// TestRunNoticesPrefetch: each claimed batch is read ahead once, before any of
// its notices is sent, and every notice is sent under the context that read
// answered (the workers' and the probe's alike).
func TestRunNoticesPrefetch(t *testing.T) {
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC) // 10:00 in China: no quiet hours
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := sqliteoutbox.Open(ctx, t.TempDir()+"/o.db", sqliteoutbox.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ns := Notices{Store: store, Now: func() time.Time { return now }}
	const total = 7
	for i := range total {
		if _, _, err := ns.Enqueue(ctx, Notice{Kind: KindFeePublished, Cause: fmt.Sprint("bill-", i), SchoolID: "35001",
			Recipient: fmt.Sprintf("acc_35001_%010d", i), Params: map[string]string{"name": "张*明", "item": "秋季校服", "amount": "12.00", "due": "9月30日"}}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	readAhead := map[int64]int{} // notice id → the batch that read it
	batches, sent := 0, 0
	done := make(chan struct{})
	prefetch := func(ctx context.Context, ms []Message) context.Context {
		mu.Lock()
		defer mu.Unlock()
		batches++
		for _, m := range ms {
			readAhead[m.ID] = batches
		}
		return context.WithValue(ctx, prefetchKey{}, batches)
	}
	send := func(ctx context.Context, m Message) error {
		mu.Lock()
		defer mu.Unlock()
		if b, _ := ctx.Value(prefetchKey{}).(int); b == 0 || readAhead[m.ID] != b {
			t.Errorf("notice %d sent under batch %d, read ahead in batch %d", m.ID, b, readAhead[m.ID])
		}
		if sent++; sent == total {
			close(done)
		}
		return nil
	}
	go RunNotices(ctx, store, send, RunOptions{Batch: 3, Workers: 2, Interval: time.Millisecond, Now: func() time.Time { return now },
		Prefetch: prefetch}, nil)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("not all %d notices sent", total)
	}
	mu.Lock()
	defer mu.Unlock()
	if batches < 3 || len(readAhead) != total {
		t.Errorf("%d batches read ahead %d notices, want at least 3 batches of all %d", batches, len(readAhead), total)
	}
}
