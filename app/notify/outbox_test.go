package notify

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
)

func TestRunOutboxDeliversOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := sqlitedirectory.Open(ctx, t.TempDir()+"/d.db", sqlitedirectory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	const n = 250
	for i := 0; i < n; i++ {
		if _, err := dir.Enqueue(ctx, directory.Message{Topic: directory.TopicArrears, Recipient: "acc", Payload: []byte(`{"i":1}`)}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	done := make(chan struct{})
	send := func(_ context.Context, m Message) error {
		mu.Lock()
		defer mu.Unlock()
		seen[m.ID]++
		if len(seen) == n {
			select {
			case <-done:
			default:
				close(done)
			}
		}
		return nil
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	go RunOutbox(ctx, dir, send, Options{Interval: 10 * time.Millisecond}, logger)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("outbox not drained")
	}
	cancel()
	mu.Lock()
	defer mu.Unlock()
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("message %d sent %d times", id, c)
		}
	}
	left, err := dir.ClaimBatch(context.Background(), 10)
	if err != nil || len(left) != 0 {
		t.Fatalf("left in outbox: %d (%v)", len(left), err)
	}
}
