package alipay_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/gateway/alipay"
	"github.com/onecode/onecode/gateway/alipay/sandbox"
)

var (
	keysOnce sync.Once
	keySet   alipay.KeySet
	keysErr  error
)

// testKeys is one generated key set per test binary (RSA generation is slow).
func testKeys(t testing.TB) alipay.KeySet {
	t.Helper()
	keysOnce.Do(func() { keySet, keysErr = alipay.GenerateKeySet(nil, "2021000000000001") })
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return keySet
}

// env is the adapter against the sandbox on loopback, with a notification endpoint
// that verifies with the adapter and acknowledges as it says.
type env struct {
	t       *testing.T
	sb      *sandbox.Server
	gw      *httptest.Server
	client  *alipay.Client
	cfg     alipay.Config
	notices chan recharge.Notice
	bodies  chan []byte
	bad     chan error
	notify  string
}

type option func(*alipay.Config, *sandbox.Config)

func newEnv(t *testing.T, certMode bool, opts ...option) *env {
	t.Helper()
	ks := testKeys(t)
	e := &env{t: t, notices: make(chan recharge.Notice, 64), bodies: make(chan []byte, 64), bad: make(chan error, 64)}
	scfg := sandbox.ConfigFromKeySet(ks, certMode)
	scfg.Faults.RetryLadder = []sandbox.Duration{0, sandbox.Duration(20 * time.Millisecond), sandbox.Duration(20 * time.Millisecond)}
	ccfg := alipay.Config{Keys: ks.Merchant(certMode), CallTimeout: 5 * time.Second,
		Breaker: alipay.BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: time.Minute, ConsecutiveFailures: 2}}
	for _, o := range opts {
		o(&ccfg, &scfg)
	}
	sb, err := sandbox.New(scfg)
	if err != nil {
		t.Fatal(err)
	}
	e.sb = sb
	e.gw = httptest.NewServer(sb.Handler())
	ccfg.GatewayURL = e.gw.URL + "/gateway.do"
	e.cfg = ccfg
	if e.client, err = alipay.New(ccfg); err != nil {
		t.Fatal(err)
	}
	recv := httptest.NewServer(http.HandlerFunc(e.receive))
	e.notify = recv.URL + "/notify/alipay"
	t.Cleanup(func() { sb.Close(); e.gw.Close(); recv.Close() })
	return e
}

func (e *env) receive(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	n, err := e.client.VerifyNotification(r.Header, body, time.Now())
	e.client.Ack(w, err)
	if err != nil {
		e.bad <- err
		return
	}
	e.bodies <- body
	e.notices <- n
}

// nextNotice waits for the next verified notification.
func (e *env) nextNotice() recharge.Notice {
	e.t.Helper()
	select {
	case n := <-e.notices:
		<-e.bodies
		return n
	case err := <-e.bad:
		e.t.Fatalf("notification rejected: %v", err)
	case <-time.After(10 * time.Second):
		e.t.Fatal("no notification")
	}
	return recharge.Notice{}
}

func (e *env) place(id string, fen int64, ch recharge.Channel) (recharge.Placed, error) {
	return e.client.Place(context.Background(), recharge.PlaceRequest{OrderID: id, AmountFen: fen, Description: "饭卡充值 " + id,
		NotifyURL: e.notify, ExpiresAt: time.Now().Add(15 * time.Minute).UTC(), Channel: ch, ClientIP: "203.0.113.9"})
}

var hidden = regexp.MustCompile(`name="(merchant|out_trade_no)" value="([^"]*)"`)

// payVia opens a pay page (the wap URL or the qr_code) and presses "Pay".
func (e *env) payVia(page string) {
	e.t.Helper()
	resp, err := http.Get(page)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "Pay ¥") {
		e.t.Fatalf("pay page %d: %s", resp.StatusCode, b)
	}
	form := url.Values{}
	for _, m := range hidden.FindAllStringSubmatch(string(b), -1) {
		form.Set(m[1], m[2])
	}
	resp, err = http.PostForm(e.gw.URL+"/sandbox/pay", form)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "TRADE_SUCCESS") {
		e.t.Fatalf("pay %d: %s", resp.StatusCode, b)
	}
}

func mustIs(t *testing.T, err error, targets ...error) {
	t.Helper()
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Fatalf("error %v is not %v", err, target)
		}
	}
}

// unknownOutcome: an error carrying none of the port's definite marks.
func unknownOutcome(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error")
	}
	for _, s := range []error{recharge.ErrAggregatorRefused, recharge.ErrAggregatorUnavailable, recharge.ErrOrderPaid,
		recharge.ErrOrderClosed, recharge.ErrOrderConflict, recharge.ErrRefundNotFound} {
		if errors.Is(err, s) {
			t.Fatalf("error %v is marked %v; want an unknown outcome", err, s)
		}
	}
}
