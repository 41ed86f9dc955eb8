package account

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/money"
)

// MaxBills bounds the bills an account keeps (settled ones included): about twelve
// school years of fee items.
const MaxBills = 256

// Bill is one fee bill of the account (domain/fee).
type Bill = fee.Bill

// Errors of bill commands (the rules of the bill itself are domain/fee's: fee.ErrOverpaid,
// fee.ErrBillClosed, fee.ErrNeedsReason, fee.ErrNeedsApprover).
var (
	// ErrBillNotFound reports a movement on a bill the account does not have.
	ErrBillNotFound = errors.New("account: no bill for this fee item")
	// ErrBillAlreadyIssued reports a second bill of one item (under another key).
	ErrBillAlreadyIssued = errors.New("account: the fee item is already billed")
	// ErrTooManyBills reports a bill beyond MaxBills.
	ErrTooManyBills = errors.New("account: too many bills")
	// ErrBalanceNotAllowed reports a payment from the balance of an item that does
	// not allow it.
	ErrBalanceNotAllowed = errors.New("account: this fee item may not be paid from the balance")
)

// IssueBill bills the account for a published fee item. Its key is
// fee.BillKey(item, account).
type IssueBill struct {
	IdemKey      string
	SchoolID     string // the item's school
	ItemID       string
	Amount       money.Amount
	DueDay       Date
	AllowBalance bool
}

// PayBillCash records cash taken by the school's finance staff for a bill.
type PayBillCash struct {
	IdemKey string
	ItemID  string
	Amount  money.Amount
	Voucher string // the receipt or voucher number, may be empty
	StaffID string
}

// ExemptBill exempts part or all of a bill.
type ExemptBill struct {
	IdemKey    string
	ItemID     string
	Amount     money.Amount
	Reason     string
	ApprovedBy string // staff id
}

// PayBillFromBalance pays a bill from the account's balance (never into arrears).
type PayBillFromBalance struct {
	IdemKey string
	ItemID  string
	Amount  money.Amount
}

// CloseBill closes the bill of a closed item. Its key is fee.CloseKey(item, account).
type CloseBill struct {
	IdemKey string
	ItemID  string
}

// Key implements Command.
func (c IssueBill) Key() string { return c.IdemKey }

// Key implements Command.
func (c PayBillCash) Key() string { return c.IdemKey }

// Key implements Command.
func (c ExemptBill) Key() string { return c.IdemKey }

// Key implements Command.
func (c PayBillFromBalance) Key() string { return c.IdemKey }

// Key implements Command.
func (c CloseBill) Key() string { return c.IdemKey }

func (c IssueBill) encode(e *encoder) {
	e.str("IssueBill")
	e.strs(c.IdemKey, c.SchoolID, c.ItemID)
	e.int(int64(c.Amount))
	e.int(int64(c.DueDay))
	e.bool(c.AllowBalance)
}

func (c PayBillCash) encode(e *encoder) {
	e.str("PayBillCash")
	e.strs(c.IdemKey, c.ItemID)
	e.int(int64(c.Amount))
	e.strs(c.Voucher, c.StaffID)
}

func (c ExemptBill) encode(e *encoder) {
	e.str("ExemptBill")
	e.strs(c.IdemKey, c.ItemID)
	e.int(int64(c.Amount))
	e.strs(c.Reason, c.ApprovedBy)
}

func (c PayBillFromBalance) encode(e *encoder) {
	e.str("PayBillFromBalance")
	e.strs(c.IdemKey, c.ItemID)
	e.int(int64(c.Amount))
}

func (c CloseBill) encode(e *encoder) {
	e.str("CloseBill")
	e.strs(c.IdemKey, c.ItemID)
}

// BillIssued records a new bill; no money moves.
type BillIssued struct {
	Key          string
	ItemID       string
	Amount       money.Amount
	DueDay       Date
	AllowBalance bool
	At           time.Time
}

// BillPaidCash records cash paid for a bill: the school's cash → its fee income.
type BillPaidCash struct {
	Key     string
	ItemID  string
	Amount  money.Amount
	Voucher string
	StaffID string
	At      time.Time
}

// BillExempted records an exemption; no money moves.
type BillExempted struct {
	Key        string
	ItemID     string
	Amount     money.Amount
	Reason     string
	ApprovedBy string
	At         time.Time
}

// BillPaidFromBalance records a bill paid from the wallet: wallet → fee income.
type BillPaidFromBalance struct {
	Key    string
	ItemID string
	Amount money.Amount
	At     time.Time
}

// BillClosed records the close of a bill (its item closed).
type BillClosed struct {
	Key    string
	ItemID string
	At     time.Time
}

// EventType implements Event.
func (BillIssued) EventType() string { return "BillIssued" }

// EventType implements Event.
func (BillPaidCash) EventType() string { return "BillPaidCash" }

// EventType implements Event.
func (BillExempted) EventType() string { return "BillExempted" }

// EventType implements Event.
func (BillPaidFromBalance) EventType() string { return "BillPaidFromBalance" }

// EventType implements Event.
func (BillClosed) EventType() string { return "BillClosed" }

func (BillIssued) isEvent()          {}
func (BillPaidCash) isEvent()        {}
func (BillExempted) isEvent()        {}
func (BillPaidFromBalance) isEvent() {}
func (BillClosed) isEvent()          {}

// OccurredAt implements Event.
func (e BillIssued) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e BillPaidCash) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e BillExempted) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e BillPaidFromBalance) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e BillClosed) OccurredAt() time.Time { return e.At }

// Bill returns the account's bill of an item.
func (s State) Bill(itemID string) (Bill, bool) {
	if i := s.bill(itemID); i >= 0 {
		return s.Bills[i], true
	}
	return Bill{}, false
}

func (s State) bill(itemID string) int {
	return slices.IndexFunc(s.Bills, func(b Bill) bool { return b.ItemID == itemID })
}

// decideBill decides the bill commands; ok is false for any other command.
func decideBill(s State, cmd Command, now time.Time) (e Event, amt money.Amount, ok bool, err error) {
	switch c := cmd.(type) {
	case IssueBill:
		e, err = decideIssueBill(s, c, now)
		return e, 0, true, err
	case PayBillCash:
		e, err = decidePayBillCash(s, c, now)
		return e, c.Amount, true, err
	case ExemptBill:
		e, err = decideExemptBill(s, c, now)
		return e, c.Amount, true, err
	case PayBillFromBalance:
		e, err = decidePayFromBalance(s, c, now)
		return e, c.Amount, true, err
	case CloseBill:
		e, err = decideCloseBill(s, c, now)
		return e, 0, true, err
	case PayBillOnline:
		e, err = decidePayBillOnline(s, c, now)
		return e, c.Amount, true, err
	}
	return nil, 0, false, nil
}

func decideIssueBill(s State, c IssueBill, now time.Time) (Event, error) {
	if c.SchoolID != s.SchoolID {
		return nil, ErrWrongSchool
	}
	if _, err := fee.NewBill(c.ItemID, c.Amount, c.DueDay, c.AllowBalance); err != nil {
		return nil, feeError(err)
	}
	switch {
	case s.bill(c.ItemID) >= 0:
		return nil, ErrBillAlreadyIssued
	case len(s.Bills) >= MaxBills:
		return nil, ErrTooManyBills
	}
	return BillIssued{Key: c.IdemKey, ItemID: c.ItemID, Amount: c.Amount, DueDay: c.DueDay, AllowBalance: c.AllowBalance, At: now}, nil
}

func decidePayBillCash(s State, c PayBillCash, now time.Time) (Event, error) {
	if c.StaffID == "" {
		return nil, fmt.Errorf("%w: a cash payment needs the staff member", ErrInvalid)
	}
	b, ok := s.Bill(c.ItemID)
	if !ok {
		return nil, ErrBillNotFound
	}
	if _, err := b.Pay(c.Amount); err != nil {
		return nil, feeError(err)
	}
	return BillPaidCash{Key: c.IdemKey, ItemID: c.ItemID, Amount: c.Amount, Voucher: c.Voucher, StaffID: c.StaffID, At: now}, nil
}

func decideExemptBill(s State, c ExemptBill, now time.Time) (Event, error) {
	b, ok := s.Bill(c.ItemID)
	if !ok {
		return nil, ErrBillNotFound
	}
	if _, err := b.Exempt(c.Amount, c.Reason, c.ApprovedBy); err != nil {
		return nil, feeError(err)
	}
	return BillExempted{Key: c.IdemKey, ItemID: c.ItemID, Amount: c.Amount, Reason: c.Reason, ApprovedBy: c.ApprovedBy, At: now}, nil
}

func decidePayFromBalance(s State, c PayBillFromBalance, now time.Time) (Event, error) {
	b, ok := s.Bill(c.ItemID)
	if !ok {
		return nil, ErrBillNotFound
	}
	if !b.AllowBalance {
		return nil, ErrBalanceNotAllowed
	}
	if _, err := b.Pay(c.Amount); err != nil {
		return nil, feeError(err)
	}
	after, err := s.Balance.Sub(c.Amount)
	if err != nil {
		return nil, err
	}
	if after < 0 { // fees never go into arrears
		return nil, &InsufficientFundsError{Balance: s.Balance, Amount: c.Amount}
	}
	return BillPaidFromBalance{Key: c.IdemKey, ItemID: c.ItemID, Amount: c.Amount, At: now}, nil
}

func decideCloseBill(s State, c CloseBill, now time.Time) (Event, error) {
	b, ok := s.Bill(c.ItemID)
	if !ok {
		return nil, ErrBillNotFound
	}
	if _, err := b.Close(); err != nil {
		return nil, feeError(err)
	}
	return BillClosed{Key: c.IdemKey, ItemID: c.ItemID, At: now}, nil
}

// feeError names a fee rule's amount error as this package's.
func feeError(err error) error {
	if errors.Is(err, fee.ErrInvalidAmount) {
		return ErrInvalidAmount
	}
	if errors.Is(err, fee.ErrInvalidItem) {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return err
}

// applyBill folds a bill event into s; ok is false for any other event. The rules
// were checked by Decide: a violation here is a corrupt journal and panics.
func applyBill(s State, e Event) (State, bool) {
	var (
		item string
		move func(Bill) (Bill, error)
	)
	switch e := e.(type) {
	case BillIssued:
		b, err := fee.NewBill(e.ItemID, e.Amount, e.DueDay, e.AllowBalance)
		if err != nil {
			panic(fmt.Sprintf("account: BillIssued %q: %v", e.ItemID, err))
		}
		s.Bills = append(slices.Clip(s.Bills), b)
		return s, true
	case BillPaidCash:
		item, move = e.ItemID, func(b Bill) (Bill, error) { return b.Pay(e.Amount) }
	case BillPaidFromBalance:
		item, move = e.ItemID, func(b Bill) (Bill, error) { return b.Pay(e.Amount) }
		s.Balance -= e.Amount
	case BillExempted:
		item, move = e.ItemID, func(b Bill) (Bill, error) { return b.Exempt(e.Amount, e.Reason, e.ApprovedBy) }
	case BillClosed:
		item, move = e.ItemID, func(b Bill) (Bill, error) { return b.Close() }
	case BillPaidOnline:
		item, move = e.ItemID, func(b Bill) (Bill, error) { return b.Pay(e.Amount) }
	case BillPaymentCredited:
		s.Balance += e.Amount
		return s, true
	default:
		return s, false
	}
	i := s.bill(item)
	if i < 0 {
		panic(fmt.Sprintf("account: %s of unknown bill %q", e.EventType(), item))
	}
	b, err := move(s.Bills[i])
	if err != nil {
		panic(fmt.Sprintf("account: %s of bill %q: %v", e.EventType(), item, err))
	}
	s.Bills = slices.Clone(s.Bills)
	s.Bills[i] = b
	return s, true
}
