package account

import (
	"fmt"
	"slices"

	"github.com/onecode/onecode/domain/ledger"
	"github.com/onecode/onecode/domain/money"
)

// Apply returns the state after event e, with Seq bumped by one. It is
// deterministic, uses only s and e, and never modifies s (slices are copied
// on write). It panics only for a nil event or an event type of another
// package, which are programming errors.
func Apply(s State, e Event) State {
	balance, notified := s.Balance, s.LowBalanceNotified
	switch e := e.(type) {
	case AccountOpened:
		s = State{
			Seq:         s.Seq,
			AccountID:   e.AccountID,
			SchoolID:    e.SchoolID,
			StudentNo:   e.StudentNo,
			Limits:      e.Limits,
			Card:        Card{State: CardActive, Generation: 1, Random: e.CardRandom, Expiry: e.Expiry},
			UsedRandoms: RandomSet{}.With(e.CardRandom),
		}
	case Purchased:
		s.Balance -= e.Amount
		s = countSpend(s, e.CapDay, e.Amount)
		s.Recent = appendRecent(s.Recent, &RecentPurchase{
			Key: e.Key, TerminalID: e.TerminalID, CanteenID: e.CanteenID,
			Amount: e.Amount, At: e.At, CapDay: e.CapDay,
		})
	case PurchaseVoided:
		s.Balance += e.Amount
		if e.CapDay == s.SpentDay {
			s.SpentToday -= e.Amount
		}
		if i := s.recent(e.PurchaseKey); i >= 0 {
			voided := *s.Recent[i]
			voided.Voided = true
			s.Recent = slices.Clone(s.Recent)
			s.Recent[i] = &voided
		}
	case RechargeCredited:
		s.Balance += e.Amount
	case CardReportedLost:
		s.Card.State = CardLost
		s.Card.Generation++
	case CardReissued:
		s.Card = Card{State: CardActive, Generation: s.Card.Generation + 1, Random: e.Random, Expiry: e.Expiry}
		s.UsedRandoms = s.UsedRandoms.With(e.Random)
	case DailyCapSet:
		s.Limits.DailySpendCap = e.Amount
	case SchoolLimitsSet:
		s.Limits.SingleRechargeMax = e.SingleRechargeMax
		s.Limits.BalanceCap = e.BalanceCap
		s.Limits.ArrearsCap = e.ArrearsCap
	case FeePaid:
		// Paid through the aggregator: the wallet does not change.
	case SubsidyGranted:
		s.Balance += e.Amount
	default:
		var ok bool
		if s, ok = applyBill(s, e); !ok {
			s, ok = applyRefund(s, e)
		}
		if !ok {
			panic(fmt.Sprintf("account: Apply of unknown event %T", e))
		}
	}
	s.LowBalanceNotified = lowBalanceNotified(notified, balance, s.Balance, e)
	s.Seq++
	return s
}

// countSpend adds amount to the spend of day. The cap day never goes back:
// a purchase dated before SpentDay (a clock that went back) counts towards
// SpentDay.
func countSpend(s State, day Date, amount money.Amount) State {
	if day > s.SpentDay {
		s.SpentDay, s.SpentToday = day, 0
	}
	s.SpentToday += amount
	return s
}

// appendRecent returns a new slice with p appended, keeping the last
// MaxRecentPurchases.
func appendRecent(rs []*RecentPurchase, p *RecentPurchase) []*RecentPurchase {
	if len(rs) >= MaxRecentPurchases {
		rs = rs[len(rs)-MaxRecentPurchases+1:]
	}
	out := make([]*RecentPurchase, 0, len(rs)+1)
	return append(append(out, rs...), p)
}

// Postings returns the double-entry postings of event e of the account
// (nil for events that move no money). They always sum to zero.
func Postings(accountID, schoolID string, e Event) []ledger.Posting {
	wallet := ledger.Wallet(accountID)
	switch e := e.(type) {
	case Purchased:
		return ledger.Transfer(wallet, ledger.Merchant(e.CanteenID), e.Amount)
	case PurchaseVoided:
		return ledger.Transfer(ledger.Merchant(e.CanteenID), wallet, e.Amount)
	case RechargeCredited:
		return ledger.Transfer(ledger.AggregatorClearing, wallet, e.Amount)
	case FeePaid:
		return ledger.Transfer(ledger.AggregatorClearing, ledger.FeeIncome(schoolID), e.Amount)
	case SubsidyGranted:
		return ledger.Transfer(ledger.SubsidyFund(schoolID), wallet, e.Amount)
	case BillPaidCash:
		return ledger.Transfer(ledger.FeeCash(schoolID), ledger.FeeIncome(schoolID), e.Amount)
	case BillPaidFromBalance:
		return ledger.Transfer(wallet, ledger.FeeIncome(schoolID), e.Amount)
	case BillPaidOnline:
		return ledger.Transfer(ledger.AggregatorClearing, ledger.FeeIncome(schoolID), e.Amount)
	case BillPaymentCredited:
		return ledger.Transfer(ledger.AggregatorClearing, wallet, e.Amount)
	default:
		return refundPostings(accountID, schoolID, e)
	}
}
