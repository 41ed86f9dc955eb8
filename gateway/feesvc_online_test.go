package gateway_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestFeePayOnline: a guardian pays a bill online through the real edge (gRPC and
// REST) and the aggregator sandbox: the order is written and placed, paid at the
// sandbox, its signed notification settles the bill (never the wallet), the order
// polls as credited, the staff's list shows the bill paid; a second pay is refused,
// another parent sees nothing; the ledger sums to zero.
func TestFeePayOnline(t *testing.T) {
	e, fin, _ := feeWorld(t)
	parentTok := e.parentToken(t, "par_1", 1)
	parent := bearer(parentTok)
	bindDirect(t, e, "par_1", pupil1)
	item := createItem(t, e, fin, feeDef("accounts", nil, []string{pupil1, pupil2}, 5000, false))
	if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	_, err := e.feeP.PayBillOnline(parent, &apiv1.PayBillOnlineRequest{AccountId: pupil2, ItemId: item, RequestId: "o0"})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")

	// REST, as the H5 page calls it.
	code, body := restCall(t, http.MethodPost, e.httpBase+"/v1/parent/children/"+pupil1+"/bills/"+item+":payOnline", parentTok,
		map[string]any{"requestId": "o1"})
	o, _ := body["order"].(map[string]any)
	if code != http.StatusOK || o["payUrl"] == "" || o["purpose"] != "fee" || o["amountFen"] != "5000" {
		t.Fatalf("REST pay online: %d %v", code, body)
	}
	orderID, _ := o["orderId"].(string)
	// The same request by gRPC answers the same order.
	r, err := e.feeP.PayBillOnline(parent, &apiv1.PayBillOnlineRequest{AccountId: pupil1, ItemId: item, RequestId: "o1"})
	if err != nil || r.GetOrder().GetOrderId() != orderID || r.GetOrder().GetItemId() != item {
		t.Fatalf("replay: %v %v", r, err)
	}
	e.sandboxPay(t, orderID)
	deadline := time.Now().Add(20 * time.Second)
	for {
		g, err := e.feeP.GetBillOrder(parent, &apiv1.GetBillOrderRequest{OrderId: orderID})
		if err != nil {
			t.Fatal(err)
		}
		if g.GetOrder().GetState() == apiv1.Recharge_STATE_CREDITED {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("order still %s", g.GetOrder().GetState())
		}
		time.Sleep(20 * time.Millisecond) // polling the order as the page does
	}
	bills, err := e.feeP.ListChildBills(parent, &apiv1.ListChildBillsRequest{AccountId: pupil1})
	if err != nil || len(bills.GetBills()) != 1 || bills.GetBills()[0].GetPaidFen() != 5000 || bills.GetBills()[0].GetStatus() != "paid" {
		t.Fatalf("bill after paying online: %v %v", bills, err)
	}
	if st, err := e.accounts.State(context.Background(), pupil1); err != nil || st.GetBalanceFen() != 0 {
		t.Fatalf("wallet after a fee payment: %v %v", st.GetBalanceFen(), err)
	}
	if b := billsByAccount(t, e, fin, item)[pupil1]; b.GetPaidFen() != 5000 || b.GetStatus() != "paid" {
		t.Fatalf("staff's read model: %v", b)
	}
	_, err = e.feeP.PayBillOnline(parent, &apiv1.PayBillOnlineRequest{AccountId: pupil1, ItemId: item, RequestId: "o2"})
	wantCode(t, err, codes.FailedPrecondition, "BILL_NOTHING_DUE")
	other := bearer(e.parentToken(t, "par_2", 2))
	_, err = e.feeP.GetBillOrder(other, &apiv1.GetBillOrderRequest{OrderId: orderID})
	wantCode(t, err, codes.NotFound, "RECHARGE_NOT_FOUND")
	ledgerZero(t, e)
}
