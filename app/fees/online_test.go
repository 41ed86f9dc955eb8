package fees

import (
	"context"
	"testing"

	"github.com/onecode/onecode/domain/ledger"
	"github.com/onecode/onecode/domain/reason"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// TestPrepareOnline: only the guardian, only a published open item, and the amount
// is what the bill has outstanding; a bill paid online is projected to the read model.
func TestPrepareOnline(t *testing.T) {
	svc, g, _ := newWorld(t, 2)
	ctx := context.Background()
	it := classItem(t, svc, 5000, false)
	_, err := svc.PrepareOnline(ctx, "par_1", "acc_0000", it.ID)
	if reason.Of(err) != reason.FeeItemNotPublished {
		t.Fatalf("draft: %v", err)
	}
	if _, err := svc.Publish(ctx, fin, it.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordCash(ctx, fin, Movement{ItemID: it.ID, AccountID: "acc_0000", AmountFen: 1200, RequestID: "c1"}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.PrepareOnline(ctx, "par_1", "acc_0000", it.ID)
	if err != nil || got.AmountFen != 3800 || got.AccountID != "acc_0000" || got.ItemID != it.ID {
		t.Fatalf("PrepareOnline = %+v, %v; want the outstanding 3800", got, err)
	}
	for _, tc := range []struct {
		name, parent, account, item string
		want                        reason.Code
	}{
		{"another parent", "par_2", "acc_0000", it.ID, reason.NotFound},
		{"another child", "par_1", "acc_0001", it.ID, reason.NotFound},
		{"unknown item", "par_1", "acc_0000", "FINOSUCHITEM000000", reason.FeeItemNotFound},
	} {
		if _, err := svc.PrepareOnline(ctx, tc.parent, tc.account, tc.item); reason.Of(err) != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
	// The verified payment settles the bill in the grain (app/recharge); the read model follows.
	resp, err := g.Execute(ctx, "acc_0000", &grainv1.ExecuteRequest{IdemKey: "RONLINE000000000001", Command: &grainv1.ExecuteRequest_PayBillOnline{
		PayBillOnline: &grainv1.PayBillOnlineCommand{ItemId: it.ID, OrderId: "RONLINE000000000001", AmountFen: 3800}}})
	if err != nil || resp.GetAccepted() == nil {
		t.Fatalf("pay online: %v %v", resp, err)
	}
	svc.ProjectBill(ctx, "acc_0000", resp.GetAccepted())
	rows, _, err := svc.ListBills(ctx, fin, it.ID, "", "", MaxPage)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.AccountID == "acc_0000" && (r.PaidFen != 5000 || r.Status != "paid") {
			t.Fatalf("read model after the online payment: %+v", r)
		}
	}
	if _, err := svc.PrepareOnline(ctx, "par_1", "acc_0000", it.ID); reason.Of(err) != reason.BillNothingDue {
		t.Fatalf("paid bill: %v, want BILL_NOTHING_DUE", err)
	}
	if !ledger.Balanced(g.postings) {
		t.Fatal("ledger does not sum to zero")
	}
}
