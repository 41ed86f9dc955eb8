package ops

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// TestOutboxBacklog: without an outbox the count is -1 (cannot tell); with the
// notices' store set it is that store's queued notices, through the Service.
func TestOutboxBacklog(t *testing.T) {
	ctx := context.Background()
	var ob OutboxBacklog
	svc := NewService(Sources{Backlogs: func(ctx context.Context) (Backlogs, error) {
		n, err := ob.Count(ctx)
		return Backlogs{OpenOrders: -1, OverdueOrders: -1, OutboxPending: n}, err
	}}, nil)
	if b, err := svc.Backlogs(operator()); err != nil || b.OutboxPending != -1 {
		t.Fatalf("no outbox: %+v, %v; want -1", b, err)
	}
	store, err := sqliteoutbox.Open(ctx, filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, k := range []string{"a", "b"} {
		if _, _, err := store.Enqueue(ctx, outbox.Notice{Key: k, Kind: "arrears", Recipient: "acct-1", Payload: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	ob.Set(store)
	if b, err := svc.Backlogs(operator()); err != nil || b.OutboxPending != 2 {
		t.Fatalf("two queued: %+v, %v", b, err)
	}
	ob.Set(nil)
	if n, err := ob.Count(ctx); n != -1 || err != nil {
		t.Fatalf("unset: %d %v", n, err)
	}
}
