package sandbox_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/aggregator/sandbox"
)

var (
	setOnce sync.Once
	set     aggregator.KeySet
)

func keySet(t *testing.T) aggregator.KeySet {
	t.Helper()
	setOnce.Do(func() {
		var err error
		if set, err = aggregator.GenerateKeySet(rand.Reader, "1900000109", "wxd678efh567hg6787"); err != nil {
			panic(err)
		}
	})
	return set
}

// merchant is a test merchant endpoint: it verifies notifications and records them.
type merchant struct {
	t        *testing.T
	verifier *aggregator.Verifier
	srv      *httptest.Server
	mu       sync.Mutex
	got      []aggregator.Notification
	failures int // answer 500 to this many deliveries first
	arrived  chan struct{}
	sb       *sandbox.Server // whose deliveries wait and settle watch
}

func newMerchant(t *testing.T, v *aggregator.Verifier) *merchant {
	t.Helper()
	m := &merchant{t: t, verifier: v, arrived: make(chan struct{}, 100)}
	m.srv = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *merchant) serve(w http.ResponseWriter, r *http.Request) {
	n, err := m.verifier.VerifyNotification(r, time.Now())
	if err != nil {
		m.t.Errorf("notification: %v", err)
		aggregator.WriteAck(w, err)
		return
	}
	m.mu.Lock()
	if m.failures > 0 {
		m.failures--
		m.mu.Unlock()
		aggregator.WriteAck(w, errors.New("journal unavailable"))
		return
	}
	m.got = append(m.got, n)
	m.mu.Unlock()
	aggregator.WriteAck(w, nil)
	m.arrived <- struct{}{}
}

func (m *merchant) notifications() []aggregator.Notification {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]aggregator.Notification(nil), m.got...)
}

// wait waits for n notifications, then until every scheduled copy is
// settled, so that an extra one would be among those returned.
func (m *merchant) wait(n int) []aggregator.Notification {
	m.t.Helper()
	deadline := time.After(5 * time.Second)
	for range n {
		select {
		case <-m.arrived:
		case <-deadline:
			m.t.Fatalf("%d of %d notifications arrived", len(m.notifications()), n)
		}
	}
	m.settle()
	return m.notifications()
}

// settle polls, with a deadline, until the sandbox has no delivery in
// flight: every scheduled copy was delivered or given up. Pay schedules
// before it answers, so after settle nothing more can arrive.
func (m *merchant) settle() sandbox.Stats {
	m.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := m.sb.Stats()
		if st.Delivered+st.GaveUp == st.Scheduled {
			return st
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("deliveries still in flight: %+v", st)
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
}

type env struct {
	sb     *sandbox.Server
	srv    *httptest.Server
	client *aggregator.Client
	m      *merchant
	mer    aggregator.Merchant // direct
}

func newEnv(t *testing.T, faults sandbox.Faults, tweak func(*sandbox.Config)) *env {
	t.Helper()
	cfg := sandbox.Config{Keys: sandbox.KeysFromSet(keySet(t)), Faults: faults, ReorderWindow: 100 * time.Millisecond}
	if tweak != nil {
		tweak(&cfg)
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	cl, err := aggregator.NewClient(aggregator.Config{BaseURL: srv.URL, Keys: keySet(t).Merchant(), CallTimeout: 2 * time.Second,
		Breaker: aggregator.BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: time.Minute, ConsecutiveFailures: 3}})
	if err != nil {
		t.Fatal(err)
	}
	m := newMerchant(t, cl.Verifier())
	m.sb = sb
	k := keySet(t)
	return &env{sb: sb, srv: srv, client: cl, m: m, mer: aggregator.Merchant{Mode: aggregator.ModeDirect, AppID: k.AppID, MchID: k.MchID}}
}

// h5 is an H5 prepay of fen for order no.
func (e *env) h5(no string, fen int64, expire time.Time) aggregator.PrepayRequest {
	return aggregator.PrepayRequest{OutTradeNo: no, Amount: aggregator.Amount{Total: fen, Currency: "CNY"},
		Description: "食堂充值", NotifyURL: e.m.srv.URL + "/notify", TimeExpire: aggregator.FormatTime(expire),
		SceneInfo: &aggregator.SceneInfo{PayerClientIP: "203.0.113.7", H5Info: &aggregator.H5Info{Type: "Wap"}}}
}

func (e *env) create(t *testing.T, no string, fen int64) aggregator.PrepayResponse {
	t.Helper()
	resp, err := e.client.Prepay(context.Background(), e.mer, aggregator.TradeH5, e.h5(no, fen, time.Now().Add(15*time.Minute)))
	if err != nil {
		t.Fatalf("create %s: %v", no, err)
	}
	return resp
}

func (e *env) query(no string) (aggregator.Transaction, error) {
	return e.client.QueryOrder(context.Background(), e.mer, no)
}

func (e *env) pay(t *testing.T, no string) int {
	t.Helper()
	resp, err := http.Post(e.srv.URL+"/sandbox/pay/"+no, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (e *env) setFaults(t *testing.T, js string) {
	t.Helper()
	resp, err := http.Post(e.srv.URL+"/sandbox/faults", "application/json", strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /sandbox/faults %s = %d %s", js, resp.StatusCode, b)
	}
}

func TestCreatePayNotify(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, nil)
	resp := e.create(t, "R20240901000001", 5000)
	if !strings.HasPrefix(resp.H5URL, e.srv.URL+"/sandbox/pay/R20240901000001?prepay_id=wx") || resp.PrepayID != "" {
		t.Fatalf("create = %+v", resp)
	}
	o, err := e.query("R20240901000001")
	if err != nil || o.TradeState != aggregator.StateNotPay || o.MchID != e.mer.MchID || o.AppID != e.mer.AppID {
		t.Fatalf("query before pay = %+v, %v", o, err)
	}
	if got := e.pay(t, "R20240901000001"); got != 200 {
		t.Fatalf("pay = %d", got)
	}
	got := e.m.wait(1)
	if len(got) != 1 {
		t.Fatalf("notifications = %d, want 1", len(got))
	}
	n := *got[0].Transaction
	if n.OutTradeNo != "R20240901000001" || n.Amount.Total != 5000 || n.TradeState != aggregator.StateSuccess ||
		got[0].EventType != aggregator.EventTransactionSuccess || n.TransactionID == "" || n.TradeType != aggregator.TradeH5 ||
		n.Payer == nil || n.Payer.OpenID == "" || n.MchID != e.mer.MchID || n.Amount.PayerTotal != 5000 {
		t.Fatalf("notification = %+v", n)
	}
	o, err = e.query("R20240901000001")
	if err != nil || o.TradeState != aggregator.StateSuccess || o.TransactionID != n.TransactionID || o.SuccessTime == "" {
		t.Fatalf("query after pay = %+v, %v", o, err)
	}
	// Paying again changes nothing and sends nothing.
	if got := e.pay(t, "R20240901000001"); got != 200 {
		t.Fatalf("second pay = %d", got)
	}
	if st := e.m.settle(); st.Scheduled != 1 {
		t.Fatalf("stats after second pay = %+v, want 1 scheduled", st)
	}
	if got := len(e.m.notifications()); got != 1 {
		t.Fatalf("notifications after second pay = %d, want 1", got)
	}
}

func TestDuplicatedNotifications(t *testing.T) {
	e := newEnv(t, sandbox.Faults{DupNotify: 5}, nil)
	e.create(t, "R20240901000002", 100)
	e.pay(t, "R20240901000002")
	got := e.m.wait(5)
	if len(got) != 5 {
		t.Fatalf("deliveries = %d, want 5", len(got))
	}
	for _, n := range got {
		if n.ID != got[0].ID || n.Transaction.OutTradeNo != "R20240901000002" {
			t.Fatalf("copy %+v differs from %+v", n, got[0])
		}
	}
	if st := e.sb.Stats(); st.Delivered != 5 || st.Scheduled != 5 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestDroppedNotification(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, nil)
	e.setFaults(t, `{"drop_notify":"100%"}`)
	e.create(t, "R20240901000003", 100)
	e.pay(t, "R20240901000003")
	if st := e.m.settle(); st.Scheduled != 0 {
		t.Fatalf("stats = %+v, want nothing scheduled", st)
	}
	if got := len(e.m.notifications()); got != 0 {
		t.Fatalf("notifications = %d, want 0", got)
	}
	o, err := e.query("R20240901000003")
	if err != nil || o.TradeState != aggregator.StateSuccess {
		t.Fatalf("query = %+v, %v", o, err)
	}
	if st := e.sb.Stats(); st.Dropped != 1 || st.Attempts != 0 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestRetryLadder(t *testing.T) {
	e := newEnv(t, sandbox.Faults{RetryLadder: []sandbox.Duration{0, sandbox.Duration(10 * time.Millisecond), sandbox.Duration(10 * time.Millisecond)}}, nil)
	e.m.failures = 2
	e.create(t, "R20240901000004", 100)
	e.pay(t, "R20240901000004")
	if got := e.m.wait(1); len(got) != 1 {
		t.Fatalf("deliveries = %d", len(got))
	}
	if st := e.sb.Stats(); st.Attempts != 3 || st.Delivered != 1 {
		t.Fatalf("stats = %+v, want 3 attempts, 1 delivered", st)
	}

	// A merchant that never acknowledges: the ladder is bounded.
	e.m.mu.Lock()
	e.m.failures = 100
	e.m.mu.Unlock()
	e.create(t, "R20240901000005", 100)
	e.pay(t, "R20240901000005")
	if st := e.m.settle(); st.Attempts != 6 || st.GaveUp != 1 {
		t.Fatalf("stats = %+v, want 6 attempts, 1 given up", st)
	}
}

func TestReorderedNotifications(t *testing.T) {
	e := newEnv(t, sandbox.Faults{Reorder: true}, nil)
	e.create(t, "R20240901000006", 100)
	e.create(t, "R20240901000007", 200)
	e.pay(t, "R20240901000006")
	e.pay(t, "R20240901000007")
	got := e.m.wait(2)
	if len(got) != 2 || got[0].Transaction.OutTradeNo != "R20240901000007" || got[1].Transaction.OutTradeNo != "R20240901000006" {
		t.Fatalf("order of arrival: %v", got)
	}
}

func TestInjectedFailuresOpenClientBreaker(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, nil)
	e.create(t, "R20240901000008", 100)
	e.setFaults(t, `{"fail_rate":1}`)
	for i := range 3 {
		if _, err := e.query("R20240901000008"); !errors.Is(err, aggregator.ErrTemporary) {
			t.Fatalf("query %d = %v, want ErrTemporary", i, err)
		}
	}
	if got := e.client.BreakerState(aggregator.OpQuery); got != gobreaker.StateOpen {
		t.Fatalf("breaker = %v, want open", got)
	}
	if _, err := e.query("R20240901000008"); !errors.Is(err, aggregator.ErrUnavailable) {
		t.Fatalf("query with open breaker = %v, want ErrUnavailable", err)
	}
	_, err := e.client.Prepay(context.Background(), e.mer, aggregator.TradeH5, e.h5("R20240901000009", 1, time.Now().Add(time.Minute)))
	if !errors.Is(err, aggregator.ErrOutcomeUnknown) {
		t.Fatalf("create under injected 5xx = %v, want ErrOutcomeUnknown", err)
	}
}

func TestInjectedLatencyTimesOut(t *testing.T) {
	e := newEnv(t, sandbox.Faults{Latency: sandbox.Duration(300 * time.Millisecond)}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := e.client.Prepay(ctx, e.mer, aggregator.TradeH5, e.h5("R20240901000010", 1, time.Now().Add(time.Minute)))
	if !errors.Is(err, aggregator.ErrOutcomeUnknown) {
		t.Fatalf("slow create = %v, want ErrOutcomeUnknown", err)
	}
}

func TestOrderLifecycle(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, sandbox.Faults{}, func(c *sandbox.Config) { c.Now = clock })
	ctx := context.Background()
	req := e.h5("R20240901000011", 1000, now.Add(time.Minute))
	first, err := e.client.Prepay(ctx, e.mer, aggregator.TradeH5, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.client.Prepay(ctx, e.mer, aggregator.TradeH5, req)
	if err != nil || again.H5URL != first.H5URL {
		t.Fatalf("identical create = %+v, %v; want %s", again, err, first.H5URL)
	}
	other := req
	other.Amount.Total = 999
	if _, err := e.client.Prepay(ctx, e.mer, aggregator.TradeH5, other); !errors.Is(err, aggregator.ErrConflict) {
		t.Fatalf("create with other amount = %v, want ErrConflict (OUT_TRADE_NO_USED)", err)
	}
	refundReq := func(no, rno string, fen, total int64) aggregator.RefundRequest {
		return aggregator.RefundRequest{OutTradeNo: no, OutRefundNo: rno, Reason: "退费",
			Amount: aggregator.RefundAmount{Refund: fen, Total: total, Currency: "CNY"}}
	}
	if _, err := e.client.Refund(ctx, e.mer, refundReq(req.OutTradeNo, "F000000001", 1, 1000)); !errors.Is(err, aggregator.ErrInvalidRequest) {
		t.Fatalf("refund unpaid = %v, want ErrInvalidRequest", err)
	}

	// Expiry: NOTPAY past time_expire is CLOSED; it cannot be paid or re-created.
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	o, err := e.query(req.OutTradeNo)
	if err != nil || o.TradeState != aggregator.StateClosed {
		t.Fatalf("expired order = %+v, %v", o, err)
	}
	if got := e.pay(t, req.OutTradeNo); got != http.StatusBadRequest {
		t.Fatalf("pay expired = %d", got)
	}
	if _, err := e.client.Prepay(ctx, e.mer, aggregator.TradeH5, req); !errors.Is(err, aggregator.ErrOrderClosed) {
		t.Fatalf("re-create closed = %v, want ErrOrderClosed", err)
	}
	// An unsigned 404 ORDER_NOT_EXIST is "no such order", not a bad signature.
	if _, err := e.query("R20249999999999"); !errors.Is(err, aggregator.ErrNotFound) || errors.Is(err, aggregator.ErrBadSignature) {
		t.Fatalf("query unknown = %v, want ErrNotFound", err)
	}

	// Close, pay, refund.
	req2 := e.h5("R20240901000012", 1000, now.Add(time.Hour))
	e.create(t, "R20240901000013", 1000)
	if _, err := e.client.Prepay(ctx, e.mer, aggregator.TradeH5, req2); err != nil {
		t.Fatal(err)
	}
	if err := e.client.CloseOrder(ctx, e.mer, req2.OutTradeNo); err != nil {
		t.Fatalf("close = %v", err)
	}
	if err := e.client.CloseOrder(ctx, e.mer, req2.OutTradeNo); err != nil {
		t.Fatalf("close again = %v", err)
	}
	e.pay(t, "R20240901000013")
	e.m.wait(1)
	if err := e.client.CloseOrder(ctx, e.mer, "R20240901000013"); !errors.Is(err, aggregator.ErrOrderPaid) {
		t.Fatalf("close paid = %v, want ErrOrderPaid", err)
	}
	rr := refundReq("R20240901000013", "F000000002", 400, 1000)
	rr.NotifyURL = e.m.srv.URL + "/refund"
	r1, err := e.client.Refund(ctx, e.mer, rr)
	if err != nil || r1.Status != aggregator.RefundProcessing || r1.Amount.Refund != 400 {
		t.Fatalf("refund = %+v, %v", r1, err)
	}
	all := e.m.wait(1)
	rn := all[len(all)-1] // the REFUND.SUCCESS notification
	if rn.EventType != aggregator.EventRefundSuccess || rn.Refund == nil || rn.Refund.State() != aggregator.RefundSuccess ||
		rn.Refund.OutRefundNo != "F000000002" || rn.Refund.MchID != e.mer.MchID {
		t.Fatalf("refund notification = %+v", rn)
	}
	r2, err := e.client.Refund(ctx, e.mer, rr)
	if err != nil || r2.RefundID != r1.RefundID {
		t.Fatalf("repeated refund = %+v, %v; want %s", r2, err, r1.RefundID)
	}
	if _, err := e.client.Refund(ctx, e.mer, refundReq("R20240901000013", "F000000003", 601, 1000)); !errors.Is(err, aggregator.ErrInvalidRequest) {
		t.Fatalf("over-refund = %v, want ErrInvalidRequest", err)
	}
	q, err := e.client.QueryRefund(ctx, e.mer, "F000000002")
	if err != nil || q.Status != aggregator.RefundSuccess || q.RefundID != r1.RefundID {
		t.Fatalf("refund query = %+v, %v", q, err)
	}
	if _, err := e.client.QueryRefund(ctx, e.mer, "F000000099"); !errors.Is(err, aggregator.ErrNotFound) {
		t.Fatalf("unknown refund = %v, want ErrNotFound (RESOURCE_NOT_EXISTS)", err)
	}
	o, err = e.query("R20240901000013")
	if err != nil || o.TradeState != aggregator.StateRefund {
		t.Fatalf("refunded order = %+v, %v", o, err)
	}
}

func TestRejectsForeignMerchant(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, nil)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keys := keySet(t).Merchant()
	keys.MerchantKey = otherKey // right serial claimed, wrong key
	cl, err := aggregator.NewClient(aggregator.Config{BaseURL: e.srv.URL, Keys: keys, CallTimeout: time.Second,
		Breaker: aggregator.BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: time.Minute, ConsecutiveFailures: 1}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.QueryOrder(context.Background(), e.mer, "R20240901000001")
	var apiErr *aggregator.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != aggregator.CodeSignError || apiErr.Status != 401 {
		t.Fatalf("foreign merchant = %v, want 401 SIGN_ERROR", err)
	}
	if got := cl.BreakerState(aggregator.OpQuery); got != gobreaker.StateClosed {
		t.Fatalf("breaker = %v: a rejection is not an outage", got)
	}
}

func TestPayPage(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, nil)
	resp := e.create(t, "R20240901000014", 12345)
	r, err := http.Get(resp.H5URL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !bytes.Contains(page, []byte(`<form method="post" action="/sandbox/pay/R20240901000014">`)) ||
		!bytes.Contains(page, []byte("¥123.45")) {
		t.Fatalf("pay page %d:\n%s", r.StatusCode, page)
	}
	r, err = http.Post(e.srv.URL+"/sandbox/pay/R20240901000014", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !bytes.Contains(page, []byte("SUCCESS")) {
		t.Fatalf("pay by form %d:\n%s", r.StatusCode, page)
	}
	e.m.wait(1)
}

func TestParseFraction(t *testing.T) {
	cases := []struct {
		in   string
		want sandbox.Fraction
		ok   bool
	}{
		{"0", 0, true}, {"1", 1000, true}, {"0.25", 250, true}, {".5", 500, true}, {"25%", 250, true},
		{"12.5%", 125, true}, {"100%", 1000, true}, {"0.0005", 0, true}, {"1.5", 0, false}, {"-0.1", 0, false},
		{"abc", 0, false}, {"", 0, false}, {"0.1e3", 0, false},
	}
	for _, c := range cases {
		got, err := sandbox.ParseFraction(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseFraction(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestFaultsEndpointValidates(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, nil)
	for _, js := range []string{`{"fail_rate":2}`, `{"dup_notify":1000}`, `{"latency":"1h"}`, `{"bogus":1}`} {
		resp, err := http.Post(e.srv.URL+"/sandbox/faults", "application/json", strings.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("POST /sandbox/faults %s = %d, want 400", js, resp.StatusCode)
		}
	}
	e.setFaults(t, `{"dup_notify":3,"retry_ladder":["0s","5ms"]}`)
	e.setFaults(t, `{"reorder":true}`) // partial: keeps dup_notify
	f := e.sb.Faults()
	if f.DupNotify != 3 || !f.Reorder || len(f.RetryLadder) != 2 {
		t.Fatalf("faults = %+v", f)
	}
}
