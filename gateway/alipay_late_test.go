package gateway_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/payments"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/sqliteorders"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// TestAlipayLatePaymentOfClosedOrder documents a known gap: Alipay creates a wap
// trade only when the payer opens its URL, so closing an order whose URL was never
// opened closes nothing at Alipay (ACQ.TRADE_NOT_EXIST, answered as closed). If the
// parent then opens the old URL and pays before its time_expire, the payment of the
// order we closed is still credited to the wallet, once: nothing is lost.
func TestAlipayLatePaymentOfClosedOrder(t *testing.T) {
	ctx := context.Background()
	env := alipayEnv(t, false)
	sw := switchtest.New(t, switchtest.Options{Name: "alipay-late", NoDirectory: true})
	store, err := sqliteorders.Open(ctx, t.TempDir()+"/orders.db", sqliteorders.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	reg := payRegistry(t, payments.Config{Merchants: env.merchants, Schools: []payments.School{env.school}})
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	rc, err := gateway.NewRecharges(recharge.Config{Accounts: sw.Accounts, Orders: store, Providers: reg,
		NotifyURL: srv.URL + "/aggregator/notify", MerchantNotifyURL: srv.URL + gateway.PayNotifyPath,
		Rand: rand.Reader, Now: time.Now, Logger: rcLogger()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("POST "+gateway.PayNotifyPath+"{merchant}", rc.PayNotifyHandler())
	if resp, err := sw.Accounts.Execute(ctx, rcAccount, &grainv1.ExecuteRequest{IdemKey: "open", Command: &grainv1.ExecuteRequest_Open{
		Open: &grainv1.OpenCommand{SchoolId: "35001", StudentNo: "2024000001", CardRandom: "07", CardExpiry: rcNextYear(),
			Limits: &grainv1.Limits{SingleRechargeMaxFen: rcSingleMax, BalanceCapFen: rcCap}}}}); err != nil || resp.GetAccepted() == nil {
		t.Fatalf("open: %v %v", resp, err)
	}
	const fen = 6_600
	r, err := rc.App().CreateFor(ctx, rcParent, rcAccount, fen, "late-1", recharge.Payer{Channel: recharge.ChannelH5, ClientIP: "203.0.113.7"})
	if err != nil {
		t.Fatal(err)
	}
	// We give up on the order: Alipay has no trade to close, which counts as closed.
	p, err := reg.For("35001")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(ctx, r.OrderID); err != nil {
		t.Fatalf("close of an unopened wap order: %v", err)
	}
	if _, err := store.Transition(ctx, r.OrderID, []orders.State{orders.StateAwaitingPayment}, orders.StateClosed, orders.Fields{}); err != nil {
		t.Fatal(err)
	}
	// The parent pays through the old URL anyway.
	payOnSandbox(t, r.PayURL)
	waitFor(t, "the closed order credited", func() bool {
		o, err := store.Get(ctx, r.OrderID)
		return err == nil && o.State == orders.StateCredited
	})
	if st, err := sw.Accounts.State(ctx, rcAccount); err != nil || st.GetBalanceFen() != fen {
		t.Fatalf("wallet after a late payment: %v %v; want %d credited once", st.GetBalanceFen(), err, fen)
	}
	if sum, err := sw.Store.LedgerSum(ctx); err != nil || sum != 0 {
		t.Fatalf("ledger sums to %d (%v), want 0", sum, err)
	}
}
