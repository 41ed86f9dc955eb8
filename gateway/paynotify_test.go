package gateway_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/orders/sqliteorders"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// notice is the fake provider's notification body; it verifies when the
// X-Test-Signature header is "valid".
type notice struct {
	ID     string `json:"id"`
	Order  string `json:"order"`
	Tx     string `json:"tx"`
	Amount int64  `json:"amount"`
}

// testProvider is one merchant whose notifications are the JSON above.
type testProvider struct{}

func (testProvider) Name() string { return "test" }
func (testProvider) Place(_ context.Context, r recharge.PlaceRequest) (recharge.Placed, error) {
	return recharge.Placed{PayURL: "https://pay.example/" + r.OrderID}, nil
}
func (testProvider) Query(context.Context, string) (recharge.RemoteOrder, error) {
	return recharge.RemoteOrder{State: order.RemoteNotPaid}, nil
}
func (testProvider) Close(context.Context, string) error { return nil }
func (testProvider) Refund(context.Context, recharge.RefundRequest) (recharge.RemoteRefund, error) {
	return recharge.RemoteRefund{}, recharge.ErrAggregatorRefused
}
func (testProvider) QueryRefund(context.Context, string, string) (recharge.RemoteRefund, error) {
	return recharge.RemoteRefund{}, recharge.ErrRefundNotFound
}
func (testProvider) VerifyNotification(h http.Header, body []byte, _ time.Time) (recharge.Notice, error) {
	var n notice
	if h.Get("X-Test-Signature") != "valid" || json.Unmarshal(body, &n) != nil {
		return recharge.Notice{}, recharge.ErrBadNotification
	}
	return recharge.Notice{ID: n.ID, Payment: &recharge.Payment{OrderID: n.Order, TransactionID: n.Tx, AmountFen: n.Amount}}, nil
}
func (testProvider) Ack(w http.ResponseWriter, err error) {
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// TestFeeOrderThroughPayNotify: a fee order placed through the edge's component is
// settled by verified notifications at /pay/notify/{merchant} on real Account
// grains: forged and mismatched ones change nothing, five concurrent duplicates pay
// the bill once, the wallet is untouched and the ledger sums to zero.
func TestFeeOrderThroughPayNotify(t *testing.T) {
	ctx := context.Background()
	sw := switchtest.New(t, switchtest.Options{Name: "paynotify-test", NoDirectory: true})
	store, err := sqliteorders.Open(ctx, t.TempDir()+"/orders.db", sqliteorders.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	verifier, err := aggregator.NewVerifier(rechargeKeySet(t).Merchant())
	if err != nil {
		t.Fatal(err)
	}
	rc, err := gateway.NewRecharges(recharge.Config{Accounts: sw.Accounts, Orders: store,
		Providers: recharge.Single(testProvider{}), NotifyURL: "https://onecode.example/aggregator/notify",
		MerchantNotifyURL: "https://onecode.example/pay/notify/", Rand: rand.Reader, Now: time.Now, Logger: rcLogger()}, verifier)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /pay/notify/{merchant}", rc.PayNotifyHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	const item, due = "FIPAYNOTIFY0000001", 45_000
	for _, req := range []*grainv1.ExecuteRequest{
		{IdemKey: "open", Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{SchoolId: "35001", StudentNo: "2024000001",
			CardRandom: "07", CardExpiry: rcNextYear(), Limits: &grainv1.Limits{SingleRechargeMaxFen: rcSingleMax, BalanceCapFen: rcCap}}}},
		{IdemKey: "bill", Command: &grainv1.ExecuteRequest_IssueBill{IssueBill: &grainv1.IssueBillCommand{SchoolId: "35001",
			ItemId: item, AmountFen: due, DueDay: "20300101"}}},
	} {
		if resp, err := sw.Accounts.Execute(ctx, rcAccount, req); err != nil || resp.GetAccepted() == nil {
			t.Fatalf("%s: %v %v", req.GetIdemKey(), resp, err)
		}
	}
	o, err := rc.CreateFee(ctx, recharge.FeeOrder{ParentID: rcParent, AccountID: rcAccount, ItemID: item, AmountFen: due, RequestID: "req-1"}, apiv1.PayChannel_PAY_CHANNEL_H5)
	if err != nil || o.GetState() != apiv1.Recharge_STATE_AWAITING_PAYMENT || o.GetPurpose() != "fee" || o.GetItemId() != item {
		t.Fatalf("fee order %v, %v", o, err)
	}
	post := func(key, sig string, n notice) int {
		body, _ := json.Marshal(n)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/pay/notify/"+key, bytes.NewReader(body))
		req.Header.Set("X-Test-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	good := notice{ID: "n1", Order: o.GetOrderId(), Tx: "4200000001", Amount: due}
	for name, tc := range map[string]struct {
		key, sig string
		n        notice
		want     int
	}{
		"forged":           {recharge.SingleKey, "forged", good, http.StatusInternalServerError},
		"amount mismatch":  {recharge.SingleKey, "valid", notice{ID: "n2", Order: o.GetOrderId(), Tx: "4200000001", Amount: due - 1}, http.StatusInternalServerError},
		"unknown order":    {recharge.SingleKey, "valid", notice{ID: "n3", Order: "RNOSUCHORDER00000001", Tx: "1", Amount: due}, http.StatusInternalServerError},
		"unknown merchant": {"nobody", "valid", good, http.StatusNotFound},
	} {
		if got := post(tc.key, tc.sig, tc.n); got != tc.want {
			t.Errorf("%s: %d, want %d", name, got, tc.want)
		}
	}
	bill := func() (*grainv1.Bill, int64) {
		st, err := sw.Accounts.State(ctx, rcAccount)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range st.GetBills() {
			if b.GetItemId() == item {
				return b, st.GetBalanceFen()
			}
		}
		t.Fatal("no bill")
		return nil, 0
	}
	if b, _ := bill(); b.GetPaidFen() != 0 {
		t.Fatalf("bill paid %d after rejected notifications", b.GetPaidFen())
	}
	var wg sync.WaitGroup
	codes := make(chan int, 5)
	for range 5 {
		wg.Add(1)
		go func() { defer wg.Done(); codes <- post(recharge.SingleKey, "valid", good) }()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusOK {
			t.Errorf("duplicate notification answered %d, want 200", c)
		}
	}
	b, balance := bill()
	if b.GetPaidFen() != due || b.GetStatus() != "paid" || balance != 0 {
		t.Fatalf("bill %v, balance %d; want paid once, wallet untouched", b, balance)
	}
	if got, err := rc.GetOwn(ctx, rcParent, o.GetOrderId()); err != nil || got.GetState() != apiv1.Recharge_STATE_CREDITED {
		t.Fatalf("order after payment %v, %v", got, err)
	}
	if _, err := rc.GetOwn(ctx, "parent-2", o.GetOrderId()); !errors.Is(err, recharge.ErrNotFound) {
		t.Fatalf("another parent's order: %v", err)
	}
	if sum, err := sw.Store.LedgerSum(ctx); err != nil || sum != 0 {
		t.Fatalf("ledger sums to %d (%v), want 0", sum, err)
	}
}
