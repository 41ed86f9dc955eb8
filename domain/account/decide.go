package account

import (
	"fmt"
	"slices"
	"time"

	"github.com/onecode/onecode/domain/money"
)

// Outcome is the answer to an accepted command, stored with its key so that
// a retry gets the same answer.
type Outcome struct {
	Event          string       // type of the last event appended
	Seq            uint64       // account Seq after the command
	Amount         money.Amount // amount moved (0 for commands moving none)
	Balance        money.Amount // balance after the command
	Arrears        bool         // a purchase approved on arrears
	CardGeneration int          // card generation after the command
	// Bill is the bill after a bill command (zero for other commands).
	Bill Bill
}

// Decision is the result of an accepted command: the events to append and
// the outcome to answer.
type Decision struct {
	Events  []Event
	Outcome Outcome
	// Next is the state after Events: the fold of Events over the state given to
	// Decide, computed once so that the caller need not apply them again.
	Next State
}

// Decide checks cmd against state s at time now. An accepted command
// returns the events to append; a declined one returns a typed error of
// this package (see Reason) and no events. Decide does not modify s.
func Decide(s State, cmd Command, now time.Time) (Decision, error) {
	if cmd == nil || cmd.Key() == "" {
		return Decision{}, fmt.Errorf("%w: missing idempotency key", ErrInvalid)
	}
	if _, ok := cmd.(Open); !ok && !s.Opened() {
		return Decision{}, ErrNotOpened
	}
	var (
		e   Event
		amt money.Amount
		err error
	)
	switch c := cmd.(type) {
	case Open:
		e, err = decideOpen(s, c, now)
	case Purchase:
		e, err = decidePurchase(s, c, now)
		amt = c.Amount
	case Void:
		e, err = decideVoid(s, c, now)
	case RechargeCredit:
		e, err = decideRecharge(s, c, now)
		amt = c.Amount
	case ReportLoss:
		e, err = decideReportLoss(c, now)
	case Reissue:
		e, err = decideReissue(s, c, now)
	case SetDailyCap:
		e, err = decideDailyCap(c, now)
	case SetSchoolLimits:
		e, err = decideSchoolLimits(s, c, now)
	case PayFee:
		e, err = decidePayFee(c, now)
		amt = c.Amount
	case GrantSubsidy:
		e, err = decideSubsidy(s, c, now)
		amt = c.Amount
	default:
		var ok bool
		if e, amt, ok, err = decideBill(s, cmd, now); !ok {
			e, amt, ok, err = decideRefund(s, cmd, now)
		}
		if !ok {
			panic(fmt.Sprintf("account: Decide of unknown command %T", cmd))
		}
	}
	if err != nil {
		return Decision{}, err
	}
	next := Apply(s, e)
	return Decision{Events: []Event{e}, Outcome: outcomeOf(e, amt, next), Next: next}, nil
}

// outcomeOf is what the caller is told of event e, amt and the state next it left:
// the arrears a purchase ran into, a void's amount, the bill a bill event touched.
func outcomeOf(e Event, amt money.Amount, next State) Outcome {
	out := Outcome{
		Event: e.EventType(), Seq: next.Seq, Amount: amt,
		Balance: next.Balance, CardGeneration: next.Card.Generation,
	}
	switch e := e.(type) {
	case Purchased:
		out.Arrears = e.Arrears
	case PurchaseVoided:
		out.Amount = e.Amount
	case BillIssued:
		out.Bill, _ = next.Bill(e.ItemID)
	case BillPaidCash:
		out.Bill, _ = next.Bill(e.ItemID)
	case BillExempted:
		out.Bill, _ = next.Bill(e.ItemID)
	case BillPaidFromBalance:
		out.Bill, _ = next.Bill(e.ItemID)
	case BillClosed:
		out.Bill, _ = next.Bill(e.ItemID)
	case BillPaidOnline:
		out.Bill, _ = next.Bill(e.ItemID)
	case BillPaymentCredited:
		out.Bill, _ = next.Bill(e.ItemID)
	default:
		if item := refundItem(e); item != "" {
			out.Bill, _ = next.Bill(item)
		}
	}
	return out
}

func decideOpen(s State, c Open, now time.Time) (Event, error) {
	switch {
	case s.Opened():
		return nil, ErrAlreadyOpened
	case c.AccountID == "" || c.SchoolID == "" || c.StudentNo == "":
		return nil, fmt.Errorf("%w: account, school and student number are required", ErrInvalid)
	case !c.Limits.valid():
		return nil, ErrInvalidLimits
	case !validRandom(c.CardRandom):
		return nil, ErrInvalidRandom
	case !c.Expiry.Valid() || c.Expiry < DayOf(now):
		return nil, ErrInvalidExpiry
	}
	return AccountOpened{
		AccountID: c.AccountID, SchoolID: c.SchoolID, StudentNo: c.StudentNo,
		Limits: c.Limits, CardRandom: c.CardRandom, Expiry: c.Expiry, At: now,
	}, nil
}

func decidePurchase(s State, c Purchase, now time.Time) (Event, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	if c.SchoolID != s.SchoolID {
		return nil, ErrWrongSchool
	}
	if s.recent(c.IdemKey) >= 0 {
		return nil, fmt.Errorf("%w: purchase key %q", ErrIdempotencyConflict, c.IdemKey)
	}
	today := DayOf(now)
	if err := checkCard(s.Card, c.Card, today); err != nil {
		return nil, err
	}
	capDay := max(today, s.SpentDay)
	spent, err := s.SpentOn(today).Add(c.Amount)
	if err != nil {
		return nil, err
	}
	if s.Limits.DailySpendCap > 0 && spent > s.Limits.DailySpendCap {
		return nil, fmt.Errorf("%w: spent %s of %s", ErrDailyCap, s.SpentOn(today), s.Limits.DailySpendCap)
	}
	after, err := s.Balance.Sub(c.Amount)
	if err != nil {
		return nil, err
	}
	arrears := after < 0
	switch {
	case arrears && !c.Override:
		return nil, &InsufficientFundsError{Balance: s.Balance, Amount: c.Amount, ArrearsAvailable: s.ArrearsAvailable()}
	case arrears && after < -s.Limits.ArrearsCap:
		return nil, &ArrearsCapError{Balance: s.Balance, Amount: c.Amount, ArrearsAvailable: s.ArrearsAvailable()}
	}
	return Purchased{
		Key: c.IdemKey, TerminalID: c.TerminalID, CanteenID: c.CanteenID,
		Items: slices.Clone(c.Items), Amount: c.Amount, Arrears: arrears,
		CapDay: capDay, At: now,
	}, nil
}

// validate checks the purchase's own fields.
func (c Purchase) validate() error {
	if c.TerminalID == "" || c.CanteenID == "" {
		return fmt.Errorf("%w: terminal and canteen are required", ErrInvalid)
	}
	if !c.Amount.Positive() {
		return ErrInvalidAmount
	}
	if len(c.Items) == 0 {
		return nil
	}
	if len(c.Items) > MaxItems {
		return fmt.Errorf("%w: more than %d items", ErrItemsMismatch, MaxItems)
	}
	var total money.Amount
	for _, it := range c.Items {
		if it.UnitPrice < 0 || it.Qty <= 0 {
			return fmt.Errorf("%w: item %q", ErrItemsMismatch, it.Code)
		}
		line, err := it.UnitPrice.Mul(it.Qty)
		if err != nil {
			return fmt.Errorf("%w: item %q overflows", ErrItemsMismatch, it.Code)
		}
		if total, err = total.Add(line); err != nil {
			return fmt.Errorf("%w: items overflow", ErrItemsMismatch)
		}
	}
	if total != c.Amount {
		return fmt.Errorf("%w: items %s, amount %s", ErrItemsMismatch, total, c.Amount)
	}
	return nil
}

// checkCard checks that the presented card is the current one and usable.
func checkCard(current Card, p PresentedCard, today Date) error {
	if p.Random != current.Random || p.Expiry != current.Expiry {
		return ErrCardReplaced
	}
	switch current.StateOn(today) {
	case CardActive:
		return nil
	case CardLost:
		return ErrCardLost
	case CardExpired:
		return ErrCardExpired
	default:
		panic(fmt.Sprintf("account: card in state %v", current.State))
	}
}

func decideVoid(s State, c Void, now time.Time) (Event, error) {
	i := s.recent(c.PurchaseKey)
	if i < 0 {
		return nil, ErrPurchaseNotFound
	}
	p := s.Recent[i]
	switch {
	case p.TerminalID != c.TerminalID:
		return nil, ErrVoidWrongTerminal
	case p.Voided:
		return nil, ErrAlreadyVoided
	case now.Sub(p.At) > VoidWindow:
		return nil, ErrVoidWindowClosed
	}
	if _, err := s.Balance.Add(p.Amount); err != nil {
		return nil, err
	}
	return PurchaseVoided{
		Key: c.IdemKey, PurchaseKey: p.Key, TerminalID: p.TerminalID, CanteenID: p.CanteenID,
		Amount: p.Amount, CapDay: p.CapDay, At: now,
	}, nil
}

func decideRecharge(s State, c RechargeCredit, now time.Time) (Event, error) {
	switch {
	case c.OrderID == "" || c.OrderID != c.IdemKey:
		return nil, fmt.Errorf("%w: the key of a recharge is its order id", ErrInvalid)
	case !c.Amount.Positive():
		return nil, ErrInvalidAmount
	}
	if _, err := s.Balance.Add(c.Amount); err != nil {
		return nil, err
	}
	return RechargeCredited{OrderID: c.OrderID, Amount: c.Amount, At: now}, nil
}

func decideReportLoss(c ReportLoss, now time.Time) (Event, error) {
	if c.By != ByParent && c.By != ByStaff {
		return nil, fmt.Errorf("%w: reporter %q", ErrInvalid, c.By)
	}
	return CardReportedLost{Key: c.IdemKey, By: c.By, At: now}, nil
}

func decideReissue(s State, c Reissue, now time.Time) (Event, error) {
	switch {
	case !validRandom(c.Random):
		return nil, ErrInvalidRandom
	case s.UsedRandoms.Has(c.Random) || c.Random == s.Card.Random:
		return nil, ErrRandomReused
	case !c.Expiry.Valid() || c.Expiry < DayOf(now):
		return nil, ErrInvalidExpiry
	}
	return CardReissued{Key: c.IdemKey, Random: c.Random, Expiry: c.Expiry, At: now}, nil
}

func decideDailyCap(c SetDailyCap, now time.Time) (Event, error) {
	if c.Amount < 0 {
		return nil, ErrInvalidLimits
	}
	return DailyCapSet{Key: c.IdemKey, Amount: c.Amount, At: now}, nil
}

func decideSchoolLimits(s State, c SetSchoolLimits, now time.Time) (Event, error) {
	l := s.Limits
	l.SingleRechargeMax, l.BalanceCap, l.ArrearsCap = c.SingleRechargeMax, c.BalanceCap, c.ArrearsCap
	if !l.valid() {
		return nil, ErrInvalidLimits
	}
	if c.ArrearsCap < s.Debt() {
		return nil, fmt.Errorf("%w: debt %s", ErrArrearsCapBelowDebt, s.Debt())
	}
	return SchoolLimitsSet{
		Key: c.IdemKey, SingleRechargeMax: c.SingleRechargeMax,
		BalanceCap: c.BalanceCap, ArrearsCap: c.ArrearsCap, At: now,
	}, nil
}

func decidePayFee(c PayFee, now time.Time) (Event, error) {
	switch {
	case c.FeeItemID == "" || c.OrderID == "":
		return nil, fmt.Errorf("%w: fee item and order are required", ErrInvalid)
	case !c.Amount.Positive():
		return nil, ErrInvalidAmount
	}
	return FeePaid{Key: c.IdemKey, FeeItemID: c.FeeItemID, OrderID: c.OrderID, Amount: c.Amount, At: now}, nil
}

func decideSubsidy(s State, c GrantSubsidy, now time.Time) (Event, error) {
	switch {
	case c.Reason == "":
		return nil, fmt.Errorf("%w: subsidy reason is required", ErrInvalid)
	case !c.Amount.Positive():
		return nil, ErrInvalidAmount
	}
	if _, err := s.Balance.Add(c.Amount); err != nil {
		return nil, err
	}
	return SubsidyGranted{Key: c.IdemKey, Amount: c.Amount, Reason: c.Reason, At: now}, nil
}

// CheckRecharge validates a new recharge order before it is created (it
// is not an event): amount > 0, amount <= SingleRechargeMax and
// balance + pending + amount <= BalanceCap, where pending is the sum of the
// account's recharge orders created and not yet credited or failed.
func CheckRecharge(s State, amount, pending money.Amount) error {
	switch {
	case !s.Opened():
		return ErrNotOpened
	case !amount.Positive() || pending < 0:
		return ErrInvalidAmount
	case amount > s.Limits.SingleRechargeMax:
		return fmt.Errorf("%w: maximum %s", ErrRechargeSingleMax, s.Limits.SingleRechargeMax)
	}
	total, err := s.Balance.Add(pending)
	if err == nil {
		total, err = total.Add(amount)
	}
	if err != nil || total > s.Limits.BalanceCap {
		return fmt.Errorf("%w: balance %s, pending %s, cap %s", ErrRechargeBalanceCap, s.Balance, pending, s.Limits.BalanceCap)
	}
	return nil
}
