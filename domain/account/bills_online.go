package account

import (
	"errors"
	"fmt"
	"time"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/money"
)

// PayBillOnline settles a bill with a verified online payment (an online-payment
// order of purpose fee). Its key is the order id: a payment settles once.
//
// The money is real and already at the provider, so the command is never declined
// for the bill's sake: when the bill can take the whole amount (open, paid +
// exempted + amount ≤ due) it is paid (BillPaidOnline, aggregator clearing → fee
// income); when it cannot (paid another way, exempted or closed meanwhile) the
// whole amount is credited to the wallet instead (BillPaymentCredited, aggregator
// clearing → wallet), where the family can spend it or have it refunded. The choice
// is made here, on the serialised state of the bill, so no payment can race it.
type PayBillOnline struct {
	IdemKey string
	ItemID  string
	OrderID string
	Amount  money.Amount
}

// Key implements Command.
func (c PayBillOnline) Key() string { return c.IdemKey }

func (c PayBillOnline) encode(e *encoder) {
	e.str("PayBillOnline")
	e.strs(c.IdemKey, c.ItemID, c.OrderID)
	e.int(int64(c.Amount))
}

// BillPaidOnline records a bill paid online: aggregator clearing → fee income.
type BillPaidOnline struct {
	ItemID  string
	OrderID string
	Amount  money.Amount
	At      time.Time
}

// BillPaymentCredited records an online payment for a bill that could not take it
// (already settled or closed): aggregator clearing → wallet.
type BillPaymentCredited struct {
	ItemID  string
	OrderID string
	Amount  money.Amount
	At      time.Time
}

// EventType implements Event.
func (BillPaidOnline) EventType() string { return "BillPaidOnline" }

// EventType implements Event.
func (BillPaymentCredited) EventType() string { return "BillPaymentCredited" }

func (BillPaidOnline) isEvent()      {}
func (BillPaymentCredited) isEvent() {}

// OccurredAt implements Event.
func (e BillPaidOnline) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e BillPaymentCredited) OccurredAt() time.Time { return e.At }

func decidePayBillOnline(s State, c PayBillOnline, now time.Time) (Event, error) {
	switch {
	case c.OrderID == "" || c.OrderID != c.IdemKey:
		return nil, fmt.Errorf("%w: the key of an online bill payment is its order id", ErrInvalid)
	case !c.Amount.Positive():
		return nil, ErrInvalidAmount
	}
	b, ok := s.Bill(c.ItemID)
	if !ok {
		return nil, ErrBillNotFound
	}
	_, err := b.Pay(c.Amount)
	switch {
	case err == nil:
		return BillPaidOnline{ItemID: c.ItemID, OrderID: c.OrderID, Amount: c.Amount, At: now}, nil
	case errors.Is(err, fee.ErrOverpaid), errors.Is(err, fee.ErrBillClosed):
		if _, err := s.Balance.Add(c.Amount); err != nil {
			return nil, err
		}
		return BillPaymentCredited{ItemID: c.ItemID, OrderID: c.OrderID, Amount: c.Amount, At: now}, nil
	}
	return nil, feeError(err)
}
