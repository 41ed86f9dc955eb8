package outboxtest

import (
	"slices"
	"testing"

	"github.com/onecode/onecode/persistence/outbox"
)

func record(t *testing.T, s outbox.Store, rs ...outbox.Receipt) outbox.ReceiptsLeft {
	t.Helper()
	left, err := s.RecordDeliveries(ctx, rs)
	must(t, err)
	return left
}

func testReceipts(t *testing.T, s outbox.Store, _ *Clock) {
	id := enqueue(t, s, notice("r"))
	if left := record(t, s, outbox.Receipt{ID: id, Delivered: true}); !slices.Equal(left.NotSent, []int64{id}) || left.Unknown != nil {
		t.Errorf("a receipt before sent: %+v, want it left as not sent", left)
	}
	if n, _ := s.Get(ctx, id); n.Delivery != outbox.DeliveryUnknown {
		t.Errorf("a receipt before sent was recorded: %+v", n)
	}
	must(t, s.MarkSent(ctx, id))
	if left := record(t, s, outbox.Receipt{ID: id, Detail: "UNDELIV: phone off"}); left.NotSent != nil || left.Unknown != nil {
		t.Errorf("a receipt of a sent notice left: %+v", left)
	}
	n, err := s.Get(ctx, id)
	must(t, err)
	if n.Delivery != outbox.DeliveryUndelivered || n.Detail != "UNDELIV: phone off" || n.DeliveredAt == nil {
		t.Errorf("after a receipt: %+v", n)
	}
	record(t, s, outbox.Receipt{ID: id, Delivered: true, Detail: "DELIVRD"})
	if n, _ := s.Get(ctx, id); n.Delivery != outbox.DeliveryDelivered || n.Detail != "DELIVRD" {
		t.Errorf("a later receipt: %+v", n)
	}
	_, err = s.RecordDeliveries(ctx, []outbox.Receipt{{ID: id, Delivered: true, Detail: string(make([]byte, outbox.MaxReasonLen+1))}})
	wantErr(t, "long detail", err, outbox.ErrInvalid)
	_, err = s.RecordDeliveries(ctx, nil)
	wantErr(t, "no receipts", err, outbox.ErrInvalid)
	_, err = s.RecordDeliveries(ctx, make([]outbox.Receipt, outbox.MaxReceipts+1))
	wantErr(t, "too many", err, outbox.ErrInvalid)
	testReceiptBatch(t, s)
}

// testReceiptBatch: one batch records the sent, leaves the queued and the
// unknown, keeps the last receipt of a notice named twice, and writes nothing
// when one receipt is invalid.
func testReceiptBatch(t *testing.T, s outbox.Store) {
	a, b, c := enqueue(t, s, notice("ra")), enqueue(t, s, notice("rb")), enqueue(t, s, notice("rc"))
	must(t, s.MarkSent(ctx, a))
	must(t, s.MarkSent(ctx, c))
	unknown := c + 1000
	_, err := s.RecordDeliveries(ctx, []outbox.Receipt{{ID: a, Delivered: true}, {ID: -1}})
	wantErr(t, "a bad id in the batch", err, outbox.ErrInvalid)
	if n, _ := s.Get(ctx, a); n.Delivery != outbox.DeliveryUnknown {
		t.Errorf("an invalid batch wrote: %+v", n)
	}
	left := record(t, s,
		outbox.Receipt{ID: a, Detail: "UNDELIV"}, outbox.Receipt{ID: b, Delivered: true}, outbox.Receipt{ID: unknown, Delivered: true},
		outbox.Receipt{ID: c, Delivered: true, Detail: "DELIVRD"}, outbox.Receipt{ID: a, Delivered: true, Detail: "DELIVRD"})
	if !slices.Equal(left.NotSent, []int64{b}) || !slices.Equal(left.Unknown, []int64{unknown}) {
		t.Errorf("left %+v, want not sent [%d], unknown [%d]", left, b, unknown)
	}
	for _, id := range []int64{a, c} {
		if n, _ := s.Get(ctx, id); n.Delivery != outbox.DeliveryDelivered || n.Detail != "DELIVRD" || n.DeliveredAt == nil {
			t.Errorf("notice %d after the batch: %+v", id, n)
		}
	}
	if n, _ := s.Get(ctx, b); n.Delivery != outbox.DeliveryUnknown {
		t.Errorf("a queued notice got a receipt: %+v", n)
	}
}
