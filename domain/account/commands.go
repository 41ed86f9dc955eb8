package account

import (
	"github.com/onecode/onecode/domain/money"
)

// Command is a request to change an account. The set of commands is closed:
// only the types of this package implement it.
type Command interface {
	// Key returns the command's idempotency key.
	Key() string
	// encode writes the canonical encoding used by Fingerprint.
	encode(e *encoder)
}

// Who may report a card lost.
const (
	ByParent = "parent"
	ByStaff  = "staff"
)

// Open opens an account; its event is the first of every account.
type Open struct {
	IdemKey    string
	AccountID  string
	SchoolID   string
	StudentNo  string
	Limits     Limits
	CardRandom string // two digits, printed on the first card
	Expiry     Date   // last valid day of the first card
}

// Item is one line of a purchase (a dish scanned by its barcode).
type Item struct {
	Code      string
	Name      string
	UnitPrice money.Amount // >= 0
	Qty       int64        // > 0
}

// PresentedCard is what a terminal read from the scanned QR code.
type PresentedCard struct {
	Random string
	Expiry Date
}

// Purchase debits the account for a meal.
type Purchase struct {
	IdemKey    string // e.g. terminal id and terminal sequence
	SchoolID   string // school of the terminal
	TerminalID string
	CanteenID  string
	Items      []Item // optional; if given they must add up to Amount
	Amount     money.Amount
	Card       PresentedCard
	// Override is an operator's approval to let the pupil eat on arrears.
	Override bool
}

// Void cancels a recent purchase of the same terminal.
type Void struct {
	IdemKey     string
	TerminalID  string
	PurchaseKey string // IdemKey of the purchase
}

// RechargeCredit credits a recharge the aggregator confirmed. Its IdemKey
// is the order id.
type RechargeCredit struct {
	IdemKey string
	OrderID string
	Amount  money.Amount
}

// ReportLoss reports the current card lost.
type ReportLoss struct {
	IdemKey string
	By      string // ByParent or ByStaff
}

// Reissue issues a new card. Random is chosen by the caller's randomness
// among the randoms the account never used (see State.UsedRandoms).
type Reissue struct {
	IdemKey string
	Random  string
	Expiry  Date
}

// SetDailyCap sets the daily spend cap (parents); 0 removes the cap.
type SetDailyCap struct {
	IdemKey string
	Amount  money.Amount
}

// SetSchoolLimits sets the limits owned by the school.
type SetSchoolLimits struct {
	IdemKey           string
	SingleRechargeMax money.Amount
	BalanceCap        money.Amount
	ArrearsCap        money.Amount
}

// PayFee records a fee item paid online through the aggregator. It does
// not change the wallet.
type PayFee struct {
	IdemKey   string
	FeeItemID string
	OrderID   string
	Amount    money.Amount
}

// GrantSubsidy credits the account from the school's subsidy fund.
type GrantSubsidy struct {
	IdemKey string
	Amount  money.Amount
	Reason  string
}

// Key implements Command.
func (c Open) Key() string { return c.IdemKey }

// Key implements Command.
func (c Purchase) Key() string { return c.IdemKey }

// Key implements Command.
func (c Void) Key() string { return c.IdemKey }

// Key implements Command.
func (c RechargeCredit) Key() string { return c.IdemKey }

// Key implements Command.
func (c ReportLoss) Key() string { return c.IdemKey }

// Key implements Command.
func (c Reissue) Key() string { return c.IdemKey }

// Key implements Command.
func (c SetDailyCap) Key() string { return c.IdemKey }

// Key implements Command.
func (c SetSchoolLimits) Key() string { return c.IdemKey }

// Key implements Command.
func (c PayFee) Key() string { return c.IdemKey }

// Key implements Command.
func (c GrantSubsidy) Key() string { return c.IdemKey }

func (c Open) encode(e *encoder) {
	e.str("Open")
	e.strs(c.IdemKey, c.AccountID, c.SchoolID, c.StudentNo)
	e.limits(c.Limits)
	e.str(c.CardRandom)
	e.int(int64(c.Expiry))
}

func (c Purchase) encode(e *encoder) {
	e.str("Purchase")
	e.strs(c.IdemKey, c.SchoolID, c.TerminalID, c.CanteenID)
	e.int(int64(len(c.Items)))
	for _, it := range c.Items {
		e.strs(it.Code, it.Name)
		e.int(int64(it.UnitPrice))
		e.int(it.Qty)
	}
	e.int(int64(c.Amount))
	e.str(c.Card.Random)
	e.int(int64(c.Card.Expiry))
	e.bool(c.Override)
}

func (c Void) encode(e *encoder) {
	e.str("Void")
	e.strs(c.IdemKey, c.TerminalID, c.PurchaseKey)
}

func (c RechargeCredit) encode(e *encoder) {
	e.str("RechargeCredit")
	e.strs(c.IdemKey, c.OrderID)
	e.int(int64(c.Amount))
}

func (c ReportLoss) encode(e *encoder) {
	e.str("ReportLoss")
	e.strs(c.IdemKey, c.By)
}

func (c Reissue) encode(e *encoder) {
	e.str("Reissue")
	e.strs(c.IdemKey, c.Random)
	e.int(int64(c.Expiry))
}

func (c SetDailyCap) encode(e *encoder) {
	e.str("SetDailyCap")
	e.str(c.IdemKey)
	e.int(int64(c.Amount))
}

func (c SetSchoolLimits) encode(e *encoder) {
	e.str("SetSchoolLimits")
	e.str(c.IdemKey)
	e.int(int64(c.SingleRechargeMax))
	e.int(int64(c.BalanceCap))
	e.int(int64(c.ArrearsCap))
}

func (c PayFee) encode(e *encoder) {
	e.str("PayFee")
	e.strs(c.IdemKey, c.FeeItemID, c.OrderID)
	e.int(int64(c.Amount))
}

func (c GrantSubsidy) encode(e *encoder) {
	e.str("GrantSubsidy")
	e.str(c.IdemKey)
	e.int(int64(c.Amount))
	e.str(c.Reason)
}
