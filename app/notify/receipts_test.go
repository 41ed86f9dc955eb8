package notify

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// countingReceipts counts the store's batches.
type countingReceipts struct {
	ReceiptStore
	calls, receipts int
}

func (c *countingReceipts) RecordDeliveries(ctx context.Context, rs []outbox.Receipt) (outbox.ReceiptsLeft, error) {
	c.calls++
	c.receipts += len(rs)
	return c.ReceiptStore.RecordDeliveries(ctx, rs)
}

// TestReceiptsRecordAll: a provider's batch is recorded in one store call per
// outbox.MaxReceipts; unknown messages are dropped and logged by id only; a
// receipt of a message not sent yet makes the batch ErrReceiptEarly (posted
// again) while the rest is recorded.
func TestReceiptsRecordAll(t *testing.T) {
	ctx := context.Background()
	store, err := sqliteoutbox.Open(ctx, filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	var ids []int64
	for i := range outbox.MaxReceipts + 1 {
		id, _, err := store.Enqueue(ctx, outbox.Notice{Key: "k" + strconv.Itoa(i), Kind: "arrears", Recipient: "acc_1", Payload: []byte("{}")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := store.MarkSentMany(ctx, ids[:outbox.MaxReceipts]); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	counting := &countingReceipts{ReceiptStore: store}
	rs := Receipts{Store: counting, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	var batch []DeliveryReceipt
	for _, id := range ids[:outbox.MaxReceipts] {
		batch = append(batch, DeliveryReceipt{MessageID: id, Delivered: true, Detail: strings.Repeat("D", outbox.MaxReasonLen+5)})
	}
	batch = append(batch, DeliveryReceipt{MessageID: ids[len(ids)-1] + 1000, Delivered: true})
	if err := rs.RecordAll(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if counting.calls != 2 || counting.receipts != len(batch) {
		t.Errorf("%d store calls with %d receipts, want 2 with %d", counting.calls, counting.receipts, len(batch))
	}
	if n, _ := store.Get(ctx, ids[0]); n.Delivery != outbox.DeliveryDelivered || len(n.Detail) != outbox.MaxReasonLen {
		t.Errorf("a sent notice after its receipt: delivery %q, detail of %d bytes", n.Delivery, len(n.Detail))
	}
	if !strings.Contains(logs.String(), "unknown message dropped") {
		t.Errorf("the unknown receipt was not logged: %s", logs.String())
	}

	queued := ids[len(ids)-1]
	err = rs.RecordAll(ctx, []DeliveryReceipt{{MessageID: ids[1], Detail: "UNDELIV"}, {MessageID: queued, Delivered: true}})
	if !errors.Is(err, ErrReceiptEarly) {
		t.Fatalf("a receipt before its message was sent: %v, want ErrReceiptEarly", err)
	}
	if n, _ := store.Get(ctx, ids[1]); n.Delivery != outbox.DeliveryUndelivered {
		t.Errorf("the rest of an early batch: %+v, want it recorded", n)
	}
	if n, _ := store.Get(ctx, queued); n.Delivery != outbox.DeliveryUnknown {
		t.Errorf("a queued notice got a receipt: %+v", n)
	}
}
