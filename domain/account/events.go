package account

import (
	"time"

	"github.com/onecode/onecode/domain/money"
)

// Event is a fact appended to an account's journal. Events are a storage
// format: their type names and fields are stable. The set is closed: only
// the types of this package implement it.
type Event interface {
	// EventType returns the stable name of the event type.
	EventType() string
	// OccurredAt returns the time the event records.
	OccurredAt() time.Time
	isEvent()
}

// AccountOpened is the first event of every account.
type AccountOpened struct {
	AccountID  string
	SchoolID   string
	StudentNo  string
	Limits     Limits
	CardRandom string
	Expiry     Date
	At         time.Time
}

// Purchased records an approved purchase.
type Purchased struct {
	Key        string
	TerminalID string
	CanteenID  string
	Items      []Item
	Amount     money.Amount
	Arrears    bool // approved by override with the balance short
	// CapDay is the day whose spend the purchase counts towards.
	CapDay Date
	At     time.Time
}

// PurchaseVoided records the void of a purchase.
type PurchaseVoided struct {
	Key         string // the void's key
	PurchaseKey string
	TerminalID  string
	CanteenID   string
	Amount      money.Amount
	CapDay      Date // the purchase's CapDay
	At          time.Time
}

// RechargeCredited records a recharge confirmed by the aggregator.
type RechargeCredited struct {
	OrderID string
	Amount  money.Amount
	At      time.Time
}

// CardReportedLost records a loss report.
type CardReportedLost struct {
	Key string
	By  string
	At  time.Time
}

// CardReissued records a new card.
type CardReissued struct {
	Key    string
	Random string
	Expiry Date
	At     time.Time
}

// DailyCapSet records a new daily spend cap.
type DailyCapSet struct {
	Key    string
	Amount money.Amount
	At     time.Time
}

// SchoolLimitsSet records new school limits.
type SchoolLimitsSet struct {
	Key               string
	SingleRechargeMax money.Amount
	BalanceCap        money.Amount
	ArrearsCap        money.Amount
	At                time.Time
}

// FeePaid records a fee item paid online.
type FeePaid struct {
	Key       string
	FeeItemID string
	OrderID   string
	Amount    money.Amount
	At        time.Time
}

// SubsidyGranted records a subsidy credited to the account.
type SubsidyGranted struct {
	Key    string
	Amount money.Amount
	Reason string
	At     time.Time
}

// EventType implements Event.
func (AccountOpened) EventType() string { return "AccountOpened" }

// EventType implements Event.
func (Purchased) EventType() string { return "Purchased" }

// EventType implements Event.
func (PurchaseVoided) EventType() string { return "PurchaseVoided" }

// EventType implements Event.
func (RechargeCredited) EventType() string { return "RechargeCredited" }

// EventType implements Event.
func (CardReportedLost) EventType() string { return "CardReportedLost" }

// EventType implements Event.
func (CardReissued) EventType() string { return "CardReissued" }

// EventType implements Event.
func (DailyCapSet) EventType() string { return "DailyCapSet" }

// EventType implements Event.
func (SchoolLimitsSet) EventType() string { return "SchoolLimitsSet" }

// EventType implements Event.
func (FeePaid) EventType() string { return "FeePaid" }

// EventType implements Event.
func (SubsidyGranted) EventType() string { return "SubsidyGranted" }

func (AccountOpened) isEvent()    {}
func (Purchased) isEvent()        {}
func (PurchaseVoided) isEvent()   {}
func (RechargeCredited) isEvent() {}
func (CardReportedLost) isEvent() {}
func (CardReissued) isEvent()     {}
func (DailyCapSet) isEvent()      {}
func (SchoolLimitsSet) isEvent()  {}
func (FeePaid) isEvent()          {}
func (SubsidyGranted) isEvent()   {}

// OccurredAt implements Event.
func (e AccountOpened) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e Purchased) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e PurchaseVoided) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e RechargeCredited) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e CardReportedLost) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e CardReissued) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e DailyCapSet) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e SchoolLimitsSet) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e FeePaid) OccurredAt() time.Time { return e.At }

// OccurredAt implements Event.
func (e SubsidyGranted) OccurredAt() time.Time { return e.At }
