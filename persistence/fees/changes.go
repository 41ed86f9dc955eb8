package fees

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Bounds of the change journal.
const (
	MaxChangeKeyLen   = 256  // bytes of a change key
	MaxRoleLen        = 32   // bytes of a role
	MaxDetailRunes    = 2000 // characters of a change's detail
	MaxChangeListSize = 500  // rows of one ListChanges page
)

// ChangeKind says what a change did to an item or one of its bills.
type ChangeKind string

// The kinds of change.
const (
	ChangeCreate        ChangeKind = "create"
	ChangeEdit          ChangeKind = "edit"
	ChangeImportAmounts ChangeKind = "import_amounts"
	ChangePublish       ChangeKind = "publish"
	ChangeClose         ChangeKind = "close"
	ChangeExempt        ChangeKind = "exempt"
	ChangeCash          ChangeKind = "cash"
	ChangeRemind        ChangeKind = "remind"
	ChangeRefund        ChangeKind = "refund"
	ChangeAddPupil      ChangeKind = "add_pupil"
)

// Valid reports whether k is a known kind.
func (k ChangeKind) Valid() bool {
	switch k {
	case ChangeCreate, ChangeEdit, ChangeImportAmounts, ChangePublish, ChangeClose, ChangeExempt, ChangeCash,
		ChangeRemind, ChangeRefund, ChangeAddPupil:
		return true
	}
	return false
}

// Change is one row of an item's journal of changes.
type Change struct {
	ItemID string
	// Seq numbers the item's changes 1, 2 … in the order they were written (set by
	// the store).
	Seq int64
	// Key makes a retried change one row: a second append with the same item and
	// key writes nothing and answers the first row.
	Key       string
	Kind      ChangeKind
	StaffID   string
	Role      string // the staff member's role ("" if unknown)
	AccountID string // the pupil the change concerns ("" for the whole item)
	At        time.Time
	Detail    string // free text, up to MaxDetailRunes characters
}

// ValidateChange checks a change before it is written and normalises its time.
func ValidateChange(c *Change) error {
	if err := checkID("item", c.ItemID); err != nil {
		return err
	}
	if err := checkID("staff", c.StaffID); err != nil {
		return err
	}
	switch {
	case c.Key == "" || len(c.Key) > MaxChangeKeyLen:
		return fmt.Errorf("%w: change key must be 1–%d bytes", ErrInvalid, MaxChangeKeyLen)
	case !c.Kind.Valid():
		return fmt.Errorf("%w: change kind %q", ErrInvalid, c.Kind)
	case len(c.Role) > MaxRoleLen:
		return fmt.Errorf("%w: role longer than %d bytes", ErrInvalid, MaxRoleLen)
	case len(c.AccountID) > MaxIDLen:
		return fmt.Errorf("%w: account id longer than %d bytes", ErrInvalid, MaxIDLen)
	case !utf8.ValidString(c.Detail) || utf8.RuneCountInString(c.Detail) > MaxDetailRunes:
		return fmt.Errorf("%w: detail must be valid UTF-8 of at most %d characters", ErrInvalid, MaxDetailRunes)
	case c.At.IsZero():
		return fmt.Errorf("%w: change time must be set", ErrInvalid)
	}
	c.At = Micro(c.At)
	return nil
}
