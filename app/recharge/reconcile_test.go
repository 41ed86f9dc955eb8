package recharge_test

import (
	"fmt"
	"testing"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/persistence/orders"
)

// TestReconcileStatement: a statement that agrees with our credited orders and
// succeeded refunds reports nothing; one planted amount mismatch, a payment only the
// provider has and refunds only we have are each reported once, in order.
func TestReconcileStatement(t *testing.T) {
	credited := []orders.Order{{OrderID: "R1", AmountFen: 5000}, {OrderID: "R2", AmountFen: 12300}}
	refunds := []orders.Refund{{RefundNo: "F1", OrderID: "R1", AmountFen: 1000}}
	lines := []recharge.StatementLine{
		{Kind: recharge.LinePayment, OrderID: "R1", AmountFen: 5000},
		{Kind: recharge.LinePayment, OrderID: "R2", AmountFen: 12300},
		{Kind: recharge.LineRefund, OrderID: "R1", RefundNo: "F1", AmountFen: 1000},
	}
	if d := recharge.Reconcile(lines, credited, refunds); len(d) != 0 {
		t.Fatalf("agreeing books: %v", d)
	}
	lines[1].AmountFen = 12400 // planted
	// The statement loses refund F1 and shows a payment R9 we never credited; we also
	// settled a refund F2 it does not show.
	lines = append(lines[:2], recharge.StatementLine{Kind: recharge.LinePayment, OrderID: "R9", AmountFen: 700})
	refunds = append(refunds, orders.Refund{RefundNo: "F2", OrderID: "R2", AmountFen: 300})
	got := fmt.Sprint(recharge.Reconcile(lines, credited, refunds))
	want := "[amount_mismatch payment R2 ours=12300 provider=12400 missing_at_provider refund F1 ours=1000 provider=0 " +
		"missing_at_provider refund F2 ours=300 provider=0 missing_at_us payment R9 ours=0 provider=700]"
	if got != want {
		t.Fatalf("report\n got %s\nwant %s", got, want)
	}
	if _, _, err := recharge.ChinaDay("2026-13-01"); err == nil {
		t.Fatal("a bad day accepted")
	}
	from, to, err := recharge.ChinaDay("2026-12-05")
	if err != nil || from.UTC().Format("2006-01-02T15") != "2026-12-04T16" || to.Sub(from).Hours() != 24 {
		t.Fatalf("China day: %v %v %v", from, to, err)
	}
}
