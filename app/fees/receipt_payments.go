package fees

import (
	"context"
	"log/slog"
	"time"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/app/failure"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/journal"
)

// Journal is what the receipt reads of the account event journal (journal.Store).
type Journal interface {
	History(ctx context.Context, account string, beforeSeq int64, limit int) ([]journal.Event, error)
}

// How a payment reached a bill.
const (
	PaidOnline  = "online"  // Reference: the order number
	PaidCash    = "cash"    // Reference: the voucher number
	PaidBalance = "balance" // from the card balance; no reference
)

// Payment is one payment on a bill, as the account's journal recorded it.
type Payment struct {
	At        time.Time
	AmountFen int64
	Method    string // PaidOnline, PaidCash or PaidBalance
	Reference string
	// RefundedFen is the part of an online payment refunded or being refunded
	// (a refund reserved and not released).
	RefundedFen int64
}

// Bounds of the journal walk of one receipt.
const (
	receiptPage  = 200 // journal.MaxHistoryLimit
	receiptPages = 100 // 20,000 events of one account
)

// payments lists the payments on the account's bill of the item, oldest first,
// read newest first from the journal back to the bill's issue. Without a journal
// (Deps.Journal) it answers none.
func (s *Service) payments(ctx context.Context, accountID, itemID string) ([]Payment, error) {
	if s.d.Journal == nil {
		return nil, nil
	}
	var out []Payment
	refunded := map[string]int64{} // by order id, read before the payments (newest first)
	before := int64(0)
	for range receiptPages {
		events, err := s.d.Journal.History(ctx, accountID, before, receiptPage)
		if err != nil {
			return nil, failure.Classify(err)
		}
		for _, ev := range events {
			e, err := codec.DecodeEvent(ev.Type, ev.Data)
			if err != nil {
				s.log.Error("receipt: undecodable event", slog.Int64("seq", ev.Seq), slog.String("type", ev.Type), slog.Any("error", err))
				return nil, reason.Wrap(reason.KindInternal, reason.Internal, "internal error", err)
			}
			refundOf(e, itemID, refunded)
			p, issued := paymentOf(e, itemID)
			if issued {
				return reversed(out), nil
			}
			if p.AmountFen > 0 {
				if p.Method == PaidOnline {
					p.RefundedFen = min(max(refunded[p.Reference], 0), p.AmountFen)
				}
				out = append(out, p)
			}
		}
		if len(events) < receiptPage || events[len(events)-1].Seq <= 1 {
			break
		}
		before = events[len(events)-1].Seq
	}
	return reversed(out), nil
}

// paymentOf is the payment e made on the item's bill (zero if none); issued says e
// issued the bill (the walk back stops there).
func paymentOf(e account.Event, itemID string) (Payment, bool) {
	switch e := e.(type) {
	case account.BillIssued:
		return Payment{}, e.ItemID == itemID
	case account.BillPaidOnline:
		if e.ItemID == itemID {
			return Payment{At: e.At, AmountFen: int64(e.Amount), Method: PaidOnline, Reference: e.OrderID}, false
		}
	case account.BillPaidCash:
		if e.ItemID == itemID {
			return Payment{At: e.At, AmountFen: int64(e.Amount), Method: PaidCash, Reference: e.Voucher}, false
		}
	case account.BillPaidFromBalance:
		if e.ItemID == itemID {
			return Payment{At: e.At, AmountFen: int64(e.Amount), Method: PaidBalance}, false
		}
	}
	return Payment{}, false
}

// refundOf adds a refund e reserved on the item's bill to refunded (by order id)
// and takes off one it released.
func refundOf(e account.Event, itemID string, refunded map[string]int64) {
	switch e := e.(type) {
	case account.RefundReserved:
		if e.ItemID == itemID {
			refunded[e.OrderID] += int64(e.Amount)
		}
	case account.RefundReleased:
		if e.ItemID == itemID {
			refunded[e.OrderID] -= int64(e.Amount)
		}
	}
}

func reversed(ps []Payment) []Payment {
	for i, j := 0, len(ps)-1; i < j; i, j = i+1, j-1 {
		ps[i], ps[j] = ps[j], ps[i]
	}
	return ps
}
