package fee

import (
	"errors"
	"fmt"

	"github.com/onecode/onecode/domain/money"
)

// ErrRefundExceeded reports a refund that would take the bill's refunded amount
// above what was paid on it.
var ErrRefundExceeded = errors.New("fee: refund exceeds what was paid on the bill")

// Refundable is what may still be refunded: paid − refunded (refunds being paid back
// included).
func (b Bill) Refundable() money.Amount { return b.Paid - b.Refunded }

// Refund returns the bill with amount more refunded (reserved for a refund being paid
// back, or paid back). A refund never exceeds what was paid; a closed bill may still
// be refunded. Paid stays: what was paid is history, Refunded says how much of it
// went back.
func (b Bill) Refund(amount money.Amount) (Bill, error) {
	if !amount.Positive() {
		return Bill{}, ErrInvalidAmount
	}
	r, err := b.Refunded.Add(amount)
	if err != nil || r > b.Paid {
		return Bill{}, fmt.Errorf("%w: refundable %s, amount %s", ErrRefundExceeded, b.Refundable(), amount)
	}
	b.Refunded = r
	return b, nil
}

// Unrefund returns the bill with a refund of amount given up (the provider refused or
// closed it): the money stayed with the school.
func (b Bill) Unrefund(amount money.Amount) (Bill, error) {
	if !amount.Positive() || amount > b.Refunded {
		return Bill{}, fmt.Errorf("%w: refunded %s, released %s", ErrInvalidAmount, b.Refunded, amount)
	}
	b.Refunded -= amount
	return b, nil
}
