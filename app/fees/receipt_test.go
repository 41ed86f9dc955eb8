package fees

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/journal"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// History implements Journal over the grains' events: newest first, seq < before.
func (g *grains) History(_ context.Context, id string, before int64, limit int) ([]journal.Event, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []journal.Event
	evs := g.events[id]
	for i := len(evs) - 1; i >= 0 && len(out) < limit; i-- {
		if before <= 0 || evs[i].Seq < before {
			out = append(out, evs[i])
		}
	}
	return out, nil
}

// TestFeeReceiptPayments: the receipt lists every payment on the bill, oldest first,
// with its time, amount and order number, voucher or balance, the refunded part of
// an online payment (a released refund is not), and nothing of another item's bill.
func TestFeeReceiptPayments(t *testing.T) {
	svc, g, _ := newWorld(t, 1)
	svc.d.Journal = g
	ctx := context.Background()
	it := classItem(t, svc, 6000, true)
	other := classItem(t, svc, 900, false)
	for _, id := range []string{it.ID, other.ID} {
		if _, err := svc.Publish(ctx, fin, id); err != nil {
			t.Fatal(err)
		}
	}
	exec := func(req *grainv1.ExecuteRequest) {
		t.Helper()
		if r, err := g.Execute(ctx, "acc_0000", req); err != nil || r.GetAccepted() == nil {
			t.Fatalf("%v: %v %v", req, r, err)
		}
	}
	exec(&grainv1.ExecuteRequest{IdemKey: "P100", Command: &grainv1.ExecuteRequest_RechargeCredit{
		RechargeCredit: &grainv1.RechargeCreditCommand{OrderId: "P100", AmountFen: 5000}}})
	if _, err := svc.RecordCash(ctx, fin, Movement{ItemID: it.ID, AccountID: "acc_0000", AmountFen: 1000, Text: "NO.7", RequestID: "c1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordCash(ctx, fin, Movement{ItemID: other.ID, AccountID: "acc_0000", AmountFen: 900, Text: "NO.8", RequestID: "c2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PayFromBalance(ctx, "par_1", Movement{ItemID: it.ID, AccountID: "acc_0000", AmountFen: 2000, RequestID: "b1"}); err != nil {
		t.Fatal(err)
	}
	exec(&grainv1.ExecuteRequest{IdemKey: "P200", Command: &grainv1.ExecuteRequest_PayBillOnline{
		PayBillOnline: &grainv1.PayBillOnlineCommand{ItemId: it.ID, OrderId: "P200", AmountFen: 3000}}})
	// 12.00 of P200 refunded (settled), 5.00 asked and given up.
	exec(&grainv1.ExecuteRequest{IdemKey: "R1", Command: &grainv1.ExecuteRequest_ReserveRefund{ReserveRefund: &grainv1.ReserveRefundCommand{
		RefundId: "R1", OrderId: "P200", ItemId: it.ID, AmountFen: 1200}}})
	exec(&grainv1.ExecuteRequest{IdemKey: "R1s", Command: &grainv1.ExecuteRequest_SettleRefund{SettleRefund: &grainv1.SettleRefundCommand{RefundId: "R1"}}})
	exec(&grainv1.ExecuteRequest{IdemKey: "R2", Command: &grainv1.ExecuteRequest_ReserveRefund{ReserveRefund: &grainv1.ReserveRefundCommand{
		RefundId: "R2", OrderId: "P200", ItemId: it.ID, AmountFen: 500}}})
	exec(&grainv1.ExecuteRequest{IdemKey: "R2r", Command: &grainv1.ExecuteRequest_ReleaseRefund{ReleaseRefund: &grainv1.ReleaseRefundCommand{RefundId: "R2"}}})
	r, err := svc.Receipt(ctx, "par_1", "acc_0000", it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.PaidFen != 6000 || len(r.Payments) != 3 {
		t.Fatalf("receipt %+v, want 60.00 paid in 3 payments", r)
	}
	want := []Payment{{AmountFen: 1000, Method: PaidCash, Reference: "NO.7"}, {AmountFen: 2000, Method: PaidBalance},
		{AmountFen: 3000, Method: PaidOnline, Reference: "P200", RefundedFen: 1200}}
	for i, p := range r.Payments {
		at := p.At
		p.At = time.Time{}
		if p != want[i] || at.IsZero() {
			t.Fatalf("payment %d = %+v at %v, want %+v", i, p, at, want[i])
		}
	}
	svc.d.Journal = nil
	if r, err := svc.Receipt(ctx, "par_1", "acc_0000", it.ID); err != nil || len(r.Payments) != 0 || r.PaidFen != 6000 {
		t.Fatalf("receipt without a journal: %+v, %v", r, err)
	}
}
