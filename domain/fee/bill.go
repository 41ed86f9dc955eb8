package fee

import (
	"errors"
	"fmt"

	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/schoolday"
)

// Bill is what one pupil owes for one item. It is a value: its methods return a new
// bill and never modify the one they are called on.
type Bill struct {
	ItemID       string
	Due          money.Amount // > 0
	Paid         money.Amount // cash and balance payments
	Exempted     money.Amount
	DueDay       schoolday.Date
	AllowBalance bool
	Closed       bool
	// Refunded is what was paid and then refunded, or is being refunded (≤ Paid).
	Refunded money.Amount
}

// Status is a bill's state as staff and parents see it.
type Status string

// Bill statuses.
const (
	StatusUnpaid     Status = "unpaid"
	StatusPartlyPaid Status = "partly_paid"
	StatusPaid       Status = "paid"
	StatusExempt     Status = "exempt"
	// StatusClosed is a bill whose item closed with something still outstanding.
	StatusClosed Status = "closed"
	// StatusRefunded is a bill whose payments all went back (refunded = paid > 0).
	StatusRefunded Status = "refunded"
)

// Errors of bill movements.
var (
	// ErrInvalidAmount reports an amount that is not > 0.
	ErrInvalidAmount = errors.New("fee: amount must be positive")
	// ErrOverpaid reports a movement that would take paid + exempted above due.
	ErrOverpaid = errors.New("fee: more than the bill's outstanding amount")
	// ErrBillClosed reports a movement on a closed bill.
	ErrBillClosed = errors.New("fee: bill closed")
	// ErrNeedsReason reports an exemption without a reason.
	ErrNeedsReason = errors.New("fee: an exemption needs a reason")
	// ErrNeedsApprover reports an exemption without the approving staff member.
	ErrNeedsApprover = errors.New("fee: an exemption needs the approving staff member")
)

// Outstanding is what is still to pay: due − paid − exempted (never negative for a
// bill built by these rules).
func (b Bill) Outstanding() money.Amount { return b.Due - b.Paid - b.Exempted }

// Status derives the bill's status.
func (b Bill) Status() Status {
	switch {
	case b.Outstanding() == 0 && b.Paid == 0:
		return StatusExempt
	case b.Outstanding() == 0:
		return StatusPaid
	case b.Closed:
		return StatusClosed
	case b.Paid+b.Exempted > 0:
		return StatusPartlyPaid
	}
	return StatusUnpaid
}

// NewBill checks a new bill: an item and a due amount > 0.
func NewBill(itemID string, due money.Amount, dueDay schoolday.Date, allowBalance bool) (Bill, error) {
	switch {
	case itemID == "":
		return Bill{}, fmt.Errorf("%w: a bill needs its item", ErrInvalidItem)
	case !due.Positive() || due > MaxAmount:
		return Bill{}, ErrInvalidAmount
	}
	return Bill{ItemID: itemID, Due: due, DueDay: dueDay, AllowBalance: allowBalance}, nil
}

// settle returns the bill with amount more settled by paid (or exempted).
func (b Bill) settle(amount money.Amount) (money.Amount, error) {
	switch {
	case !amount.Positive():
		return 0, ErrInvalidAmount
	case b.Closed:
		return 0, ErrBillClosed
	}
	settled, err := b.Paid.Add(b.Exempted)
	if err == nil {
		settled, err = settled.Add(amount)
	}
	if err != nil || settled > b.Due {
		return 0, fmt.Errorf("%w: outstanding %s, amount %s", ErrOverpaid, b.Outstanding(), amount)
	}
	return settled, nil
}

// Pay returns the bill with amount paid (cash or balance).
func (b Bill) Pay(amount money.Amount) (Bill, error) {
	if _, err := b.settle(amount); err != nil {
		return Bill{}, err
	}
	b.Paid += amount
	return b, nil
}

// Exempt returns the bill with amount exempted, approved by approver for reason.
func (b Bill) Exempt(amount money.Amount, reason, approver string) (Bill, error) {
	switch {
	case reason == "":
		return Bill{}, ErrNeedsReason
	case approver == "":
		return Bill{}, ErrNeedsApprover
	}
	if _, err := b.settle(amount); err != nil {
		return Bill{}, err
	}
	b.Exempted += amount
	return b, nil
}

// Close returns the bill closed; a closed bill takes no payment or exemption.
func (b Bill) Close() (Bill, error) {
	if b.Closed {
		return Bill{}, ErrBillClosed
	}
	b.Closed = true
	return b, nil
}
