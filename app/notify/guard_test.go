package notify

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
)

// fakeChannel answers each Send with fail(n) for the n-th call (from 1).
type fakeChannel struct {
	name  ChannelName
	calls atomic.Int32
	fail  func(n int32) error
}

func (f *fakeChannel) Name() ChannelName { return f.name }

func (f *fakeChannel) Send(ctx context.Context, d Delivery) (Receipt, error) {
	n := f.calls.Add(1)
	if err := f.fail(n); err != nil {
		return Receipt{}, err
	}
	return Receipt{ProviderID: "p1"}, nil
}

func testLimits() Limits {
	return Limits{CallTimeout: time.Second, Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
		Rate: 1000, Burst: 100, Breaker: BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: time.Hour, ConsecutiveFailures: 3}}
}

func TestGuardedRetries(t *testing.T) {
	for _, tc := range []struct {
		name          string
		fail          func(n int32) error
		wantCalls     int32
		wantErr       bool
		wantPermanent bool
		wantRetried   int64
	}{
		{"accepted at once", func(int32) error { return nil }, 1, false, false, 0},
		{"transient then accepted", func(n int32) error {
			if n < 3 {
				return Transient("http_503", nil)
			}
			return nil
		}, 3, false, false, 2},
		{"transient every time: bounded", func(int32) error { return errors.New("connection refused") }, 3, true, false, 2},
		{"permanent: never retried", func(int32) error { return Permanent("invalid_phone", nil) }, 1, true, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stats := &Stats{}
			ch := &fakeChannel{name: SMS, fail: tc.fail}
			g, err := Guard(ch, testLimits(), stats, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = g.Send(context.Background(), Delivery{MessageID: 1})
			if got := ch.calls.Load(); got != tc.wantCalls {
				t.Errorf("calls %d, want %d", got, tc.wantCalls)
			}
			if (err != nil) != tc.wantErr || IsPermanent(err) != tc.wantPermanent {
				t.Errorf("error %v, want error %v permanent %v", err, tc.wantErr, tc.wantPermanent)
			}
			if got := stats.Get(SMS, OutcomeRetried); got != tc.wantRetried {
				t.Errorf("retried %d, want %d", got, tc.wantRetried)
			}
			if err != nil && FailureCode(err)[:4] != "sms:" {
				t.Errorf("failure code %q, want the channel in it", FailureCode(err))
			}
		})
	}
}

// TestGuardedBreaker: transient failures open the breaker, which then fails
// fast without calling the provider; permanent failures do not count.
func TestGuardedBreaker(t *testing.T) {
	var down atomic.Bool
	ch := &fakeChannel{name: WeChat, fail: func(int32) error {
		if down.Load() {
			return Transient("http_500", nil)
		}
		return Permanent("unsubscribed", nil)
	}}
	var opened atomic.Bool
	l := testLimits()
	l.Attempts = 1
	g, err := Guard(ch, l, nil, func(name ChannelName, _, to gobreaker.State) {
		if name == WeChat && to == gobreaker.StateOpen {
			opened.Store(true)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		_, _ = g.Send(context.Background(), Delivery{})
	}
	if g.State() != gobreaker.StateClosed {
		t.Fatalf("permanent failures opened the breaker")
	}
	down.Store(true)
	for range 3 {
		_, _ = g.Send(context.Background(), Delivery{})
	}
	if g.State() != gobreaker.StateOpen || !opened.Load() {
		t.Fatalf("breaker %v after 3 transient failures, want open", g.State())
	}
	before := ch.calls.Load()
	_, err = g.Send(context.Background(), Delivery{})
	if !errors.Is(err, ErrBreakerOpen) || IsPermanent(err) || ch.calls.Load() != before {
		t.Errorf("open breaker: %v (calls %d → %d), want a transient ErrBreakerOpen without a call", err, before, ch.calls.Load())
	}
}

func TestGuardRefusesBadLimits(t *testing.T) {
	for _, edit := range []func(*Limits){
		func(l *Limits) { l.Attempts = 0 },
		func(l *Limits) { l.Attempts = 11 },
		func(l *Limits) { l.CallTimeout = 0 },
		func(l *Limits) { l.Rate = 0 },
		func(l *Limits) { l.Breaker.ConsecutiveFailures = 0 },
		func(l *Limits) { l.MaxBackoff = 0 },
	} {
		l := testLimits()
		edit(&l)
		if _, err := Guard(&fakeChannel{name: SMS}, l, nil, nil); err == nil {
			t.Errorf("limits %+v accepted", l)
		}
	}
}
