package gateway_test

import (
	"testing"

	"google.golang.org/grpc/codes"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestFeeDueDayRequiredAndAllowBalance: an item without a due day is refused as
// INVALID_FEE_ITEM and nothing is written; a bill carries its item's allow_balance
// in the staff list and the parent's list.
func TestFeeDueDayRequiredAndAllowBalance(t *testing.T) {
	e, fin, _ := feeWorld(t)
	d := feeDef("accounts", nil, []string{pupil1}, 800, true)
	d.DueDay = ""
	_, err := e.fee.CreateFeeItem(bearer(fin), &apiv1.CreateFeeItemRequest{Definition: d})
	wantCode(t, err, codes.InvalidArgument, "INVALID_FEE_ITEM")
	if l, err := e.fee.ListFeeItems(bearer(fin), &apiv1.ListFeeItemsRequest{}); err != nil || len(l.GetItems()) != 0 {
		t.Fatalf("items after a refused create: %v %v", l, err)
	}
	item := createItem(t, e, fin, feeDef("accounts", nil, []string{pupil1}, 800, true))
	if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	if b := billsByAccount(t, e, fin, item)[pupil1]; !b.GetAllowBalance() || b.GetDueDay() != "20261031" {
		t.Fatalf("staff bill %v", b)
	}
	parentTok := e.parentToken(t, "par_1", 1)
	bindDirect(t, e, "par_1", pupil1)
	bills, err := e.feeP.ListChildBills(bearer(parentTok), &apiv1.ListChildBillsRequest{AccountId: pupil1})
	if err != nil || len(bills.GetBills()) != 1 || !bills.GetBills()[0].GetAllowBalance() {
		t.Fatalf("parent bills %v %v", bills, err)
	}
}
