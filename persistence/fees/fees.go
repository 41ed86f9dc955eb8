package fees

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/schoolday"
)

// Bounds enforced by every Store.
const (
	MaxIDLen       = 128 // bytes in an item, school, account, class or staff id
	MaxListLimit   = 500 // rows of one ListItems or ListBills page
	MaxClassTotals = 1000
	// MaxAmounts bounds the per-pupil amounts of one item (one import).
	MaxAmounts = 5000
	// MaxAmountFen is the largest amount of one pupil (1,000,000 yuan).
	MaxAmountFen = 100_000_000
	// MaxNoteRunes bounds the note of a per-pupil amount; MaxStudentNoLen its
	// student number.
	MaxNoteRunes    = 100
	MaxStudentNoLen = 32
)

// Errors. Check them with errors.Is.
var (
	// ErrNotFound: no such item.
	ErrNotFound = errors.New("fees: not found")
	// ErrConflict: the item id is taken, or the item is not in the expected state.
	ErrConflict = errors.New("fees: conflict")
	// ErrInvalid: the request is malformed. Nothing was written.
	ErrInvalid = errors.New("fees: invalid request")
)

// Item is a fee item as stored.
type Item struct {
	fee.Item
	CreatedBy string // staff id
	CreatedAt time.Time
	UpdatedAt time.Time // set by the store on every write
}

// Bill is one row of the bill read model: a bill as its grain last reported it.
type Bill struct {
	ItemID      string
	AccountID   string
	SchoolID    string
	ClassID     string
	DueFen      int64
	PaidFen     int64
	ExemptedFen int64
	Status      fee.Status
	// Seq is the account sequence the row reflects; a write with a lower or equal
	// one changes nothing.
	Seq int64
	// RefundedFen is what was paid and went back, or is going back (≤ PaidFen).
	RefundedFen int64
}

// ClassTotal sums the bills of one item in one class.
type ClassTotal struct {
	ClassID        string
	Bills          int64
	Settled        int64 // bills paid or exempt in full
	DueFen         int64
	PaidFen        int64
	ExemptedFen    int64
	OutstandingFen int64
	RefundedFen    int64
}

// Amount is what one pupil owes for a draft item, imported from a file: publishing
// bills each listed pupil this amount.
type Amount struct {
	AccountID string
	StudentNo string
	AmountFen int64
	Note      string
	// Line is the file's line (CSV) or row (XLSX) the amount came from.
	Line int
}

// Store keeps items and the bill read model. Implementations are safe for concurrent
// use, also from several processes on one database.
type Store interface {
	// CreateItem writes a new draft item and its first change ch (its ItemID is
	// set to the item's) in one transaction (ErrConflict if the id is taken).
	CreateItem(ctx context.Context, it Item, ch Change) (Item, error)
	// UpdateDraft replaces the definition of a draft item of the same school and
	// appends ch (as AppendChange) in one transaction (ErrConflict if it is no
	// longer a draft; ErrNotFound if there is no such item).
	UpdateDraft(ctx context.Context, it Item, ch Change) (Item, error)
	// AppendChange appends ch to its item's journal with the next seq; a change
	// whose (item, key) is already there writes nothing and answers the stored row
	// with created false (ErrNotFound if there is no such item).
	AppendChange(ctx context.Context, ch Change) (got Change, created bool, err error)
	// ListChanges returns up to limit (1…MaxChangeListSize) changes of the item
	// with seq > afterSeq, in seq order.
	ListChanges(ctx context.Context, itemID string, afterSeq int64, limit int) ([]Change, error)
	// GetItem returns an item (ErrNotFound).
	GetItem(ctx context.Context, itemID string) (Item, error)
	// ListItems returns up to limit (1…MaxListLimit) items of the school, newest first.
	ListItems(ctx context.Context, schoolID string, limit int) ([]Item, error)
	// PublishedDueOn returns up to limit (1…MaxListLimit) published items of every
	// school whose last day to pay is day, with item id > after, in item id order
	// (the fee notices' due-tomorrow runner).
	PublishedDueOn(ctx context.Context, day schoolday.Date, after string, limit int) ([]Item, error)
	// MoveItem moves the item from state from to state to (fee.CanMove), ErrConflict
	// (with the current state) otherwise.
	MoveItem(ctx context.Context, itemID string, from, to fee.State) (Item, error)
	// PutBill writes a bill row unless the stored one has a Seq ≥ b.Seq; it reports
	// whether it wrote.
	PutBill(ctx context.Context, b Bill) (bool, error)
	// UpdateBill writes b's amounts, status and seq over the stored row of its
	// item and account unless that row has a Seq ≥ b.Seq, keeping the row's school
	// and class (b's are not read); it reports whether it wrote: false also when
	// there is no row (PutBill writes one). A payment's move of a published bill
	// needs no read of the pupil's class this way.
	UpdateBill(ctx context.Context, b Bill) (bool, error)
	// PutBills is PutBill of up to MaxListLimit bills in one statement (a
	// publish's page of new bills); it answers how many it wrote. A bill given
	// twice counts once, at its highest Seq.
	PutBills(ctx context.Context, bs []Bill) (int, error)
	// ListBills returns up to limit bills of the item with account id > after, in
	// account order; classID "" means every class.
	ListBills(ctx context.Context, itemID, classID, after string, limit int) ([]Bill, error)
	// ClassTotals sums the item's bills per class, in class order.
	ClassTotals(ctx context.Context, itemID string) ([]ClassTotal, error)
	// ReplaceAmounts replaces the per-pupil amounts of a draft item of the school
	// with amounts (1…MaxAmounts, one per account) and appends ch (as AppendChange)
	// in one transaction, all or nothing, serialised with MoveItem: ErrNotFound if
	// there is no such item of the school, ErrConflict if it is no longer a draft.
	// When ch's (item, key) is already journaled, that import was applied: nothing
	// is written and replaced is false.
	ReplaceAmounts(ctx context.Context, itemID, schoolID string, amounts []Amount, ch Change) (replaced bool, err error)
	// ListAmounts returns the item's per-pupil amounts (at most MaxAmounts) in line
	// order; none when nothing was imported.
	ListAmounts(ctx context.Context, itemID string) ([]Amount, error)
	Close() error
}

// ValidateItem checks an item before it is written and normalises its times.
func ValidateItem(it *Item) error {
	if err := checkID("item", it.ID); err != nil {
		return err
	}
	if err := checkID("school", it.SchoolID); err != nil {
		return err
	}
	if err := checkID("creator", it.CreatedBy); err != nil {
		return err
	}
	if err := it.Item.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	ids := append(append([]string{}, it.Target.ClassIDs...), it.Target.AccountIDs...)
	for _, id := range ids {
		if len(id) > MaxIDLen {
			return fmt.Errorf("%w: target id longer than %d bytes", ErrInvalid, MaxIDLen)
		}
	}
	if it.CreatedAt.IsZero() {
		return fmt.Errorf("%w: created_at must be set", ErrInvalid)
	}
	it.CreatedAt = Micro(it.CreatedAt)
	return nil
}

// ValidateBill checks a bill row.
func ValidateBill(b Bill) error {
	if err := checkID("school", b.SchoolID); err != nil {
		return err
	}
	if len(b.ClassID) > MaxIDLen {
		return fmt.Errorf("%w: class id longer than %d bytes", ErrInvalid, MaxIDLen)
	}
	return ValidateBillUpdate(b)
}

// ValidateBillUpdate checks what UpdateBill writes: ValidateBill without the
// school and class.
func ValidateBillUpdate(b Bill) error {
	for _, f := range []struct{ what, id string }{{"item", b.ItemID}, {"account", b.AccountID}} {
		if err := checkID(f.what, f.id); err != nil {
			return err
		}
	}
	switch {
	case b.DueFen <= 0 || b.PaidFen < 0 || b.ExemptedFen < 0 || b.PaidFen > b.DueFen || b.ExemptedFen > b.DueFen-b.PaidFen:
		return fmt.Errorf("%w: amounts due %d, paid %d, exempted %d", ErrInvalid, b.DueFen, b.PaidFen, b.ExemptedFen)
	case b.RefundedFen < 0 || b.RefundedFen > b.PaidFen:
		return fmt.Errorf("%w: refunded %d of paid %d", ErrInvalid, b.RefundedFen, b.PaidFen)
	case b.Seq <= 0:
		return fmt.Errorf("%w: seq %d", ErrInvalid, b.Seq)
	}
	switch b.Status {
	case fee.StatusUnpaid, fee.StatusPartlyPaid, fee.StatusPaid, fee.StatusExempt, fee.StatusClosed, fee.StatusRefunded:
		return nil
	}
	return fmt.Errorf("%w: status %q", ErrInvalid, b.Status)
}

// ValidateAmounts checks the amounts of one ReplaceAmounts.
func ValidateAmounts(amounts []Amount) error {
	if n := len(amounts); n == 0 || n > MaxAmounts {
		return fmt.Errorf("%w: %d amounts, want 1–%d", ErrInvalid, n, MaxAmounts)
	}
	seen := make(map[string]bool, len(amounts))
	for _, a := range amounts {
		switch {
		case checkID("account", a.AccountID) != nil:
			return checkID("account", a.AccountID)
		case seen[a.AccountID]:
			return fmt.Errorf("%w: account %s listed twice", ErrInvalid, a.AccountID)
		case a.AmountFen <= 0 || a.AmountFen > MaxAmountFen:
			return fmt.Errorf("%w: amount %d fen, want 1–%d", ErrInvalid, a.AmountFen, MaxAmountFen)
		case len(a.StudentNo) > MaxStudentNoLen, utf8.RuneCountInString(a.Note) > MaxNoteRunes, !utf8.ValidString(a.Note):
			return fmt.Errorf("%w: student no or note of %s too long", ErrInvalid, a.AccountID)
		case a.Line < 0:
			return fmt.Errorf("%w: line %d", ErrInvalid, a.Line)
		}
		seen[a.AccountID] = true
	}
	return nil
}

// ValidateLimit checks a page size.
func ValidateLimit(limit int) error {
	if limit < 1 || limit > MaxListLimit {
		return fmt.Errorf("%w: limit %d, want 1–%d", ErrInvalid, limit, MaxListLimit)
	}
	return nil
}

func checkID(what, id string) error {
	if id == "" || len(id) > MaxIDLen {
		return fmt.Errorf("%w: %s id must be 1–%d bytes", ErrInvalid, what, MaxIDLen)
	}
	return nil
}

// Micro is t in UTC at the precision both databases keep.
func Micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
