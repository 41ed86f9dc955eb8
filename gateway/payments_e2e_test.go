package gateway_test

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/aggregator"
	wxsandbox "github.com/onecode/onecode/gateway/aggregator/sandbox"
	"github.com/onecode/onecode/gateway/alipay"
	alisandbox "github.com/onecode/onecode/gateway/alipay/sandbox"
	"github.com/onecode/onecode/gateway/payments"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/orders/sqliteorders"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// payEnv is one merchant configuration on its sandbox.
type payEnv struct {
	merchants []payments.Merchant
	school    payments.School
	// allDelivered: every copy of every notification was answered 2xx ("success").
	allDelivered func() bool
}

// wechatEnv: a WeChat Pay sandbox; partner mode is OneCode as service provider with
// the school as sub-merchant (public-key mode), direct a school's own merchant
// (platform certificates downloaded).
func wechatEnv(t *testing.T, partner bool) payEnv {
	set, err := aggregator.GenerateKeySet(rand.Reader, "1900000100", "wx8888888888888888")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "wechat")
	if err := set.Write(dir); err != nil {
		t.Fatal(err)
	}
	sb, err := wxsandbox.New(wxsandbox.Config{Keys: wxsandbox.KeysFromSet(set), SignWithPublicKey: partner,
		Faults: wxsandbox.Faults{DupNotify: 3}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	m := payments.Merchant{Key: "wx", Provider: payments.WeChatPay, URL: srv.URL, KeysDir: dir, AppID: set.AppID, MchID: set.MchID}
	s := payments.School{School: "35001", Merchant: "wx"}
	if partner {
		m.Mode, m.PublicKeyID = payments.ModePartner, set.PublicKeyID
		s.SubMchID, s.SubAppID = "1900000109", "wx1234567890abcdef"
	}
	return payEnv{merchants: []payments.Merchant{m}, school: s, allDelivered: func() bool {
		st := sb.Stats()
		return st.Scheduled == 6 && st.Delivered == st.Scheduled
	}}
}

// alipayEnv: an Alipay sandbox in public-key or certificate mode.
func alipayEnv(t *testing.T, certMode bool) payEnv {
	ks, err := alipay.GenerateKeySet(rand.Reader, "2021000000000002")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "alipay")
	if err := ks.Write(dir, certMode); err != nil {
		t.Fatal(err)
	}
	cfg := alisandbox.ConfigFromKeySet(ks, certMode)
	cfg.Faults = alisandbox.Faults{DupNotify: 3}
	sb, err := alisandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	m := payments.Merchant{Key: "ali", Provider: payments.Alipay, URL: srv.URL + "/gateway.do", KeysDir: dir, AppID: ks.AppID}
	return payEnv{merchants: []payments.Merchant{m}, school: payments.School{School: "35001", Merchant: "ali"}, allDelivered: func() bool {
		st := sb.Stats()
		return st.Scheduled == 6 && st.Delivered == st.Scheduled
	}}
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	formHidden = regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`)
)

// payOnSandbox plays the parent: opens the pay URL and submits the sandbox's pay form.
func payOnSandbox(t *testing.T, payURL string) {
	t.Helper()
	resp, err := http.Get(payURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formAction.FindStringSubmatch(string(b))
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("pay page %d: %s", resp.StatusCode, b)
	}
	form := url.Values{}
	for _, h := range formHidden.FindAllStringSubmatch(string(b), -1) {
		form.Set(h[1], h[2])
	}
	base, _ := url.Parse(payURL)
	action, _ := base.Parse(m[1])
	resp, err = http.PostForm(action.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("pay: %d", resp.StatusCode)
	}
}

// TestPaymentsEndToEnd: for each provider and mode, a recharge and a fee bill's
// online payment go through the real adapter and its sandbox: order → pay on the
// sandbox → the sandbox's verified notifications (three copies each) at
// /pay/notify/{merchant} → credited once, the bill paid once, the ledger at zero
// once every duplicate copy has been answered.
func TestPaymentsEndToEnd(t *testing.T) {
	for name, mk := range map[string]func(*testing.T) payEnv{
		"wechat direct":           func(t *testing.T) payEnv { return wechatEnv(t, false) },
		"wechat service provider": func(t *testing.T) payEnv { return wechatEnv(t, true) },
		"alipay public key":       func(t *testing.T) payEnv { return alipayEnv(t, false) },
		"alipay certificate":      func(t *testing.T) payEnv { return alipayEnv(t, true) },
	} {
		t.Run(name, func(t *testing.T) { runPaymentsEndToEnd(t, mk(t)) })
	}
}

func runPaymentsEndToEnd(t *testing.T, env payEnv) {
	ctx := context.Background()
	sw := switchtest.New(t, switchtest.Options{Name: "payments-e2e", NoDirectory: true})
	store, err := sqliteorders.Open(ctx, t.TempDir()+"/orders.db", sqliteorders.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	opts := payments.AdapterOptions{CallTimeout: 5 * time.Second}
	reg, err := payments.Build(payments.Config{Merchants: env.merchants, Schools: []payments.School{env.school}},
		map[string]payments.Factory{payments.WeChatPay: payments.WeChatFactory(opts), payments.Alipay: payments.AlipayFactory(opts)})
	if err != nil {
		t.Fatal(err)
	}
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

	const item, due, topUp = "FIE2E0000000000001", 45_000, 12_300
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
	payer := recharge.Payer{Channel: recharge.ChannelH5, ClientIP: "203.0.113.7"}
	r, err := rc.App().CreateFor(ctx, rcParent, rcAccount, topUp, "req-recharge", payer)
	if err != nil || r.PayURL == "" {
		t.Fatalf("recharge %+v %v", r, err)
	}
	f, err := rc.App().CreateFeeOrder(ctx, recharge.FeeOrder{ParentID: rcParent, AccountID: rcAccount, ItemID: item,
		AmountFen: due, RequestID: "req-fee", Payer: payer})
	if err != nil || f.PayURL == "" {
		t.Fatalf("fee order %+v %v", f, err)
	}
	for _, u := range []string{r.PayURL, f.PayURL} {
		if strings.Contains(u, "/aggregator/notify") {
			t.Fatalf("pay URL %s", u)
		}
	}
	payOnSandbox(t, r.PayURL)
	payOnSandbox(t, f.PayURL)
	waitCredited(t, rc, r.OrderID)
	waitCredited(t, rc, f.OrderID)
	waitFor(t, "every notification copy answered", env.allDelivered)

	st, err := sw.Accounts.State(ctx, rcAccount)
	if err != nil {
		t.Fatal(err)
	}
	if st.GetBalanceFen() != topUp {
		t.Errorf("balance %d, want %d (credited once, whatever the copies)", st.GetBalanceFen(), topUp)
	}
	for _, b := range st.GetBills() {
		if b.GetItemId() == item && (b.GetPaidFen() != due || b.GetStatus() != "paid") {
			t.Errorf("bill %v, want paid once", b)
		}
	}
	if sum, err := sw.Store.LedgerSum(ctx); err != nil || sum != 0 {
		t.Fatalf("ledger sums to %d (%v), want 0", sum, err)
	}
}

// waitFor polls cond until it holds (a deadline, no sleep-to-sync).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, 10*time.Second, what, cond)
}

// waitWithin polls cond every 20 ms until it holds, failing the test after d.
func waitWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not reached: %s", what)
		}
		<-tick.C
	}
}

// waitCredited polls the order until it is credited (a deadline, no sleep-to-sync).
func waitCredited(t *testing.T, rc *gateway.Recharges, orderID string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		got, err := rc.GetOwn(context.Background(), rcParent, orderID)
		if err == nil && got.GetState() == apiv1.Recharge_STATE_CREDITED {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s not credited: %v %v", orderID, got, err)
		}
		<-tick.C
	}
}
