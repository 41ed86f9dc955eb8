package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/onecode/onecode/persistence/outbox"
)

// ErrReceiptEarly is a batch of receipts of which some name a message not
// (yet) marked sent: the provider posts the batch again (a receipt can
// overtake the group commit that marks its message sent).
var ErrReceiptEarly = errors.New("notify: a delivery receipt arrived before its message was marked sent")

// ReceiptStore records providers' delivery receipts (outbox.Store).
type ReceiptStore interface {
	RecordDeliveries(ctx context.Context, rs []outbox.Receipt) (outbox.ReceiptsLeft, error)
}

// DeliveryReceipt is a provider's delivery receipt of one outbox message.
type DeliveryReceipt struct {
	MessageID int64
	Delivered bool
	Detail    string // the provider's status and code; cut to outbox.MaxReasonLen
}

// Receipts records delivery receipts on the outbox messages they name.
type Receipts struct {
	Store  ReceiptStore
	Logger *slog.Logger
}

// RecordAll records a provider's batch of receipts, outbox.MaxReceipts at a
// time: one statement each. Receipts of unknown messages are dropped (the
// provider must not retry them forever) and logged by id; ErrReceiptEarly
// when some message was not sent yet (the rest are recorded; recording them
// again changes nothing).
func (rs Receipts) RecordAll(ctx context.Context, batch []DeliveryReceipt) error {
	early := 0
	for chunk := range chunks(batch, outbox.MaxReceipts) {
		recs := make([]outbox.Receipt, 0, len(chunk))
		for _, r := range chunk {
			if r.MessageID <= 0 {
				rs.dropped(r.MessageID)
				continue
			}
			d := r.Detail
			if len(d) > outbox.MaxReasonLen {
				d = strings.ToValidUTF8(d[:outbox.MaxReasonLen], "")
			}
			recs = append(recs, outbox.Receipt{ID: r.MessageID, Delivered: r.Delivered, Detail: d})
		}
		if len(recs) == 0 {
			continue
		}
		left, err := rs.Store.RecordDeliveries(ctx, recs)
		if err != nil {
			return err
		}
		for _, id := range left.Unknown {
			rs.dropped(id)
		}
		early += len(left.NotSent)
	}
	if early > 0 {
		return fmt.Errorf("%w: %d of %d", ErrReceiptEarly, early, len(batch))
	}
	return nil
}

func (rs Receipts) dropped(id int64) {
	if rs.Logger != nil {
		rs.Logger.Warn("delivery receipt of an unknown message dropped", slog.Int64("id", id))
	}
}

// chunks yields s in pieces of at most n.
func chunks[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}
