package alipay_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/gateway/alipay"
	"github.com/onecode/onecode/gateway/alipay/sandbox"
	"github.com/sony/gobreaker/v2"
)

func setFaults(t *testing.T, e *env, f sandbox.Faults) {
	t.Helper()
	f.RetryLadder = []sandbox.Duration{0, sandbox.Duration(20 * time.Millisecond)}
	if err := e.sb.SetFaults(f); err != nil {
		t.Fatal(err)
	}
}

// TestFaults: 5xx and ACQ.SYSTEM_ERROR are outcomes not known; a call processed but
// answered 5xx is resolved by repeating it (the same order); consecutive failures
// open the operation's breaker (nothing sent, ErrAggregatorUnavailable) and only
// that operation's.
func TestFaults(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, false)

	setFaults(t, e, sandbox.Faults{LoseRate: 1000})
	_, err := e.place("L20261204001", 700, recharge.ChannelNative)
	unknownOutcome(t, err)
	setFaults(t, e, sandbox.Faults{})
	if q, err := e.client.Query(ctx, "L20261204001"); err != nil || q.State != order.RemoteNotPaid {
		t.Fatalf("the lost precreate was done: %+v %v", q, err)
	}
	if p, err := e.place("L20261204001", 700, recharge.ChannelNative); err != nil || p.CodeURL == "" {
		t.Fatalf("repeat: %+v %v", p, err)
	}

	setFaults(t, e, sandbox.Faults{SystemErrorRate: 1000})
	_, err = e.client.Query(ctx, "L20261204001")
	unknownOutcome(t, err)
	setFaults(t, e, sandbox.Faults{FailRate: 1000})
	_, err = e.client.Query(ctx, "L20261204001")
	unknownOutcome(t, err)
	if s := e.client.BreakerState(alipay.OpQuery); s != gobreaker.StateOpen {
		t.Fatalf("query breaker %v after two failures", s)
	}
	_, err = e.client.Query(ctx, "L20261204001")
	mustIs(t, err, recharge.ErrAggregatorUnavailable)
	if s := e.client.BreakerState(alipay.OpClose); s != gobreaker.StateClosed {
		t.Fatalf("close breaker %v", s)
	}
	setFaults(t, e, sandbox.Faults{})
	if err := e.client.Close(ctx, "L20261204001"); err != nil {
		t.Fatalf("close with its own breaker: %v", err)
	}
}

// TestTimeout: an answer later than CallTimeout is an outcome not known.
func TestTimeout(t *testing.T) {
	e := newEnv(t, false, func(c *alipay.Config, _ *sandbox.Config) { c.CallTimeout = 50 * time.Millisecond })
	setFaults(t, e, sandbox.Faults{Latency: sandbox.Duration(time.Minute)})
	_, err := e.client.Query(context.Background(), "T20261204001")
	unknownOutcome(t, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a deadline: %v", err)
	}
}

// TestNotificationFaults: dropped notifications are not sent (the use case queries);
// duplicated ones all verify, with the same notify_id.
func TestNotificationFaults(t *testing.T) {
	e := newEnv(t, true)
	setFaults(t, e, sandbox.Faults{DupNotify: 3})
	placed, err := e.place("D20261204001", 100, recharge.ChannelH5)
	if err != nil {
		t.Fatal(err)
	}
	e.payVia(placed.PayURL)
	first := e.nextNotice()
	for range 2 {
		if n := e.nextNotice(); n.ID != first.ID || *n.Payment != *first.Payment {
			t.Fatalf("duplicate %+v of %+v", n, first)
		}
	}
	setFaults(t, e, sandbox.Faults{DropNotify: 1000})
	placed, err = e.place("D20261204002", 100, recharge.ChannelH5)
	if err != nil {
		t.Fatal(err)
	}
	e.payVia(placed.PayURL)
	if s := e.sb.Stats(); s.Dropped != 1 || s.Scheduled != 3 {
		t.Fatalf("stats %+v", s)
	}
	if q, err := e.client.Query(context.Background(), "D20261204002"); err != nil || q.State != order.RemotePaid {
		t.Fatalf("query of the dropped one: %+v %v", q, err)
	}
}

// TestNotificationRetries: a merchant answering "fail" is notified again.
func TestNotificationRetries(t *testing.T) {
	e := newEnv(t, false)
	calls := make(chan int, 8)
	n := 0
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		calls <- n
		if n < 2 {
			_, _ = w.Write([]byte("fail"))
			return
		}
		_, _ = w.Write([]byte("success"))
	}))
	defer recv.Close()
	e.notify = recv.URL
	placed, err := e.place("Y20261204001", 100, recharge.ChannelH5)
	if err != nil {
		t.Fatal(err)
	}
	e.payVia(placed.PayURL)
	for want := 1; want <= 2; want++ {
		select {
		case got := <-calls:
			if got != want {
				t.Fatalf("call %d", got)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("not notified again")
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.sb.Stats().Delivered != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v", e.sb.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestAnswersNotTrusted: a success without a signature, or signed by another key,
// is an outcome not known; an unsigned gateway error (isv.invalid-signature: our
// request did not verify) is a refusal.
func TestAnswersNotTrusted(t *testing.T) {
	ctx := context.Background()
	for name, body := range map[string]string{
		"unsigned success":  `{"alipay_trade_query_response":{"code":"10000","msg":"Success","out_trade_no":"U20261204001","trade_status":"TRADE_SUCCESS","total_amount":"1.00","trade_no":"1"}}`,
		"unsigned business": `{"alipay_trade_query_response":{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST"}}`,
		"not json":          `<html>`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) }))
		_, err := docClient(t, srv.URL).Query(ctx, "U20261204001")
		srv.Close()
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		unknownOutcome(t, err)
	}
	e := newEnv(t, false)
	cfg := e.cfg
	other, err := alipay.GenerateKeySet(nil, "2021000000000001")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Keys.AppKey = other.AppKey
	c, err := alipay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Query(ctx, "U20261204001")
	mustIs(t, err, recharge.ErrAggregatorRefused)
	cfg = e.cfg
	cfg.Keys.AlipayKey = &other.AlipayKey.PublicKey
	if c, err = alipay.New(cfg); err != nil {
		t.Fatal(err)
	}
	_, err = c.Query(ctx, "U20261204001")
	unknownOutcome(t, err)
	if !errors.Is(err, alipay.ErrSignature) {
		t.Fatalf("want a bad signature: %v", err)
	}
}
