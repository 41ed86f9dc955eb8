package account

import (
	"fmt"
	"time"

	"github.com/onecode/onecode/domain/schoolday"

	"github.com/onecode/onecode/domain/money"
)

// Bounds of the account state and commands.
const (
	// MaxRecentPurchases is how many purchases State keeps for voids.
	MaxRecentPurchases = 32
	// VoidWindow is how long after a purchase its terminal may void it.
	VoidWindow = 10 * time.Minute
	// MaxItems bounds the items of one purchase.
	MaxItems = 100
)

// CardState is the state of the pupil's current card.
type CardState uint8

// Card states. The zero value is not a valid state of an opened account.
const (
	CardActive CardState = iota + 1
	CardLost
	// CardExpired is never stored: it is the effective state of an active
	// card whose expiry day is past (see Card.StateOn).
	CardExpired
)

func (c CardState) String() string {
	switch c {
	case CardActive:
		return "active"
	case CardLost:
		return "lost"
	case CardExpired:
		return "expired"
	default:
		return fmt.Sprintf("CardState(%d)", uint8(c))
	}
}

// Date is a school calendar day as the number YYYYMMDD (schoolday.Date), as printed
// in the QR code. Dates compare correctly with < and ==.
type Date = schoolday.Date

// NewDate returns the Date of year, month and day (not validated; see Date.Valid).
func NewDate(year int, month time.Month, day int) Date { return schoolday.NewDate(year, month, day) }

// DayOf returns the school day (Asia/Shanghai) of t.
func DayOf(t time.Time) Date { return schoolday.Of(t) }

// Card is the pupil's current card.
type Card struct {
	State CardState
	// Generation counts loss reports and re-issues; it starts at 1.
	Generation int
	// Random is the two-digit random field printed on the current card.
	Random string
	// Expiry is the last day the card is valid.
	Expiry Date
}

// StateOn returns the effective state of the card on day today.
func (c Card) StateOn(today Date) CardState {
	if c.State == CardActive && c.Expiry < today {
		return CardExpired
	}
	return c.State
}

// Limits are the account's limits. Defaults come from school
// configuration; DailySpendCap is set by parents, the others by the school.
type Limits struct {
	SingleRechargeMax money.Amount // > 0
	BalanceCap        money.Amount // > 0; balance + pending recharges
	DailySpendCap     money.Amount // >= 0; 0 means no daily cap
	ArrearsCap        money.Amount // >= 0; 0 means no arrears
}

func (l Limits) valid() bool {
	return l.SingleRechargeMax > 0 && l.BalanceCap > 0 && l.DailySpendCap >= 0 && l.ArrearsCap >= 0
}

// RandomSet is the set of two-digit card randoms ("00".."99") an account
// has used, as a bit set.
type RandomSet [2]uint64

// validRandom reports whether r is two decimal digits.
func validRandom(r string) bool {
	return len(r) == 2 && r[0] >= '0' && r[0] <= '9' && r[1] >= '0' && r[1] <= '9'
}

func randomIndex(r string) int { return int(r[0]-'0')*10 + int(r[1]-'0') }

// Has reports whether r is in the set; r must be two digits.
func (s RandomSet) Has(r string) bool {
	if !validRandom(r) {
		return false
	}
	i := randomIndex(r)
	return s[i/64]&(1<<(i%64)) != 0
}

// With returns the set with r added; r must be two digits.
func (s RandomSet) With(r string) RandomSet {
	if validRandom(r) {
		i := randomIndex(r)
		s[i/64] |= 1 << (i % 64)
	}
	return s
}

// RecentPurchase is what State keeps of a purchase so that it can be voided.
type RecentPurchase struct {
	Key        string // the purchase's idempotency key
	TerminalID string
	CanteenID  string
	Amount     money.Amount
	At         time.Time
	CapDay     Date // the day whose spend the purchase counted towards
	Voided     bool
}

// State is a pupil's account: the fold of its events by Apply. It is a
// value; Apply never modifies the state it is given.
type State struct {
	AccountID string
	SchoolID  string
	StudentNo string
	// Seq is the sequence number of the last applied event (0: none).
	Seq uint64
	// Balance is signed; it is negative only through arrears and never
	// below -Limits.ArrearsCap.
	Balance     money.Amount
	Card        Card
	UsedRandoms RandomSet
	Limits      Limits
	// SpentDay and SpentToday track the spend towards the daily cap: the
	// amount of purchases (net of voids) counted towards day SpentDay.
	SpentDay   Date
	SpentToday money.Amount
	// Recent holds the last MaxRecentPurchases purchases, oldest first. The
	// entries are shared between states and never modified: Apply replaces an
	// entry it changes. (Pointers, so that a purchase copies 32 words, not 32
	// records.)
	Recent []*RecentPurchase
	// Bills are the account's fee bills in the order they were issued, at most
	// MaxBills (copied on write, like Recent).
	Bills []Bill
	// LowBalanceNotified: the low-balance notice of the last crossing went out
	// and no credit has re-armed it yet (lowbalance.go).
	LowBalanceNotified bool
	// OpenRefunds are the refunds reserved and not yet settled or released, at most
	// MaxOpenRefunds, oldest first (copied on write).
	OpenRefunds []OpenRefund
}

// Opened reports whether the account has been opened.
func (s State) Opened() bool { return s.AccountID != "" }

// SpentOn returns what counts towards the daily cap on day today. If the
// clock went back (today before SpentDay), the later day's spend counts.
func (s State) SpentOn(today Date) money.Amount {
	if today <= s.SpentDay {
		return s.SpentToday
	}
	return 0
}

// Debt returns the arrears owed: -Balance if negative, else 0.
func (s State) Debt() money.Amount {
	if s.Balance < 0 {
		return -s.Balance
	}
	return 0
}

// ArrearsAvailable returns how much more debt the account may take with an
// override: ArrearsCap minus the current debt, never negative.
func (s State) ArrearsAvailable() money.Amount {
	if a := s.Limits.ArrearsCap - s.Debt(); a > 0 {
		return a
	}
	return 0
}

// recent returns the index of the recent purchase with key, or -1. It runs
// on every purchase over the whole list, whose keys are mostly one
// terminal's "T1:1041", "T1:1042": of one length, differing at the end. So
// the last byte is compared before the whole key (5% of the switch's CPU
// under load went to comparing the equal prefixes).
func (s State) recent(key string) int {
	n := len(key)
	for i, r := range s.Recent {
		if k := r.Key; len(k) == n && (n == 0 || k[n-1] == key[n-1]) && k == key {
			return i
		}
	}
	return -1
}
