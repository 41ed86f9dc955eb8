package recharge

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onecode/onecode/domain/order"
)

// TestPayerKeptForTheReask: the payer's channel, IP and openid are written on the
// order; after a lost answer the resolver asks the provider with the same payer
// (not a stand-in), recharge and fee order alike. The JSAPI openid is the parent's
// linked one.
func TestPayerKeptForTheReask(t *testing.T) {
	for _, payer := range []Payer{
		{Channel: ChannelH5, ClientIP: "203.0.113.7"},
		{Channel: ChannelJSAPI, OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
		{Channel: ChannelNative},
	} {
		e := newEnv(t)
		e.withWeChat(t, fakeLinks{testParent: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"})
		ctx := context.Background()
		e.agg.placeErr = errors.New("timeout")
		rc, err := e.s.CreateFor(ctx, testParent, testAccount, 5000, "req-1", payer)
		if err != nil {
			t.Fatal(err)
		}
		o, err := e.store.Get(ctx, rc.OrderID)
		if err != nil || channelOf(o.Channel) != payer.Channel || o.ClientIP != payer.ClientIP || o.OpenID != payer.OpenID {
			t.Fatalf("stored %+v, %v; want %+v", o, err, payer)
		}
		e.agg.placeErr = nil
		e.agg.query.State = order.RemoteNotPaid // the order exists: the resolver asks again for its pay URL
		e.now = e.now.Add(time.Second)
		if _, err := e.s.ResolveOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if len(e.agg.requests) != 2 {
			t.Fatalf("%d placements, want 2", len(e.agg.requests))
		}
		for i, r := range e.agg.requests {
			if r.Channel != payer.Channel || r.ClientIP != payer.ClientIP || r.OpenID != payer.OpenID {
				t.Errorf("placement %d: %v %q %q, want %+v", i, r.Channel, r.ClientIP, r.OpenID, payer)
			}
		}
	}
}
