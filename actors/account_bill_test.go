package actors

import (
	"reflect"
	"testing"

	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

func issueBillReq(item string, fen int64, allowBalance bool) *grainv1.ExecuteRequest {
	return &grainv1.ExecuteRequest{IdemKey: "bill:" + item + ":acc-bill", Command: &grainv1.ExecuteRequest_IssueBill{IssueBill: &grainv1.IssueBillCommand{
		SchoolId: "35001", ItemId: item, AmountFen: fen, DueDay: "20260930", AllowBalance: allowBalance}}}
}

func cashReq(key, item string, fen int64) *grainv1.ExecuteRequest {
	return &grainv1.ExecuteRequest{IdemKey: key, Command: &grainv1.ExecuteRequest_PayBillCash{PayBillCash: &grainv1.PayBillCashCommand{
		ItemId: item, AmountFen: fen, Voucher: "V1", StaffId: "fin-1"}}}
}

// TestAccountCoreBills: bills are journaled money: a snapshot carries them, a fresh
// activation answers a retry with the first bill, the wallet pays only what it holds,
// and the ledger sums to zero.
func TestAccountCoreBills(t *testing.T) {
	deps, _ := newTestDeps(t, 3) // a snapshot every 3 events, so bills cross snapshots
	c := mustLoad(t, "acc-bill", deps)
	exec(t, c, openReq("open"))
	wantAccepted(t, exec(t, c, rechargeReq("ord1", 3000)), 3000, false)
	wantAccepted(t, exec(t, c, issueBillReq("F1", 5000, true)), 3000, false)
	wantAccepted(t, exec(t, c, issueBillReq("F2", 800, false)), 3000, false)
	first := exec(t, c, cashReq("cash:r1", "F1", 2000)).GetAccepted().GetBill()
	if first.GetPaidFen() != 2000 || first.GetStatus() != "partly_paid" {
		t.Fatalf("bill after cash %v", first)
	}
	wantDeclined(t, exec(t, c, cashReq("cash:r2", "F1", 3001)), "BILL_OVERPAID")
	pay := &grainv1.ExecuteRequest{IdemKey: "bal:r3", Command: &grainv1.ExecuteRequest_PayBillFromBalance{
		PayBillFromBalance: &grainv1.PayBillFromBalanceCommand{ItemId: "F1", AmountFen: 3000}}}
	wantAccepted(t, exec(t, c, pay), 0, false)
	wantDeclined(t, exec(t, c, &grainv1.ExecuteRequest{IdemKey: "bal:r4", Command: &grainv1.ExecuteRequest_PayBillFromBalance{
		PayBillFromBalance: &grainv1.PayBillFromBalanceCommand{ItemId: "F2", AmountFen: 100}}}), "BILL_BALANCE_NOT_ALLOWED")

	c2 := mustLoad(t, "acc-bill", deps)
	if !reflect.DeepEqual(c2.state.Bills, c.state.Bills) {
		t.Fatalf("reloaded bills %+v, want %+v", c2.state.Bills, c.state.Bills)
	}
	replayed := exec(t, c2, cashReq("cash:r1", "F1", 2000)).GetAccepted()
	if !replayed.GetReplayed() || replayed.GetBill().GetPaidFen() != 2000 {
		t.Fatalf("replay answered %v, want the first outcome", replayed)
	}
	st := c2.stateResponse()
	if len(st.GetBills()) != 2 || st.GetBills()[0].GetStatus() != "paid" || st.GetBills()[1].GetStatus() != "unpaid" {
		t.Fatalf("state bills %v", st.GetBills())
	}
	verifyJournal(t, deps, "acc-bill", 0)
}
