package orderstest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onecode/onecode/persistence/orders"
)

// testPayerKept: the payer's channel, client IP and openid are kept as written and
// survive transitions; malformed ones are refused and write nothing.
func testPayerKept(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	js := newOrder(c, "p1", "acc-1", 5000)
	js.Channel, js.OpenID = orders.ChannelJSAPI, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	h5 := newOrder(c, "p1", "acc-1", 6000)
	h5.ClientIP = "2001:db8::ffff:203.0.113.7"
	for _, o := range []orders.Order{js, h5} {
		got := create(t, s, o)
		wantCh := o.Channel
		if wantCh == "" {
			wantCh = orders.ChannelH5
		}
		if got.Channel != wantCh || got.ClientIP != o.ClientIP || got.OpenID != o.OpenID {
			t.Errorf("Create kept %q %q %q, want %q %q %q", got.Channel, got.ClientIP, got.OpenID, wantCh, o.ClientIP, o.OpenID)
		}
		moved, err := s.Transition(ctx, o.OrderID, []orders.State{orders.StatePending}, orders.StateAwaitingPayment, orders.Fields{PayURL: "https://pay.example/x"})
		if err != nil || moved.Channel != wantCh || moved.ClientIP != o.ClientIP || moved.OpenID != o.OpenID {
			t.Errorf("after a transition %+v, %v", moved, err)
		}
		if g, err := s.Get(ctx, o.OrderID); err != nil || g.Channel != wantCh || g.ClientIP != o.ClientIP || g.OpenID != o.OpenID {
			t.Errorf("Get %+v, %v", g, err)
		}
	}
	for name, edit := range map[string]func(*orders.Order){
		"unknown channel": func(o *orders.Order) { o.Channel = "app" },
		"long client IP":  func(o *orders.Order) { o.ClientIP = strings.Repeat("1", orders.MaxClientIPLen+1) },
		"long openid":     func(o *orders.Order) { o.OpenID = strings.Repeat("o", orders.MaxOpenIDLen+1) },
	} {
		o := newOrder(c, "p1", "acc-1", 100)
		edit(&o)
		if _, _, err := s.Create(ctx, o, nil); !errors.Is(err, orders.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
		if _, err := s.Get(ctx, o.OrderID); !errors.Is(err, orders.ErrNotFound) {
			t.Errorf("%s: written anyway (%v)", name, err)
		}
	}
}

// testPayParamsKept: the pay parameters set with the pay URL are read back, kept
// by later transitions that set none, and bounded.
func testPayParamsKept(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	o := create(t, s, newOrder(c, "p1", "acc-1", 700))
	const params = `{"code_url":"weixin://wxpay/bizpayurl?pr=abc"}`
	if _, err := s.Transition(ctx, o.OrderID, []orders.State{orders.StatePending}, orders.StateAwaitingPayment,
		orders.Fields{PayParams: strings.Repeat("x", orders.MaxPayParamsLen+1)}); !errors.Is(err, orders.ErrInvalid) {
		t.Errorf("long pay parameters: %v, want ErrInvalid", err)
	}
	moved, err := s.Transition(ctx, o.OrderID, []orders.State{orders.StatePending}, orders.StateAwaitingPayment, orders.Fields{PayURL: "weixin://wxpay/bizpayurl?pr=abc", PayParams: params})
	if err != nil || moved.PayParams != params {
		t.Fatalf("moved %+v, %v", moved, err)
	}
	moved, err = s.Transition(ctx, o.OrderID, []orders.State{orders.StateAwaitingPayment}, orders.StateCredited, orders.Fields{TransactionID: "4200000009"})
	if err != nil || moved.PayParams != params {
		t.Errorf("credited %+v, %v", moved, err)
	}
	if g, err := s.Get(ctx, o.OrderID); err != nil || g.PayParams != params {
		t.Errorf("Get %+v, %v", g, err)
	}
}
