package actors

import (
	"sync"
	"sync/atomic"

	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// maxLabels bounds the distinct labels a BusinessStats keeps per count (reasons,
// failure kinds); the rest are counted under "other".
const maxLabels = 64

// BusinessStats counts what the switch does for its users, for metrics: sales and
// declines at the terminals, failed terminal handshakes, recharges credited. A nil
// *BusinessStats counts nothing. Safe for concurrent use.
type BusinessStats struct {
	// Sales are approved purchases answered for the first time (not replays), SalesFen
	// their amount, ArrearsSales those approved on arrears.
	Sales, SalesFen, ArrearsSales atomic.Int64
	// Recharges are recharge orders credited (not replays), RechargedFen their amount.
	Recharges, RechargedFen atomic.Int64

	declines     labelCounts
	authFailures labelCounts
}

// DeclineReasons are the purchase declines counted from the start (at zero), so that
// their series exist before the first decline.
var DeclineReasons = []reason.Code{
	reason.InsufficientFunds, reason.ArrearsCapExceeded, reason.DailyCapExceeded, reason.CardLost,
	reason.CardReplaced, reason.CardExpired, reason.InvalidCard, reason.WrongSchool,
}

// AuthFailureKinds are the failed terminal handshakes, by kind.
var AuthFailureKinds = []string{"unknown_terminal", "disabled", "bad_mac", "protocol"}

// NotePay counts the answer to one pay.
func (b *BusinessStats) NotePay(r *apiv1.PayResult) {
	if b == nil || r == nil {
		return
	}
	switch r.GetOutcome() {
	case apiv1.PayResult_OUTCOME_APPROVED:
		if r.GetReplayed() {
			return
		}
		b.Sales.Add(1)
		b.SalesFen.Add(r.GetAmountFen())
		if r.GetArrears() {
			b.ArrearsSales.Add(1)
		}
	case apiv1.PayResult_OUTCOME_DECLINED:
		b.declines.add(r.GetReason())
	}
}

// NoteTerminalAuthFailure counts one failed terminal handshake of kind (one of
// AuthFailureKinds).
func (b *BusinessStats) NoteTerminalAuthFailure(kind string) {
	if b != nil {
		b.authFailures.add(kind)
	}
}

// NoteRechargeCredited counts one recharge credited for the first time.
func (b *BusinessStats) NoteRechargeCredited(fen int64) {
	if b != nil {
		b.Recharges.Add(1)
		b.RechargedFen.Add(fen)
	}
}

// Declines are the declined pays by reason, DeclineReasons included at zero.
func (b *BusinessStats) Declines() map[string]int64 {
	out := map[string]int64{}
	if b != nil {
		out = b.declines.snapshot()
	}
	for _, r := range DeclineReasons {
		if _, ok := out[string(r)]; !ok {
			out[string(r)] = 0
		}
	}
	return out
}

// AuthFailures are the failed terminal handshakes by kind, AuthFailureKinds at zero.
func (b *BusinessStats) AuthFailures() map[string]int64 {
	out := map[string]int64{}
	if b != nil {
		out = b.authFailures.snapshot()
	}
	for _, k := range AuthFailureKinds {
		if _, ok := out[k]; !ok {
			out[k] = 0
		}
	}
	return out
}

// labelCounts is a bounded count per label.
type labelCounts struct {
	mu sync.Mutex
	m  map[string]int64
}

func (l *labelCounts) add(label string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]int64{}
	}
	if _, ok := l.m[label]; !ok && len(l.m) >= maxLabels {
		label = "other"
	}
	l.m[label]++
}

func (l *labelCounts) snapshot() map[string]int64 {
	out := map[string]int64{}
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, v := range l.m {
		out[k] = v
	}
	return out
}
