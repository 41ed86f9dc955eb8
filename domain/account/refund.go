package account

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/ledger"
	"github.com/onecode/onecode/domain/money"
)

// MaxOpenRefunds bounds the refunds of one account being paid back at once.
const MaxOpenRefunds = 16

// Errors of refunds.
var (
	// ErrRefundExceeded reports a bill refund above what was paid on the bill
	// (refunds being paid back included).
	ErrRefundExceeded = fee.ErrRefundExceeded
	// ErrRefundBalanceShort reports a recharge refund above the wallet's balance: the
	// money was spent (a refund never takes the wallet into arrears).
	ErrRefundBalanceShort = errors.New("account: the balance does not cover the refund")
	// ErrRefundNotOpen reports a settle or release of a refund the account does not
	// hold open (never reserved, or already settled or released).
	ErrRefundNotOpen = errors.New("account: no such refund open")
	// ErrTooManyOpenRefunds reports a refund beyond MaxOpenRefunds open at once.
	ErrTooManyOpenRefunds = errors.New("account: too many refunds open")
)

// OpenRefund is a refund reserved and not yet settled or released: its money has left
// the bill's fee income (or the wallet) for the aggregator's clearing account.
type OpenRefund struct {
	RefundID string
	OrderID  string
	ItemID   string // the bill refunded; "" for a recharge refund
	Amount   money.Amount
}

// ReserveRefund reserves a refund of a paid online order before the provider is
// asked to pay it back, so that the money cannot be spent or refunded twice. Its key
// is the refund number. With ItemID it refunds the bill of that item (refunded ≤
// paid on the bill; fee income → aggregator clearing); without, a recharge (only
// while the balance covers it; wallet → aggregator clearing).
type ReserveRefund struct {
	IdemKey  string
	RefundID string
	OrderID  string
	ItemID   string
	Amount   money.Amount
}

// SettleRefund records that the provider paid an open refund back; no money moves
// here (it left with the reservation).
type SettleRefund struct {
	IdemKey  string
	RefundID string
}

// ReleaseRefund gives up an open refund the provider refused or closed: the reserved
// money goes back to the bill's fee income (or the wallet).
type ReleaseRefund struct {
	IdemKey  string
	RefundID string
}

// Key implements Command.
func (c ReserveRefund) Key() string { return c.IdemKey }

// Key implements Command.
func (c SettleRefund) Key() string { return c.IdemKey }

// Key implements Command.
func (c ReleaseRefund) Key() string { return c.IdemKey }

func (c ReserveRefund) encode(e *encoder) {
	e.str("ReserveRefund")
	e.strs(c.IdemKey, c.RefundID, c.OrderID, c.ItemID)
	e.int(int64(c.Amount))
}

func (c SettleRefund) encode(e *encoder) {
	e.str("SettleRefund")
	e.strs(c.IdemKey, c.RefundID)
}

func (c ReleaseRefund) encode(e *encoder) {
	e.str("ReleaseRefund")
	e.strs(c.IdemKey, c.RefundID)
}

// RefundReserved records a refund reserved (see ReserveRefund).
type RefundReserved struct {
	RefundID string
	OrderID  string
	ItemID   string
	Amount   money.Amount
	At       time.Time
}

// RefundSettled records a refund paid back by the provider.
type RefundSettled struct {
	RefundID string
	OrderID  string
	ItemID   string
	Amount   money.Amount
	At       time.Time
}

// RefundReleased records a refund given up: its reservation is reversed.
type RefundReleased struct {
	RefundID string
	OrderID  string
	ItemID   string
	Amount   money.Amount
	At       time.Time
}

// EventType implements Event.
func (RefundReserved) EventType() string { return "RefundReserved" }

// EventType implements Event.
func (RefundSettled) EventType() string { return "RefundSettled" }

// EventType implements Event.
func (RefundReleased) EventType() string { return "RefundReleased" }

func (RefundReserved) isEvent() {}
func (RefundSettled) isEvent()  {}
func (RefundReleased) isEvent() {}

// OccurredAt implements Event.
func (e RefundReserved) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e RefundSettled) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e RefundReleased) OccurredAt() time.Time { return e.At }

// Refund returns the open refund of that number.
func (s State) Refund(refundID string) (OpenRefund, bool) {
	if i := s.openRefund(refundID); i >= 0 {
		return s.OpenRefunds[i], true
	}
	return OpenRefund{}, false
}

func (s State) openRefund(refundID string) int {
	return slices.IndexFunc(s.OpenRefunds, func(r OpenRefund) bool { return r.RefundID == refundID })
}

// decideRefund decides the refund commands; ok is false for any other command.
func decideRefund(s State, cmd Command, now time.Time) (e Event, amt money.Amount, ok bool, err error) {
	switch c := cmd.(type) {
	case ReserveRefund:
		e, err = decideReserveRefund(s, c, now)
		return e, c.Amount, true, err
	case SettleRefund:
		r, err := openRefundOf(s, c.RefundID)
		if err != nil {
			return nil, 0, true, err
		}
		return RefundSettled{RefundID: r.RefundID, OrderID: r.OrderID, ItemID: r.ItemID, Amount: r.Amount, At: now}, r.Amount, true, nil
	case ReleaseRefund:
		r, err := openRefundOf(s, c.RefundID)
		if err != nil {
			return nil, 0, true, err
		}
		return RefundReleased{RefundID: r.RefundID, OrderID: r.OrderID, ItemID: r.ItemID, Amount: r.Amount, At: now}, r.Amount, true, nil
	}
	return nil, 0, false, nil
}

func openRefundOf(s State, refundID string) (OpenRefund, error) {
	r, ok := s.Refund(refundID)
	if refundID == "" || !ok {
		return OpenRefund{}, ErrRefundNotOpen
	}
	return r, nil
}

func decideReserveRefund(s State, c ReserveRefund, now time.Time) (Event, error) {
	switch {
	case c.RefundID == "" || c.RefundID != c.IdemKey:
		return nil, fmt.Errorf("%w: the key of a refund is its refund number", ErrInvalid)
	case c.OrderID == "":
		return nil, fmt.Errorf("%w: a refund needs the order it pays back", ErrInvalid)
	case !c.Amount.Positive():
		return nil, ErrInvalidAmount
	case s.openRefund(c.RefundID) >= 0:
		return nil, fmt.Errorf("%w: refund %q", ErrIdempotencyConflict, c.RefundID)
	case len(s.OpenRefunds) >= MaxOpenRefunds:
		return nil, ErrTooManyOpenRefunds
	}
	if c.ItemID != "" {
		b, ok := s.Bill(c.ItemID)
		if !ok {
			return nil, ErrBillNotFound
		}
		if _, err := b.Refund(c.Amount); err != nil {
			return nil, feeError(err)
		}
	} else if s.Balance < c.Amount {
		return nil, fmt.Errorf("%w: balance %s, refund %s", ErrRefundBalanceShort, s.Balance, c.Amount)
	}
	return RefundReserved{RefundID: c.RefundID, OrderID: c.OrderID, ItemID: c.ItemID, Amount: c.Amount, At: now}, nil
}

// applyRefund folds a refund event into s; ok is false for any other event. The
// rules were checked by Decide: a violation here is a corrupt journal and panics.
func applyRefund(s State, e Event) (State, bool) {
	var (
		r       OpenRefund
		reserve bool
	)
	switch e := e.(type) {
	case RefundReserved:
		r, reserve = OpenRefund{RefundID: e.RefundID, OrderID: e.OrderID, ItemID: e.ItemID, Amount: e.Amount}, true
		s.OpenRefunds = append(slices.Clip(s.OpenRefunds), r)
	case RefundSettled:
		s.OpenRefunds = removeRefund(s.OpenRefunds, e.RefundID, e.EventType())
		return s, true
	case RefundReleased:
		r = OpenRefund{RefundID: e.RefundID, OrderID: e.OrderID, ItemID: e.ItemID, Amount: e.Amount}
		s.OpenRefunds = removeRefund(s.OpenRefunds, e.RefundID, e.EventType())
	default:
		return s, false
	}
	if r.ItemID == "" {
		if reserve {
			s.Balance -= r.Amount
		} else {
			s.Balance += r.Amount
		}
		return s, true
	}
	i := s.bill(r.ItemID)
	if i < 0 {
		panic(fmt.Sprintf("account: %s of unknown bill %q", e.EventType(), r.ItemID))
	}
	var (
		b   Bill
		err error
	)
	if reserve {
		b, err = s.Bills[i].Refund(r.Amount)
	} else {
		b, err = s.Bills[i].Unrefund(r.Amount)
	}
	if err != nil {
		panic(fmt.Sprintf("account: %s of bill %q: %v", e.EventType(), r.ItemID, err))
	}
	s.Bills = slices.Clone(s.Bills)
	s.Bills[i] = b
	return s, true
}

func removeRefund(rs []OpenRefund, refundID, what string) []OpenRefund {
	i := slices.IndexFunc(rs, func(r OpenRefund) bool { return r.RefundID == refundID })
	if i < 0 {
		panic(fmt.Sprintf("account: %s of refund %q not open", what, refundID))
	}
	if len(rs) == 1 {
		return nil // as a snapshot decodes it
	}
	return slices.Delete(slices.Clone(rs), i, i+1)
}

// refundItem is the bill a refund event moves ("" for other events and recharges).
func refundItem(e Event) string {
	switch e := e.(type) {
	case RefundReserved:
		return e.ItemID
	case RefundSettled:
		return e.ItemID
	case RefundReleased:
		return e.ItemID
	}
	return ""
}

// refundPostings are the postings of a refund event: the reservation moves the money
// from the bill's fee income (or the wallet) to the aggregator's clearing account, a
// release moves it back, and a settlement moves nothing.
func refundPostings(accountID, schoolID string, e Event) []ledger.Posting {
	from := func(item string) ledger.ID {
		if item == "" {
			return ledger.Wallet(accountID)
		}
		return ledger.FeeIncome(schoolID)
	}
	switch e := e.(type) {
	case RefundReserved:
		return ledger.Transfer(from(e.ItemID), ledger.AggregatorClearing, e.Amount)
	case RefundReleased:
		return ledger.Transfer(ledger.AggregatorClearing, from(e.ItemID), e.Amount)
	}
	return nil
}
