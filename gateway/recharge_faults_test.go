package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/aggregator/sandbox"
	"github.com/onecode/onecode/persistence/orders"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

func TestRechargeLimitsCheckedBeforeTheAggregator(t *testing.T) {
	e := newRechargeEnv(t, sandbox.Faults{})
	ctx := context.Background()
	_, err := e.rc.Create(ctx, rcParent, rcAccount, rcSingleMax+1, "req-big", apiv1.PayChannel_PAY_CHANNEL_H5)
	wantRechargeCode(t, err, codes.FailedPrecondition, reason.RechargeSingleMax)
	a := e.create(t, "req-a", rcSingleMax)                                                           // pending 1,000 yuan
	b := e.create(t, "req-b", 60_000)                                                                // pending 1,600 yuan
	_, err = e.rc.Create(ctx, rcParent, rcAccount, 50_000, "req-c", apiv1.PayChannel_PAY_CHANNEL_H5) // 2,100 > 2,000: counted with what is pending
	wantRechargeCode(t, err, codes.FailedPrecondition, reason.RechargeBalanceCap)
	if !strings.Contains(status.Convert(gateway.ErrorStatus(err)).Message(), "at most 400.00 yuan") {
		t.Errorf("cap message %q does not say how much is left", status.Convert(gateway.ErrorStatus(err)).Message())
	}
	for _, req := range []string{"req-big", "req-c"} {
		if _, err := e.store.ByRequest(ctx, rcParent, req); !errors.Is(err, orders.ErrNotFound) {
			t.Errorf("refused %s was written: %v", req, err)
		}
	}
	if n, reqs := e.creates.counts(); n != 2 || reqs != 2 {
		t.Fatalf("%d orders (%d requests) at the aggregator, want only the 2 accepted", n, reqs)
	}
	if a.GetState() != apiv1.Recharge_STATE_AWAITING_PAYMENT || b.GetState() != apiv1.Recharge_STATE_AWAITING_PAYMENT {
		t.Fatalf("accepted orders: %v, %v", a, b)
	}
	e.create(t, "req-d", 40_000) // exactly up to the cap
	_, err = e.rc.Create(ctx, rcParent, "acc_unknown", 100, "req-e", apiv1.PayChannel_PAY_CHANNEL_H5)
	wantRechargeCode(t, err, codes.NotFound, reason.AccountNotOpened)
}

func TestRechargeAggregatorDownCanteenUnaffected(t *testing.T) {
	e := newRechargeEnv(t, sandbox.Faults{FailRate: 1000})
	ctx := context.Background()
	// 5xx are unknown outcomes: the orders stay pending (the resolver queries them)
	// until the create breaker opens after 3 consecutive failures.
	for i := range 3 {
		rc := e.create(t, fmt.Sprintf("req-%d", i), 1000)
		if rc.GetState() != apiv1.Recharge_STATE_PENDING || rc.GetPayUrl() != "" {
			t.Fatalf("create %d with the aggregator failing: %v, want pending", i, rc)
		}
	}
	if got := e.client.BreakerState(aggregator.OpCreate).String(); got != "open" {
		t.Fatalf("create breaker %s, want open", got)
	}
	_, err := e.rc.Create(ctx, rcParent, rcAccount, 1000, "req-open", apiv1.PayChannel_PAY_CHANNEL_H5)
	if _, reqs := e.creates.counts(); reqs != 3 { // fast: the open breaker never calls out
		t.Errorf("%d create requests reached the aggregator, want 3: none with the breaker open", reqs)
	}
	wantRechargeCode(t, err, codes.Unavailable, reason.AggregatorUnavailable)
	if status.Convert(gateway.ErrorStatus(err)).Message() != "recharge is temporarily unavailable" {
		t.Errorf("message %q", status.Convert(gateway.ErrorStatus(err)).Message())
	}
	o, err := e.store.ByRequest(ctx, rcParent, "req-open")
	if err != nil || o.State != orders.StateFailed {
		t.Fatalf("order of the refused create: %+v, %v; want failed", o, err)
	}
	if n, _ := e.store.PendingSum(ctx, rcAccount); n != 3000 {
		t.Fatalf("pending %d, want 3000 (the failed order does not count)", n)
	}
	// The resolver leaves the pending ones while the aggregator fails.
	if n, _ := e.rc.ResolveOnce(ctx); n != 0 {
		t.Fatalf("ResolveOnce with the aggregator down settled %d, want 0", n)
	}
	if n, _ := e.store.PendingSum(ctx, rcAccount); n != 3000 {
		t.Fatalf("pending %d after a failing round, want 3000 (left for the next round)", n)
	}
	// Canteen payments never touch the aggregator.
	if r, err := e.accounts.Execute(ctx, rcAccount, &grainv1.ExecuteRequest{IdemKey: "seed-credit",
		Command: &grainv1.ExecuteRequest_RechargeCredit{RechargeCredit: &grainv1.RechargeCreditCommand{OrderId: "seed-credit", AmountFen: 2000}}}); err != nil || r.GetAccepted() == nil {
		t.Fatalf("seed credit: %v %v", r, err)
	}
	r, err := e.accounts.Execute(ctx, rcAccount, &grainv1.ExecuteRequest{IdemKey: "T1:1", Command: &grainv1.ExecuteRequest_Purchase{Purchase: &grainv1.PurchaseCommand{
		SchoolId: "35001", TerminalId: "T1", CanteenId: "C1", AmountFen: 1200, CardRandom: "07", CardExpiry: rcNextYear()}}})
	if err != nil || r.GetAccepted() == nil || r.GetAccepted().GetBalanceFen() != 800 {
		t.Fatalf("canteen purchase with the aggregator down: %v, %v", r, err)
	}
}

func TestRechargeCreateTimeoutResolvedWithoutSecondOrder(t *testing.T) {
	e := newRechargeEnv(t, sandbox.Faults{Latency: sandbox.Duration(rcSlow)})
	ctx := context.Background()
	e.creates.detach.Store(true) // the aggregator takes the order; its answer comes too late
	start := time.Now()
	rc := e.create(t, "req-slow", 7000)
	if took := time.Since(start); rc.GetState() != apiv1.Recharge_STATE_PENDING || rc.GetPayUrl() != "" || took >= rcSlow {
		t.Fatalf("Create past the client timeout = %v after %v, want pending at the %v call timeout", rc, took, rcCallTimeout)
	}
	select {
	case <-e.creates.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the sandbox never finished the create")
	}
	e.creates.detach.Store(false)
	if err := e.sb.SetFaults(sandbox.Faults{DropNotify: 0, RetryLadder: []sandbox.Duration{0}}); err != nil {
		t.Fatal(err)
	}
	n, err := e.rc.ResolveOnce(ctx)
	if err != nil || n != 1 {
		t.Fatalf("ResolveOnce = %d, %v; want the pending order settled", n, err)
	}
	got := e.waitState(t, rc.GetOrderId(), apiv1.Recharge_STATE_AWAITING_PAYMENT)
	if !strings.Contains(got.GetPayUrl(), "/sandbox/pay/"+rc.GetOrderId()) {
		t.Fatalf("resolved order %v has no pay URL", got)
	}
	if orders, reqs := e.creates.counts(); orders != 1 || reqs != 2 {
		t.Fatalf("%d orders at the aggregator (%d create requests), want 1 order asked for twice with the same number", orders, reqs)
	}
	e.pay(t, rc.GetOrderId())
	e.waitState(t, rc.GetOrderId(), apiv1.Recharge_STATE_CREDITED)
	if b := e.balance(t); b != 7000 {
		t.Fatalf("balance %d, want 7000", b)
	}
}

func TestRechargeLostCreateFailsAndExpiredCloses(t *testing.T) {
	e := newRechargeEnv(t, sandbox.Faults{Latency: sandbox.Duration(rcSlow)})
	ctx := context.Background()
	// The request never takes effect (the sandbox drops it when the client gives up).
	lost := e.create(t, "req-lost", 1000)
	if lost.GetState() != apiv1.Recharge_STATE_PENDING {
		t.Fatalf("Create = %v, want pending", lost)
	}
	if err := e.sb.SetFaults(sandbox.Faults{RetryLadder: []sandbox.Duration{0}}); err != nil {
		t.Fatal(err)
	}
	select { // the sandbox drops the abandoned request
	case <-e.creates.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the sandbox never finished the lost create")
	}
	unpaid := e.create(t, "req-unpaid", 2000)
	if n, err := e.rc.ResolveOnce(ctx); err != nil || n != 1 {
		t.Fatalf("ResolveOnce = %d, %v; want the lost one failed", n, err)
	}
	if s := e.state(t, lost.GetOrderId()); s != apiv1.Recharge_STATE_FAILED {
		t.Fatalf("lost create: %v, want failed", s)
	}
	if s := e.state(t, unpaid.GetOrderId()); s != apiv1.Recharge_STATE_AWAITING_PAYMENT {
		t.Fatalf("unpaid, not expired: %v, want still awaiting", s)
	}
	e.offset.Store(int64(16 * time.Minute)) // past the 15-minute expiry
	if n, err := e.rc.ResolveOnce(ctx); err != nil || n != 1 {
		t.Fatalf("ResolveOnce after expiry = %d, %v; want the unpaid one closed", n, err)
	}
	if s := e.state(t, unpaid.GetOrderId()); s != apiv1.Recharge_STATE_CLOSED {
		t.Fatalf("expired unpaid: %v, want closed", s)
	}
	q, err := e.client.QueryOrder(ctx, e.merchant, unpaid.GetOrderId())
	if err != nil || q.TradeState != aggregator.StateClosed {
		t.Fatalf("at the aggregator: %+v, %v; want closed", q, err)
	}
	if n, _ := e.store.PendingSum(ctx, rcAccount); n != 0 {
		t.Fatalf("pending %d, want 0", n)
	}
}
