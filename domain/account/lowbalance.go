package account

import "github.com/onecode/onecode/domain/money"

// Low-balance notices fire once per crossing: when a purchase takes the balance
// from at least LowBalanceThreshold to below it. The notice is then spent until a
// credit (a recharge, a subsidy, a fee payment credited to the wallet) lifts the
// balance to at least LowBalanceThreshold + LowBalanceMargin, which re-arms it.
// The armed flag (State.LowBalanceNotified, inverted so that the zero state and an
// older snapshot are armed) is a fold of the events, so a replay, a restart or
// another member's activation derives the same crossings.
const (
	LowBalanceThreshold money.Amount = 1000 // ¥10.00
	LowBalanceMargin    money.Amount = 500  // ¥5.00
)

// LowBalanceCrossed reports whether event e, applied to before, crossed the
// low-balance threshold with the notice armed: the one purchase that notifies.
func LowBalanceCrossed(before State, e Event) bool {
	return crossed(before.LowBalanceNotified, before.Balance, e)
}

func crossed(notified bool, balance money.Amount, e Event) bool {
	p, ok := e.(Purchased)
	return ok && !notified && balance >= LowBalanceThreshold && balance-p.Amount < LowBalanceThreshold
}

// lowBalanceNotified is the flag after e, given the flag and the balance before
// it and the balance after.
func lowBalanceNotified(notified bool, before, after money.Amount, e Event) bool {
	switch e.(type) {
	case AccountOpened:
		return false
	case Purchased:
		return notified || crossed(notified, before, e)
	case RechargeCredited, SubsidyGranted, BillPaymentCredited:
		return notified && after < LowBalanceThreshold+LowBalanceMargin
	default:
		return notified
	}
}
