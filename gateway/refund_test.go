package gateway_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/aggregator/sandbox"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/pgorders"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

type refundEnv struct {
	sw    *switchtest.Env
	store *pgorders.Store
	app   *recharge.Service
	sbURL string
	sb    *sandbox.Server
	srv   *httptest.Server
	// told is what recharge.Config.OnRefundSettled heard: refund number → final state.
	toldMu sync.Mutex
	told   map[string]orders.RefundState
	// projected is the last refunded_fen the refund path handed the fee read model
	// (Config.OnBill), per item.
	projected sync.Map
}

// newRefundEnv: real Account grains on PostgreSQL, the orders and refunds on
// PostgreSQL, the WeChat Pay sandbox (every notification delivered five times) and
// the edge's per-merchant notification route.
func newRefundEnv(t *testing.T) *refundEnv {
	t.Helper()
	ctx := context.Background()
	sw := switchtest.New(t, switchtest.Options{Name: "refund-test", Logger: rcLogger(), NoDirectory: true})
	store, err := pgorders.Open(ctx, sw.DSN, pgorders.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	keys := rechargeKeySet(t)
	sb, err := sandbox.New(sandbox.Config{Keys: sandbox.KeysFromSet(keys), Faults: sandbox.Faults{DupNotify: 5,
		RetryLadder: []sandbox.Duration{0, sandbox.Duration(50 * time.Millisecond), sandbox.Duration(100 * time.Millisecond)}}})
	if err != nil {
		t.Fatal(err)
	}
	sbSrv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { sbSrv.Close(); sb.Close() })
	client, err := aggregator.NewClient(aggregator.Config{BaseURL: sbSrv.URL, Keys: keys.Merchant(), CallTimeout: rcCallTimeout,
		Breaker: aggregator.BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: time.Minute, ConsecutiveFailures: 3}})
	if err != nil {
		t.Fatal(err)
	}
	port, err := aggregator.NewRechargePort(client, aggregator.Merchant{Mode: aggregator.ModeDirect, AppID: keys.AppID, MchID: keys.MchID}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := &refundEnv{sw: sw, store: store, told: map[string]orders.RefundState{}}
	cfg := recharge.Config{Accounts: sw.Accounts, Orders: store, Providers: recharge.Single(port),
		NotifyURL: srv.URL + "/aggregator/notify", MerchantNotifyURL: srv.URL + "/pay/notify/",
		Step: 5 * time.Second, ResolveAfter: time.Millisecond, Rand: rand.Reader, Now: time.Now, Logger: rcLogger(),
		OnRefundSettled: func(_ context.Context, r recharge.Refund, to orders.RefundState) error {
			e.toldMu.Lock()
			defer e.toldMu.Unlock()
			e.told[r.RefundNo] = to
			return nil
		}}
	cfg.OnBill = func(_ context.Context, _ string, a *grainv1.Accepted) {
		e.projected.Store(a.GetBill().GetItemId(), a.GetBill().GetRefundedFen())
	}
	app, err := recharge.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := gateway.NewRecharges(cfg, client.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("POST /pay/notify/{merchant}", rc.PayNotifyHandler())
	e.app, e.sbURL, e.sb, e.srv = app, sbSrv.URL, sb, srv
	e.exec(t, &grainv1.ExecuteRequest{IdemKey: "open", Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{SchoolId: "35001", StudentNo: "2024000001",
		CardRandom: "07", CardExpiry: rcNextYear(), Limits: &grainv1.Limits{SingleRechargeMaxFen: rcSingleMax, BalanceCapFen: rcCap}}}})
	return e
}

func (e *refundEnv) exec(t *testing.T, req *grainv1.ExecuteRequest) {
	t.Helper()
	resp, err := e.sw.Accounts.Execute(context.Background(), rcAccount, req)
	if err != nil || resp.GetAccepted() == nil {
		t.Fatalf("%s: %v %v", req.GetIdemKey(), resp, err)
	}
}

// paid pays an order at the sandbox and waits for its notification to credit it.
func (e *refundEnv) paid(t *testing.T, orderID string) {
	t.Helper()
	resp, err := http.Post(e.sbURL+"/sandbox/pay/"+orderID, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitForRefund(t, "order "+orderID+" credited", func() bool {
		o, err := e.store.Get(context.Background(), orderID)
		return err == nil && o.State == orders.StateCredited
	})
}

func (e *refundEnv) refund(t *testing.T, f recharge.RefundOrder, want orders.RefundState) orders.Refund {
	t.Helper()
	f.SchoolID, f.StaffID, f.Reason = "35001", "fin-1", "退学退费"
	r, err := e.app.Refund(context.Background(), f)
	if err != nil {
		t.Fatalf("refund %s: %v", f.RequestID, err)
	}
	waitForRefund(t, "refund "+r.RefundNo+" "+string(want), func() bool {
		got, err := e.store.GetRefund(context.Background(), r.RefundNo)
		r = got
		return err == nil && got.State == want
	})
	return r
}

func (e *refundEnv) state(t *testing.T) *grainv1.GetStateResponse {
	t.Helper()
	st, err := e.sw.Accounts.State(context.Background(), rcAccount)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// waitForRefund polls with the longer deadline a provider round trip may need.
func waitForRefund(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, 20*time.Second, what, cond)
}

func wantReason(t *testing.T, err error, want reason.Code) {
	t.Helper()
	var re *reason.Error
	if !errors.As(err, &re) || re.Code != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

// TestRefundsThroughSandbox: a fee bill paid online through the WeChat Pay sandbox is
// refunded in part, then the rest (each refund notification arrives five times and
// settles once), then one fen more is refused (REFUND_EXCEEDED); the same request id
// is one refund; a forged refund notification changes nothing; a recharge refund is
// refused while the balance is short and paid back when it covers it; the ledger
// sums to zero.
func TestRefundsThroughSandbox(t *testing.T) {
	ctx := context.Background()
	e := newRefundEnv(t)
	const item = "FIREFUND0000000001"
	e.exec(t, &grainv1.ExecuteRequest{IdemKey: "bill", Command: &grainv1.ExecuteRequest_IssueBill{IssueBill: &grainv1.IssueBillCommand{SchoolId: "35001", ItemId: item,
		AmountFen: 10_000, DueDay: "20300101"}}})
	o, err := e.app.CreateFeeOrder(ctx, recharge.FeeOrder{ParentID: rcParent, AccountID: rcAccount, ItemID: item, AmountFen: 10_000, RequestID: "pay-1"})
	if err != nil {
		t.Fatal(err)
	}
	e.paid(t, o.OrderID)

	first := e.refund(t, recharge.RefundOrder{AccountID: rcAccount, ItemID: item, AmountFen: 4_000, RequestID: "rf-1"}, orders.RefundSucceeded)
	again, err := e.app.Refund(ctx, recharge.RefundOrder{SchoolID: "35001", StaffID: "fin-1", Reason: "退学退费", AccountID: rcAccount,
		ItemID: item, AmountFen: 4_000, RequestID: "rf-1"})
	if err != nil || again.RefundNo != first.RefundNo {
		t.Fatalf("same request: %+v, %v; want refund %s again", again, err, first.RefundNo)
	}
	e.refund(t, recharge.RefundOrder{AccountID: rcAccount, ItemID: item, AmountFen: 6_000, RequestID: "rf-2"}, orders.RefundSucceeded)
	_, err = e.app.Refund(ctx, recharge.RefundOrder{SchoolID: "35001", StaffID: "fin-1", Reason: "x", AccountID: rcAccount,
		ItemID: item, AmountFen: 1, RequestID: "rf-3"})
	wantReason(t, err, reason.RefundExceeded)
	var bill *grainv1.Bill
	for _, b := range e.state(t).GetBills() {
		if b.GetItemId() == item {
			bill = b
		}
	}
	if bill.GetRefundedFen() != 10_000 || bill.GetPaidFen() != 10_000 || e.state(t).GetBalanceFen() != 0 {
		t.Fatalf("bill after refunds: %v, balance %d", bill, e.state(t).GetBalanceFen())
	}
	if got, _ := e.projected.Load(item); got != int64(10_000) {
		t.Fatalf("refunded handed to the fee read model: %v, want 10000", got)
	}

	// A forged refund notification: refused, nothing changes.
	before := e.state(t)
	resp, err := http.Post(e.srv.URL+"/pay/notify/"+recharge.SingleKey, "application/json",
		bytes.NewReader([]byte(`{"id":"x","event_type":"REFUND.SUCCESS","resource":{"out_refund_no":"`+first.RefundNo+`"}}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || e.state(t).GetSeq() != before.GetSeq() {
		t.Fatalf("forged notification: HTTP %d, seq %d → %d", resp.StatusCode, before.GetSeq(), e.state(t).GetSeq())
	}

	// A recharge of 50.00, 40.00 of it spent on a bill: 20.00 cannot be refunded, 10.00 can.
	rc, err := e.app.Create(ctx, rcParent, rcAccount, 5_000, "rc-1")
	if err != nil {
		t.Fatal(err)
	}
	e.paid(t, rc.OrderID)
	e.exec(t, &grainv1.ExecuteRequest{IdemKey: "bill2", Command: &grainv1.ExecuteRequest_IssueBill{IssueBill: &grainv1.IssueBillCommand{SchoolId: "35001", ItemId: "FIREFUND0000000002",
		AmountFen: 4_000, DueDay: "20300101", AllowBalance: true}}})
	e.exec(t, &grainv1.ExecuteRequest{IdemKey: "bal-1", Command: &grainv1.ExecuteRequest_PayBillFromBalance{PayBillFromBalance: &grainv1.PayBillFromBalanceCommand{
		ItemId: "FIREFUND0000000002", AmountFen: 4_000}}})
	_, err = e.app.Refund(ctx, recharge.RefundOrder{SchoolID: "35001", StaffID: "fin-1", Reason: "x", OrderID: rc.OrderID,
		AccountID: rcAccount, AmountFen: 2_000, RequestID: "rf-4"})
	wantReason(t, err, reason.RefundBalanceShort)
	if b := e.state(t).GetBalanceFen(); b != 1_000 {
		t.Fatalf("balance after a refused refund %d, want 1000", b)
	}
	e.refund(t, recharge.RefundOrder{OrderID: rc.OrderID, AccountID: rcAccount, AmountFen: 1_000, RequestID: "rf-5"}, orders.RefundSucceeded)
	if b := e.state(t).GetBalanceFen(); b != 0 {
		t.Fatalf("balance after the recharge refund %d, want 0", b)
	}
	// Another school's staff reach nothing.
	_, err = e.app.Refund(ctx, recharge.RefundOrder{SchoolID: "35002", StaffID: "fin-9", Reason: "x", OrderID: rc.OrderID,
		AmountFen: 1, RequestID: "rf-6"})
	wantReason(t, err, reason.RefundNotFound)

	list, err := e.app.ListRefunds(ctx, "35001", 10)
	if err != nil || len(list) != 4 {
		t.Fatalf("refunds of the school: %d, %v; want 4 (three paid back, one refused by the grain)", len(list), err)
	}
	if len(e.state(t).GetBills()) != 2 {
		t.Fatal("bills")
	}
	if sum, err := e.sw.Store.LedgerSum(ctx); err != nil || sum != 0 {
		t.Fatalf("ledger sums to %d (%v), want 0", sum, err)
	}
	// The settlement hook (refund notices) heard each refund paid back, as succeeded.
	e.toldMu.Lock()
	defer e.toldMu.Unlock()
	for _, r := range list {
		if r.State == orders.RefundSucceeded && e.told[r.RefundNo] != orders.RefundSucceeded {
			t.Errorf("refund %s succeeded but the hook heard %q", r.RefundNo, e.told[r.RefundNo])
		}
	}
	if len(e.told) != 3 {
		t.Errorf("the hook heard %v, want the three refunds paid back", e.told)
	}
}

// TestRefundRPCScope: the refund RPCs on the real edge (gRPC and REST): finance of the
// school only (a teacher and a parent are refused), another school's finance reaches
// nothing, a bill not paid online has nothing to refund, bad input is a typed error
// and writes nothing.
func TestRefundRPCScope(t *testing.T) {
	e, fin, fin2 := feeWorld(t)
	teacher := e.staffToken(t, "35001", "tch_1", directory.RoleTeacher, "3-1")
	item := createItem(t, e, fin, feeDef("accounts", nil, []string{pupil1}, 5000, false))
	if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	req := &apiv1.RefundBillRequest{ItemId: item, AccountId: pupil1, AmountFen: 100, Reason: "退学", RequestId: "r1"}
	_, err := e.refunds.RefundBill(bearer(teacher), req)
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = e.refunds.RefundBill(bearer(e.parentToken(t, "par_1", 1)), req)
	if status.Code(err) != codes.Unauthenticated && status.Code(err) != codes.PermissionDenied {
		t.Fatalf("parent: %v", err)
	}
	_, err = e.refunds.RefundBill(bearer(fin2), req)
	wantCode(t, err, codes.NotFound, "REFUND_NOT_FOUND")
	_, err = e.refunds.RefundBill(bearer(fin), req)
	wantCode(t, err, codes.FailedPrecondition, "REFUND_NO_ONLINE_PAYMENT")
	_, err = e.refunds.RefundBill(bearer(fin), &apiv1.RefundBillRequest{ItemId: item, AccountId: pupil1, AmountFen: -1, Reason: "x", RequestId: "r2"})
	wantCode(t, err, codes.InvalidArgument, "INVALID_AMOUNT")
	_, err = e.refunds.RefundRecharge(bearer(fin), &apiv1.RefundRechargeRequest{OrderId: "RNOSUCHORDER0000001", AmountFen: 1, Reason: "x", RequestId: "r3"})
	wantCode(t, err, codes.NotFound, "REFUND_NOT_FOUND")
	code, body := restCall(t, http.MethodGet, e.httpBase+"/v1/staff/refunds", fin, nil)
	if list, _ := body["refunds"].([]any); code != http.StatusOK || len(list) != 0 {
		t.Fatalf("REST list: %d %v", code, body)
	}
}

// TestRefundResolvedByQuery: the provider's answer to a refund is lost (the call
// times out) and no notification arrives: the refund stays processing with its money
// reserved, and the resolver's query settles it once; the ledger sums to zero.
func TestRefundResolvedByQuery(t *testing.T) {
	ctx := context.Background()
	e := newRefundEnv(t)
	const item = "FIREFUND0000000003"
	e.exec(t, &grainv1.ExecuteRequest{IdemKey: "bill", Command: &grainv1.ExecuteRequest_IssueBill{IssueBill: &grainv1.IssueBillCommand{
		SchoolId: "35001", ItemId: item, AmountFen: 3_000, DueDay: "20300101"}}})
	o, err := e.app.CreateFeeOrder(ctx, recharge.FeeOrder{ParentID: rcParent, AccountID: rcAccount, ItemID: item, AmountFen: 3_000, RequestID: "pay-1"})
	if err != nil {
		t.Fatal(err)
	}
	e.paid(t, o.OrderID)
	if err := e.sb.SetFaults(sandbox.Faults{DropNotify: 1000, Latency: sandbox.Duration(2 * rcCallTimeout)}); err != nil {
		t.Fatal(err)
	}
	r, err := e.app.Refund(ctx, recharge.RefundOrder{SchoolID: "35001", StaffID: "fin-1", Reason: "退学", AccountID: rcAccount,
		ItemID: item, AmountFen: 1_000, RequestID: "rf-1"})
	if err != nil || r.State != orders.RefundProcessing {
		t.Fatalf("refund with its answer lost: %+v, %v; want processing", r, err)
	}
	if err := e.sb.SetFaults(sandbox.Faults{DropNotify: 1000}); err != nil {
		t.Fatal(err)
	}
	waitForRefund(t, "the resolver settling the refund", func() bool {
		if _, err := e.app.ResolveRefundsOnce(ctx); err != nil {
			t.Logf("resolver: %v", err)
		}
		got, err := e.store.GetRefund(ctx, r.RefundNo)
		return err == nil && got.State == orders.RefundSucceeded
	})
	if n, err := e.app.ResolveRefundsOnce(ctx); err != nil || n != 0 {
		t.Fatalf("a second round settled %d (%v), want 0", n, err)
	}
	for _, b := range e.state(t).GetBills() {
		if b.GetItemId() == item && b.GetRefundedFen() != 1_000 {
			t.Fatalf("bill refunded %d, want 1000", b.GetRefundedFen())
		}
	}
	if sum, err := e.sw.Store.LedgerSum(ctx); err != nil || sum != 0 {
		t.Fatalf("ledger sums to %d (%v), want 0", sum, err)
	}
}
