package alipay_test

import (
	"context"
	"testing"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/gateway/alipay"
	"github.com/onecode/onecode/gateway/alipay/sandbox"
)

// TestEndToEnd runs the adapter against the sandbox in both key modes: wap and
// precreate placed and paid through the pay page, notifications verified, query,
// close, refunds and refund queries, and idempotent repeats.
func TestEndToEnd(t *testing.T) {
	for _, mode := range []struct {
		name string
		cert bool
	}{{"public-key", false}, {"certificate", true}} {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t, mode.cert)
			t.Run("wap", func(t *testing.T) { wapFlow(t, e) })
			t.Run("precreate", func(t *testing.T) { precreateFlow(t, e) })
			t.Run("close", func(t *testing.T) { closeFlow(t, e) })
		})
	}
}

func wapFlow(t *testing.T, e *env) {
	ctx := context.Background()
	placed, err := e.place("W20261204001", 5000, recharge.ChannelH5)
	if err != nil || placed.PayURL == "" {
		t.Fatalf("place: %+v %v", placed, err)
	}
	// Alipay creates a wap trade when the payer opens the URL.
	if q, err := e.client.Query(ctx, "W20261204001"); err != nil || q.State != order.RemoteUnknown {
		t.Fatalf("query before opening: %+v %v", q, err)
	}
	e.payVia(placed.PayURL)
	n := e.nextNotice()
	if n.Payment == nil || n.Payment.OrderID != "W20261204001" || n.Payment.AmountFen != 5000 || n.Payment.TransactionID == "" || n.ID == "" {
		t.Fatalf("notice: %+v %+v", n, n.Payment)
	}
	q, err := e.client.Query(ctx, "W20261204001")
	if err != nil || q.State != order.RemotePaid || q.AmountFen != 5000 || q.TransactionID != n.Payment.TransactionID || q.ProviderState != "TRADE_SUCCESS" {
		t.Fatalf("query: %+v %v", q, err)
	}
	// The same order placed again is the same order: paying it again is not possible.
	if again, err := e.place("W20261204001", 5000, recharge.ChannelH5); err != nil || again.PayURL == "" {
		t.Fatalf("place again: %v", err)
	}
	refundFlow(t, e, "W20261204001", 5000)
}

func refundFlow(t *testing.T, e *env, orderID string, total int64) {
	ctx := context.Background()
	req := recharge.RefundRequest{OrderID: orderID, RefundID: "R" + orderID, AmountFen: 1234, TotalFen: total, Reason: "退费", NotifyURL: e.notify}
	r, err := e.client.Refund(ctx, req)
	if err != nil || r.State != recharge.RefundSucceeded || r.AmountFen != 1234 || r.SuccessTime.IsZero() {
		t.Fatalf("refund: %+v %v", r, err)
	}
	n := e.nextNotice()
	if n.Refund == nil || n.Refund.RefundID != req.RefundID || n.Refund.OrderID != orderID || n.Refund.AmountFen != 1234 || n.Payment != nil {
		t.Fatalf("refund notice: %+v", n)
	}
	// Idempotent: the same refund again refunds nothing more.
	if r, err := e.client.Refund(ctx, req); err != nil || r.State != recharge.RefundProcessing {
		t.Fatalf("refund again: %+v %v", r, err)
	}
	qr, err := e.client.QueryRefund(ctx, orderID, req.RefundID)
	if err != nil || qr.State != recharge.RefundSucceeded || qr.AmountFen != 1234 || qr.SuccessTime.IsZero() {
		t.Fatalf("query refund: %+v %v", qr, err)
	}
	if _, err := e.client.QueryRefund(ctx, orderID, "Rnone"+orderID); err == nil {
		t.Fatal("unknown refund found")
	} else {
		mustIs(t, err, recharge.ErrRefundNotFound)
	}
	other := req
	other.AmountFen = 1
	_, err = e.client.Refund(ctx, other)
	mustIs(t, err, recharge.ErrOrderConflict, recharge.ErrAggregatorRefused)
	other = req
	other.RefundID, other.AmountFen, other.TotalFen = "X"+orderID, total, 0
	_, err = e.client.Refund(ctx, other)
	mustIs(t, err, recharge.ErrRefundExceeded, recharge.ErrAggregatorRefused)
	// The rest, then the trade is closed and says it was refunded.
	other.AmountFen = total - 1234
	if _, err := e.client.Refund(ctx, other); err != nil {
		t.Fatalf("refund the rest: %v", err)
	}
	if n := e.nextNotice(); n.Refund == nil || n.Refund.AmountFen != total {
		t.Fatalf("second refund notice (refund_fee is the total refunded): %+v", n.Refund)
	}
	if q, err := e.client.Query(ctx, orderID); err != nil || q.State != order.RemoteRefunded {
		t.Fatalf("query refunded: %+v %v", q, err)
	}
}

func precreateFlow(t *testing.T, e *env) {
	ctx := context.Background()
	placed, err := e.place("N20261204001", 990, recharge.ChannelNative)
	if err != nil || placed.CodeURL == "" || placed.PayURL != "" {
		t.Fatalf("precreate: %+v %v", placed, err)
	}
	again, err := e.place("N20261204001", 990, recharge.ChannelNative)
	if err != nil || again.CodeURL != placed.CodeURL {
		t.Fatalf("precreate again: %+v %v", again, err)
	}
	_, err = e.place("N20261204001", 991, recharge.ChannelNative)
	mustIs(t, err, recharge.ErrOrderConflict)
	if q, err := e.client.Query(ctx, "N20261204001"); err != nil || q.State != order.RemoteNotPaid {
		t.Fatalf("query unpaid: %+v %v", q, err)
	}
	e.payVia(placed.CodeURL)
	if n := e.nextNotice(); n.Payment == nil || n.Payment.AmountFen != 990 {
		t.Fatalf("notice: %+v", n)
	}
	_, err = e.place("N20261204001", 990, recharge.ChannelNative)
	mustIs(t, err, recharge.ErrOrderPaid)
	err = e.client.Close(ctx, "N20261204001")
	mustIs(t, err, recharge.ErrOrderPaid)
	_, err = e.place("J20261204001", 990, recharge.ChannelJSAPI)
	mustIs(t, err, recharge.ErrAggregatorRefused)
}

func closeFlow(t *testing.T, e *env) {
	ctx := context.Background()
	if _, err := e.place("C20261204001", 100, recharge.ChannelNative); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Close(ctx, "C20261204001"); err != nil {
		t.Fatalf("close: %v", err)
	}
	if q, err := e.client.Query(ctx, "C20261204001"); err != nil || q.State != order.RemoteClosed {
		t.Fatalf("query closed: %+v %v", q, err)
	}
	_, err := e.place("C20261204001", 100, recharge.ChannelNative)
	mustIs(t, err, recharge.ErrOrderClosed)
	// A wap URL never opened: Alipay has no trade; closing after expiry is done.
	if err := e.client.Close(ctx, "C20261204002"); err != nil {
		t.Fatalf("close unknown: %v", err)
	}
	_, err = e.client.Refund(ctx, recharge.RefundRequest{OrderID: "C20261204001", RefundID: "RC1", AmountFen: 1})
	mustIs(t, err, recharge.ErrAggregatorRefused)
}

// TestServiceProvider: OneCode's app acts for a school's merchant app through its
// app_auth_token; notifications carry the school's auth_app_id.
func TestServiceProvider(t *testing.T) {
	e := newEnv(t, false, func(c *alipay.Config, s *sandbox.Config) {
		c.Keys.AppAuthToken = "202612BBschool1token"
		c.AuthAppID = "2021000000000777"
		s.AppAuthTokens = map[string]string{"202612BBschool1token": "2021000000000777"}
	})
	placed, err := e.place("S20261204001", 300, recharge.ChannelH5)
	if err != nil {
		t.Fatal(err)
	}
	e.payVia(placed.PayURL)
	if n := e.nextNotice(); n.Payment == nil || n.Payment.OrderID != "S20261204001" {
		t.Fatalf("notice: %+v", n)
	}
	// Another school's client (its own token) does not see this trade.
	cfg := e.cfg
	cfg.Keys.AppAuthToken = "202612BBrevoked"
	other, err := alipay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.Query(context.Background(), "S20261204001")
	mustIs(t, err, recharge.ErrAggregatorRefused) // aop.invalid-app-auth-token, unsigned
}

func TestMerchantKey(t *testing.T) {
	k := testKeys(t).Merchant(false)
	cfg := alipay.Config{Keys: k, CallTimeout: 1, Breaker: alipay.DefaultBreakerSettings()}
	c, err := alipay.New(cfg)
	if err != nil || c.MerchantKey() != "alipay:2021000000000001" || c.Name() != "alipay" {
		t.Fatalf("%v %v", c, err)
	}
	cfg.Keys.AppAuthToken = "tok"
	if _, err := alipay.New(cfg); err == nil {
		t.Fatal("service-provider mode without AuthAppID accepted")
	}
	cfg.AuthAppID = "2021000000000777"
	if c, err = alipay.New(cfg); err != nil || c.MerchantKey() != "alipay:2021000000000001:2021000000000777" {
		t.Fatalf("%v %v", c, err)
	}
}
