package account

import (
	"errors"
	"fmt"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
)

// ErrInvalid reports a malformed command. The more precise ErrInvalid…
// errors below all wrap it, so errors.Is(err, ErrInvalid) holds for any of
// them.
var ErrInvalid = errors.New("account: invalid command")

// Errors of malformed commands (all wrap ErrInvalid).
var (
	// ErrInvalidAmount reports an amount that must be positive (or, for a
	// daily cap, non-negative) and is not.
	ErrInvalidAmount = fmt.Errorf("%w: invalid amount", ErrInvalid)
	// ErrItemsMismatch reports purchase items whose total differs from the
	// purchase amount, or malformed items.
	ErrItemsMismatch = fmt.Errorf("%w: items do not add up to the amount", ErrInvalid)
	// ErrInvalidLimits reports limits out of range.
	ErrInvalidLimits = fmt.Errorf("%w: invalid limits", ErrInvalid)
	// ErrInvalidRandom reports a card random that is not two decimal digits.
	ErrInvalidRandom = fmt.Errorf("%w: card random must be two digits", ErrInvalid)
	// ErrInvalidExpiry reports a card expiry that is not a valid date or is
	// already past.
	ErrInvalidExpiry = fmt.Errorf("%w: invalid card expiry", ErrInvalid)
	// ErrRandomReused reports a re-issue with a random this account has
	// already used (the current one included).
	ErrRandomReused = fmt.Errorf("%w: card random already used by this account", ErrInvalid)
)

// Errors of commands that are well-formed but declined by the rules.
var (
	// ErrNotOpened reports a command on an account that has no
	// AccountOpened event.
	ErrNotOpened = errors.New("account: not opened")
	// ErrAlreadyOpened reports an Open on an opened account.
	ErrAlreadyOpened = errors.New("account: already opened")
	// ErrWrongSchool reports a terminal of another school than the pupil's.
	ErrWrongSchool = errors.New("account: terminal of another school")
	// ErrCardLost reports the current card after a loss report.
	ErrCardLost = errors.New("account: card reported lost")
	// ErrCardReplaced reports a card that is not the current one (an older
	// generation, or a random/expiry the account does not hold).
	ErrCardReplaced = errors.New("account: card replaced")
	// ErrCardExpired reports a card whose expiry day is before today.
	ErrCardExpired = errors.New("account: card expired")
	// ErrDailyCap reports a purchase beyond the daily spend cap.
	ErrDailyCap = errors.New("account: daily spend cap exceeded")
	// ErrInsufficientFunds reports a purchase above the balance without an
	// override; the error is an *InsufficientFundsError.
	ErrInsufficientFunds = errors.New("account: insufficient funds")
	// ErrArrearsCap reports an overridden purchase beyond the arrears cap;
	// the error is an *ArrearsCapError.
	ErrArrearsCap = errors.New("account: arrears cap exceeded")
	// ErrArrearsCapBelowDebt reports an arrears cap lower than the current
	// debt.
	ErrArrearsCapBelowDebt = errors.New("account: arrears cap below current debt")
	// ErrPurchaseNotFound reports a void of a purchase that is not among the
	// recent purchases.
	ErrPurchaseNotFound = errors.New("account: purchase not found")
	// ErrVoidWrongTerminal reports a void from another terminal than the
	// purchase's.
	ErrVoidWrongTerminal = errors.New("account: void from another terminal")
	// ErrAlreadyVoided reports a second void of a purchase.
	ErrAlreadyVoided = errors.New("account: purchase already voided")
	// ErrVoidWindowClosed reports a void later than VoidWindow after the
	// purchase.
	ErrVoidWindowClosed = errors.New("account: void window closed")
	// ErrRechargeSingleMax reports a recharge order above SingleRechargeMax.
	ErrRechargeSingleMax = errors.New("account: recharge above single maximum")
	// ErrRechargeBalanceCap reports a recharge order that would take
	// balance + pending recharges above BalanceCap.
	ErrRechargeBalanceCap = errors.New("account: recharge above balance cap")
	// ErrIdempotencyConflict reports a key already used with another payload.
	ErrIdempotencyConflict = errors.New("account: idempotency key reused with another payload")
)

// InsufficientFundsError is the decline of a purchase above the balance
// without override. It matches ErrInsufficientFunds.
type InsufficientFundsError struct {
	Balance money.Amount // balance before the purchase
	Amount  money.Amount // amount of the purchase
	// ArrearsAvailable is how much more debt an override could still take:
	// ArrearsCap minus the current debt, never negative.
	ArrearsAvailable money.Amount
}

func (e *InsufficientFundsError) Error() string {
	return fmt.Sprintf("account: insufficient funds: balance %s, amount %s, arrears available %s",
		e.Balance, e.Amount, e.ArrearsAvailable)
}

// Is makes errors.Is(err, ErrInsufficientFunds) hold.
func (e *InsufficientFundsError) Is(target error) bool { return target == ErrInsufficientFunds }

// ArrearsCapError is the decline of an overridden purchase that would take
// the balance below -ArrearsCap. It matches ErrArrearsCap.
type ArrearsCapError struct {
	Balance          money.Amount // balance before the purchase
	Amount           money.Amount // amount of the purchase
	ArrearsAvailable money.Amount // as in InsufficientFundsError
}

func (e *ArrearsCapError) Error() string {
	return fmt.Sprintf("account: arrears cap exceeded: balance %s, amount %s, arrears available %s",
		e.Balance, e.Amount, e.ArrearsAvailable)
}

// Is makes errors.Is(err, ErrArrearsCap) hold.
func (e *ArrearsCapError) Is(target error) bool { return target == ErrArrearsCap }

// reasons maps errors to stable machine codes, most specific first.
var reasons = []struct {
	err  error
	code reason.Code
}{
	{ErrInvalidAmount, reason.InvalidAmount},
	{ErrItemsMismatch, reason.ItemsMismatch},
	{ErrInvalidLimits, reason.InvalidLimits},
	{ErrInvalidRandom, reason.InvalidCardRandom},
	{ErrInvalidExpiry, reason.InvalidCardExpiry},
	{ErrRandomReused, reason.CardRandomReused},
	{ErrInvalid, reason.InvalidCommand},
	{ErrNotOpened, reason.AccountNotOpened},
	{ErrAlreadyOpened, reason.AccountAlreadyOpened},
	{ErrWrongSchool, reason.WrongSchool},
	{ErrCardLost, reason.CardLost},
	{ErrCardReplaced, reason.CardReplaced},
	{ErrCardExpired, reason.CardExpired},
	{ErrDailyCap, reason.DailyCapExceeded},
	{ErrInsufficientFunds, reason.InsufficientFunds},
	{ErrArrearsCap, reason.ArrearsCapExceeded},
	{ErrArrearsCapBelowDebt, reason.ArrearsCapBelowDebt},
	{ErrPurchaseNotFound, reason.PurchaseNotFound},
	{ErrVoidWrongTerminal, reason.VoidWrongTerminal},
	{ErrAlreadyVoided, reason.AlreadyVoided},
	{ErrVoidWindowClosed, reason.VoidWindowClosed},
	{ErrRechargeSingleMax, reason.RechargeSingleMax},
	{ErrRechargeBalanceCap, reason.RechargeBalanceCap},
	{ErrBillNotFound, reason.BillNotFound},
	{ErrBillAlreadyIssued, reason.BillAlreadyIssued},
	{ErrTooManyBills, reason.TooManyBills},
	{ErrBalanceNotAllowed, reason.BillBalanceNotAllowed},
	{fee.ErrOverpaid, reason.BillOverpaid},
	{fee.ErrBillClosed, reason.BillClosed},
	{fee.ErrNeedsReason, reason.ExemptionNeedsReason},
	{fee.ErrNeedsApprover, reason.ExemptionNeedsApprover},
	{ErrRefundExceeded, reason.RefundExceeded},
	{ErrRefundBalanceShort, reason.RefundBalanceShort},
	{ErrRefundNotOpen, reason.RefundNotOpen},
	{ErrTooManyOpenRefunds, reason.RefundTooManyOpen},
	{ErrIdempotencyConflict, reason.IdempotencyConflict},
	{money.ErrOverflow, reason.AmountOverflow},
}

// Reason returns the stable machine reason code of an error of this
// package ("CARD_LOST", "INSUFFICIENT_FUNDS", …), "" for nil and
// "INTERNAL" for any other error. Edges map these codes to their protocols.
func Reason(err error) reason.Code {
	if err == nil {
		return ""
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.code
		}
	}
	return reason.Internal
}
