package fee

import (
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/schoolday"
)

// Bounds of an item.
const (
	MaxTitleRunes     = 100
	MaxTargetClasses  = 200
	MaxTargetAccounts = 5000
	// MaxAmount bounds an item's amount per pupil: 1,000,000.00 CNY.
	MaxAmount money.Amount = 100_000_000
)

// Category is what a fee is for.
type Category string

// Categories of fee items.
const (
	Tuition   Category = "tuition"
	Books     Category = "books"
	Uniform   Category = "uniform"
	Meals     Category = "meals"
	Trip      Category = "trip"
	Insurance Category = "insurance"
	Other     Category = "other"
)

// Categories lists every category.
var Categories = []Category{Tuition, Books, Uniform, Meals, Trip, Insurance, Other}

// State is where an item is in its life: draft → published → closed.
type State string

// Item states.
const (
	Draft     State = "draft"
	Published State = "published"
	Closed    State = "closed"
)

// CanMove reports whether an item may move from one state to another.
func CanMove(from, to State) bool {
	return (from == Draft && to == Published) || (from == Published && to == Closed)
}

// TargetKind says who an item is for.
type TargetKind string

// Target kinds.
const (
	TargetSchool   TargetKind = "school"
	TargetClasses  TargetKind = "classes"
	TargetAccounts TargetKind = "accounts"
)

// Target is who an item bills: the whole school, some classes or listed pupils.
type Target struct {
	Kind       TargetKind
	ClassIDs   []string // TargetClasses
	AccountIDs []string // TargetAccounts
}

// Item is a fee item definition. It moves no money.
type Item struct {
	ID           string
	SchoolID     string
	Title        string
	Category     Category
	Amount       money.Amount // per pupil, fen, > 0
	Target       Target
	Due          schoolday.Date // last day to pay
	AllowBalance bool           // the card balance may pay it
	State        State
}

// Errors of item definitions.
var (
	// ErrInvalidItem reports an item that breaks a rule; the message says which.
	ErrInvalidItem = errors.New("fee: invalid item")
	// ErrEmptyTarget reports a target naming no class or pupil.
	ErrEmptyTarget = fmt.Errorf("%w: the target names no class or pupil", ErrInvalidItem)
)

// Validate checks an item definition (not its id, school or state, which the store
// owns).
func (it Item) Validate() error {
	n := utf8.RuneCountInString(it.Title)
	switch {
	case n == 0 || n > MaxTitleRunes || !utf8.ValidString(it.Title):
		return fmt.Errorf("%w: title must be 1–%d characters", ErrInvalidItem, MaxTitleRunes)
	case !slices.Contains(Categories, it.Category):
		return fmt.Errorf("%w: category %q", ErrInvalidItem, it.Category)
	case !it.Amount.Positive() || it.Amount > MaxAmount:
		return fmt.Errorf("%w: amount must be 0.01–%s", ErrInvalidItem, MaxAmount)
	case !it.Due.Valid():
		return fmt.Errorf("%w: due day %d", ErrInvalidItem, it.Due)
	}
	return it.Target.Validate()
}

// Validate checks a target: a known kind, non-empty lists within bounds, no
// duplicates.
func (t Target) Validate() error {
	switch t.Kind {
	case TargetSchool:
		if len(t.ClassIDs)+len(t.AccountIDs) != 0 {
			return fmt.Errorf("%w: a whole-school target lists nothing", ErrInvalidItem)
		}
		return nil
	case TargetClasses:
		return checkList(t.ClassIDs, t.AccountIDs, MaxTargetClasses, "class")
	case TargetAccounts:
		return checkList(t.AccountIDs, t.ClassIDs, MaxTargetAccounts, "pupil")
	}
	return fmt.Errorf("%w: target kind %q", ErrInvalidItem, t.Kind)
}

func checkList(ids, other []string, limit int, what string) error {
	switch {
	case len(ids) == 0:
		return ErrEmptyTarget
	case len(other) != 0:
		return fmt.Errorf("%w: a target lists either classes or pupils", ErrInvalidItem)
	case len(ids) > limit:
		return fmt.Errorf("%w: more than %d %ss", ErrInvalidItem, limit, what)
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == "" || seen[id] {
			return fmt.Errorf("%w: empty or repeated %s id", ErrInvalidItem, what)
		}
		seen[id] = true
	}
	return nil
}

// BillKey is the idempotency key of the bill of an item for an account: issuing it
// twice (a publish re-run after a crash) answers the first outcome.
func BillKey(itemID, accountID string) string { return "bill:" + itemID + ":" + accountID }

// CloseKey is the idempotency key of closing the bill of an item for an account.
func CloseKey(itemID, accountID string) string { return "billclose:" + itemID + ":" + accountID }
