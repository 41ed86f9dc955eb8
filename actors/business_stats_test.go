package actors

import (
	"fmt"
	"testing"

	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

func TestBusinessStatsCounts(t *testing.T) {
	b := &BusinessStats{}
	for _, r := range []*apiv1.PayResult{
		{Outcome: apiv1.PayResult_OUTCOME_APPROVED, AmountFen: 1200},
		{Outcome: apiv1.PayResult_OUTCOME_APPROVED, AmountFen: 800, Arrears: true},
		{Outcome: apiv1.PayResult_OUTCOME_APPROVED, AmountFen: 800, Replayed: true}, // counted once, at first
		{Outcome: apiv1.PayResult_OUTCOME_DECLINED, Reason: string(reason.InsufficientFunds)},
		nil, // a session error: no pay result
	} {
		b.NotePay(r)
	}
	b.NoteTerminalAuthFailure("bad_mac")
	b.NoteRechargeCredited(5000)
	if got, want := fmt.Sprint(b.Sales.Load(), b.SalesFen.Load(), b.ArrearsSales.Load(), b.Recharges.Load(), b.RechargedFen.Load()), "2 2000 1 1 5000"; got != want {
		t.Errorf("sales, fen, arrears, recharges, recharged fen: got %s, want %s", got, want)
	}
	d := b.Declines()
	if d[string(reason.InsufficientFunds)] != 1 || len(d) != len(DeclineReasons) {
		t.Errorf("declines: got %v, want one INSUFFICIENT_FUNDS among the %d reasons at zero", d, len(DeclineReasons))
	}
	if a := b.AuthFailures(); a["bad_mac"] != 1 || a["protocol"] != 0 || len(a) != len(AuthFailureKinds) {
		t.Errorf("auth failures: got %v", a)
	}
	var none *BusinessStats // a nil BusinessStats counts nothing and reports zeros
	none.NotePay(&apiv1.PayResult{Outcome: apiv1.PayResult_OUTCOME_APPROVED})
	if len(none.Declines()) != len(DeclineReasons) {
		t.Error("nil BusinessStats: declines not reported at zero")
	}
}

// TestBusinessStatsLabelsBounded: unknown reasons beyond maxLabels count as "other".
func TestBusinessStatsLabelsBounded(t *testing.T) {
	b := &BusinessStats{}
	for i := range 2 * maxLabels {
		b.NotePay(&apiv1.PayResult{Outcome: apiv1.PayResult_OUTCOME_DECLINED, Reason: fmt.Sprint("R", i)})
	}
	d := b.Declines()
	if len(d) > maxLabels+len(DeclineReasons)+1 || d["other"] != maxLabels {
		t.Errorf("got %d labels, other = %d; want at most %d, other = %d", len(d), d["other"], maxLabels+len(DeclineReasons)+1, maxLabels)
	}
}
