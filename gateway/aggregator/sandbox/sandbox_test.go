package sandbox_test

import (
	"bytes"
	"context"
	"crypto/rand"
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
		if set, err = aggregator.GenerateKeySet(rand.Reader, "1900000109"); err != nil {
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

func newMerchant(t *testing.T) *merchant {
	t.Helper()
	v, err := aggregator.NewVerifier(keySet(t).Merchant())
	if err != nil {
		t.Fatal(err)
	}
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
	m := newMerchant(t)
	m.sb = sb
	return &env{sb: sb, srv: srv, client: cl, m: m}
}

func (e *env) create(t *testing.T, no string, fen int64) aggregator.CreateOrderResponse {
	t.Helper()
	resp, err := e.client.CreateOrder(context.Background(), aggregator.CreateOrderRequest{OutTradeNo: no, AmountFen: fen,
		Description: "食堂充值", NotifyURL: e.m.srv.URL + "/notify", ExpireAt: time.Now().Add(15 * time.Minute)})
	if err != nil {
		t.Fatalf("create %s: %v", no, err)
	}
	return resp
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
	if !strings.HasPrefix(resp.PayURL, e.srv.URL+"/sandbox/pay/R20240901000001") || resp.PrepayID == "" {
		t.Fatalf("create = %+v", resp)
	}
	o, err := e.client.QueryOrder(context.Background(), "R20240901000001")
	if err != nil || o.State != aggregator.StateNotPay {
		t.Fatalf("query before pay = %+v, %v", o, err)
	}
	if got := e.pay(t, "R20240901000001"); got != 200 {
		t.Fatalf("pay = %d", got)
	}
	got := e.m.wait(1)
	if len(got) != 1 {
		t.Fatalf("notifications = %d, want 1", len(got))
	}
	n := got[0]
	if n.OutTradeNo != "R20240901000001" || n.AmountFen != 5000 || n.TradeState != aggregator.StateSuccess ||
		n.EventType != aggregator.EventTransactionSuccess || n.TransactionID == "" {
		t.Fatalf("notification = %+v", n)
	}
	o, err = e.client.QueryOrder(context.Background(), "R20240901000001")
	if err != nil || o.State != aggregator.StateSuccess || o.TransactionID != n.TransactionID || o.SuccessTime == nil {
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
		if n.ID != got[0].ID || n.OutTradeNo != "R20240901000002" {
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
	o, err := e.client.QueryOrder(context.Background(), "R20240901000003")
	if err != nil || o.State != aggregator.StateSuccess {
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
	if len(got) != 2 || got[0].OutTradeNo != "R20240901000007" || got[1].OutTradeNo != "R20240901000006" {
		t.Fatalf("order of arrival: %v", got)
	}
}

func TestInjectedFailuresOpenClientBreaker(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, nil)
	e.create(t, "R20240901000008", 100)
	e.setFaults(t, `{"fail_rate":1}`)
	for i := range 3 {
		if _, err := e.client.QueryOrder(context.Background(), "R20240901000008"); !errors.Is(err, aggregator.ErrTemporary) {
			t.Fatalf("query %d = %v, want ErrTemporary", i, err)
		}
	}
	if got := e.client.BreakerState(aggregator.OpQuery); got != gobreaker.StateOpen {
		t.Fatalf("breaker = %v, want open", got)
	}
	if _, err := e.client.QueryOrder(context.Background(), "R20240901000008"); !errors.Is(err, aggregator.ErrUnavailable) {
		t.Fatalf("query with open breaker = %v, want ErrUnavailable", err)
	}
	_, err := e.client.CreateOrder(context.Background(), aggregator.CreateOrderRequest{OutTradeNo: "R20240901000009", AmountFen: 1,
		NotifyURL: e.m.srv.URL, ExpireAt: time.Now().Add(time.Minute)})
	if !errors.Is(err, aggregator.ErrOutcomeUnknown) {
		t.Fatalf("create under injected 5xx = %v, want ErrOutcomeUnknown", err)
	}
}

func TestInjectedLatencyTimesOut(t *testing.T) {
	e := newEnv(t, sandbox.Faults{Latency: sandbox.Duration(300 * time.Millisecond)}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := e.client.CreateOrder(ctx, aggregator.CreateOrderRequest{OutTradeNo: "R20240901000010", AmountFen: 1,
		NotifyURL: e.m.srv.URL, ExpireAt: time.Now().Add(time.Minute)})
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
	req := aggregator.CreateOrderRequest{OutTradeNo: "R20240901000011", AmountFen: 1000, NotifyURL: e.m.srv.URL,
		ExpireAt: now.Add(time.Minute).Truncate(time.Second)}
	first, err := e.client.CreateOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.client.CreateOrder(ctx, req)
	if err != nil || again.PrepayID != first.PrepayID {
		t.Fatalf("identical create = %+v, %v; want prepay %s", again, err, first.PrepayID)
	}
	other := req
	other.AmountFen = 999
	if _, err := e.client.CreateOrder(ctx, other); !errors.Is(err, aggregator.ErrConflict) {
		t.Fatalf("create with other amount = %v, want ErrConflict", err)
	}
	if _, err := e.client.Refund(ctx, aggregator.RefundRequest{OutTradeNo: req.OutTradeNo, OutRefundNo: "F000000001", AmountFen: 1}); !errors.Is(err, aggregator.ErrNotPaid) {
		t.Fatalf("refund unpaid = %v, want ErrNotPaid", err)
	}

	// Expiry: NOTPAY past expire_at is CLOSED; it cannot be paid or re-created.
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	o, err := e.client.QueryOrder(ctx, req.OutTradeNo)
	if err != nil || o.State != aggregator.StateClosed {
		t.Fatalf("expired order = %+v, %v", o, err)
	}
	if got := e.pay(t, req.OutTradeNo); got != http.StatusBadRequest {
		t.Fatalf("pay expired = %d", got)
	}
	if _, err := e.client.CreateOrder(ctx, req); !errors.Is(err, aggregator.ErrOrderClosed) {
		t.Fatalf("re-create closed = %v, want ErrOrderClosed", err)
	}
	if _, err := e.client.QueryOrder(ctx, "R20249999999999"); !errors.Is(err, aggregator.ErrNotFound) {
		t.Fatalf("query unknown = %v, want ErrNotFound", err)
	}

	// Close, pay, refund.
	req2 := req
	req2.OutTradeNo, req2.ExpireAt = "R20240901000012", now.Add(time.Hour).Truncate(time.Second)
	e.create(t, "R20240901000013", 1000)
	if _, err := e.client.CreateOrder(ctx, req2); err != nil {
		t.Fatal(err)
	}
	if err := e.client.CloseOrder(ctx, req2.OutTradeNo); err != nil {
		t.Fatalf("close = %v", err)
	}
	if err := e.client.CloseOrder(ctx, req2.OutTradeNo); err != nil {
		t.Fatalf("close again = %v", err)
	}
	e.pay(t, "R20240901000013")
	e.m.wait(1)
	if err := e.client.CloseOrder(ctx, "R20240901000013"); !errors.Is(err, aggregator.ErrOrderPaid) {
		t.Fatalf("close paid = %v, want ErrOrderPaid", err)
	}
	rr := aggregator.RefundRequest{OutTradeNo: "R20240901000013", OutRefundNo: "F000000002", AmountFen: 400}
	r1, err := e.client.Refund(ctx, rr)
	if err != nil || r1.Status != "SUCCESS" {
		t.Fatalf("refund = %+v, %v", r1, err)
	}
	r2, err := e.client.Refund(ctx, rr)
	if err != nil || r2.RefundID != r1.RefundID {
		t.Fatalf("repeated refund = %+v, %v; want %s", r2, err, r1.RefundID)
	}
	if _, err := e.client.Refund(ctx, aggregator.RefundRequest{OutTradeNo: "R20240901000013", OutRefundNo: "F000000003", AmountFen: 601}); !errors.Is(err, aggregator.ErrRefundExceeded) {
		t.Fatalf("over-refund = %v, want ErrRefundExceeded", err)
	}
	o, err = e.client.QueryOrder(ctx, "R20240901000013")
	if err != nil || o.State != aggregator.StateRefund || o.RefundedFen != 400 {
		t.Fatalf("refunded order = %+v, %v", o, err)
	}
}

func TestRejectsForeignMerchant(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, nil)
	other, err := aggregator.GenerateKeySet(rand.Reader, "1900000109")
	if err != nil {
		t.Fatal(err)
	}
	keys := keySet(t).Merchant()
	keys.MerchantKey = other.MerchantKey // right serial claimed, wrong key
	cl, err := aggregator.NewClient(aggregator.Config{BaseURL: e.srv.URL, Keys: keys, CallTimeout: time.Second,
		Breaker: aggregator.BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: time.Minute, ConsecutiveFailures: 1}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.QueryOrder(context.Background(), "R20240901000001")
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
	r, err := http.Get(resp.PayURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !bytes.Contains(page, []byte(`<form method="post" action="/sandbox/pay/R20240901000014">`)) ||
		!bytes.Contains(page, []byte("¥123.45")) {
		t.Fatalf("pay page %d:\n%s", r.StatusCode, page)
	}
	r, err = http.Post(resp.PayURL, "application/x-www-form-urlencoded", nil)
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
