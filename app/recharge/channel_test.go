package recharge

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/sqliteorders"
)

// wechatFake is a WeChat-like merchant over agg: every channel, JSAPI under appID.
type wechatFake struct {
	Provider
	agg   *fakeAggregator
	appID string
}

func (w wechatFake) Supports(c Channel) bool { return c.Valid() }
func (w wechatFake) JSAPIAppID() string      { return w.appID }
func (w wechatFake) Place(ctx context.Context, req PlaceRequest) (Placed, error) {
	if _, err := w.agg.Place(ctx, req); err != nil {
		return Placed{}, err
	}
	switch req.Channel {
	case ChannelJSAPI:
		return Placed{PrepayID: "wx1", JSAPI: &JSAPIParams{AppID: w.appID, TimeStamp: "1700000000", NonceStr: "n",
			Package: "prepay_id=wx1", SignType: "RSA", PaySign: "sig"}}, nil
	case ChannelNative:
		return Placed{CodeURL: "weixin://wxpay/bizpayurl?pr=" + req.OrderID[:8]}, nil
	}
	return Placed{PayURL: "https://pay.example/" + req.OrderID}, nil
}

type fakeLinks map[string]string

func (l fakeLinks) WeChatLinkOf(_ context.Context, parentID string) (directory.WeChatLink, error) {
	if o, ok := l[parentID]; ok {
		return directory.WeChatLink{ParentID: parentID, OpenID: o}, nil
	}
	return directory.WeChatLink{}, directory.ErrNotFound
}

func channelEnv(t *testing.T, merchantApp, linkedApp string, links fakeLinks) (*Service, Store, *fakeAggregator) {
	t.Helper()
	store, err := sqliteorders.Open(context.Background(), t.TempDir()+"/orders.db", sqliteorders.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	agg := &fakeAggregator{}
	w := wechatFake{Provider: AggregatorProvider(agg), agg: agg, appID: merchantApp}
	s, err := New(Config{Accounts: &fakeAccounts{credited: map[string]bool{}}, Orders: store,
		Providers: Single(w), NotifyURL: "https://onecode.example/notify",
		WeChatLinks: links, WeChatAppID: linkedApp, Rand: rand.Reader, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s, store, agg
}

// TestChannelsRefusedBeforeAnyOrder: JSAPI takes the parent's linked openid (never
// the caller's), and is refused without a link or when the merchant's JSAPI appid
// is not the linked accounts'; an unknown channel is invalid. Refusals write and
// send nothing; the pay parameters of JSAPI and Native orders are read again.
func TestChannelsRefusedBeforeAnyOrder(t *testing.T) {
	ctx := context.Background()
	s, store, agg := channelEnv(t, "wxOther", "wxLinked", fakeLinks{testParent: "oLinked"})
	_, err := s.CreateFor(ctx, testParent, testAccount, 100, "r-app", Payer{Channel: ChannelJSAPI, OpenID: "oForged"})
	wantReason(t, "merchant of another appid", err, reason.KindFailedPrecondition, reason.ChannelUnsupported)
	_, err = s.CreateFor(ctx, testParent, testAccount, 100, "r-bad", Payer{Channel: Channel(7)})
	wantReason(t, "unknown channel", err, reason.KindInvalid, reason.ChannelInvalid)
	for _, req := range []string{"r-app", "r-bad"} {
		if _, err := store.ByRequest(ctx, testParent, req); !errors.Is(err, orders.ErrNotFound) || agg.places != 0 {
			t.Errorf("refused %s written or sent: %v, %d sent", req, err, agg.places)
		}
	}

	s, store, agg = channelEnv(t, "wxLinked", "wxLinked", fakeLinks{testParent: "oLinked"})
	_, err = s.CreateFor(ctx, "parent-unlinked", testAccount, 100, "r-unlinked", Payer{Channel: ChannelJSAPI})
	wantReason(t, "unlinked parent", err, reason.KindFailedPrecondition, reason.WeChatNotLinked)
	if _, err := store.ByRequest(ctx, "parent-unlinked", "r-unlinked"); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("refused r-unlinked written: %v", err)
	}
	if agg.places != 0 {
		t.Fatalf("%d orders sent", agg.places)
	}
	js, err := s.CreateFor(ctx, testParent, testAccount, 100, "r-js", Payer{Channel: ChannelJSAPI, OpenID: "oForged"})
	if err != nil || js.JSAPI == nil || js.JSAPI.PaySign != "sig" || js.PayURL != "" || agg.requests[0].OpenID != "oLinked" {
		t.Fatalf("JSAPI %+v, %v; sent %+v", js, err, agg.requests)
	}
	nat, err := s.CreateFor(ctx, testParent, testAccount, 100, "r-nat", Payer{Channel: ChannelNative})
	if err != nil || nat.CodeURL == "" || nat.PayURL != "" || nat.JSAPI != nil {
		t.Fatalf("Native %+v, %v", nat, err)
	}
	if g, err := s.GetOwn(ctx, testParent, js.OrderID); err != nil || g.JSAPI == nil || *g.JSAPI != *js.JSAPI || g.Channel != ChannelJSAPI {
		t.Errorf("JSAPI read again %+v, %v", g, err)
	}
	if g, err := s.GetOwn(ctx, testParent, nat.OrderID); err != nil || g.CodeURL != nat.CodeURL {
		t.Errorf("Native read again %+v, %v", g, err)
	}
}

// withWeChat makes e's merchant WeChat-like (every channel, JSAPI under wxA) and
// the parents' links links.
func (e *env) withWeChat(t *testing.T, links fakeLinks) {
	t.Helper()
	var err error
	e.s, err = New(Config{Accounts: e.acc, Orders: e.store, NotifyURL: "https://onecode.example/notify",
		Providers: Single(wechatFake{Provider: AggregatorProvider(e.agg), agg: e.agg, appID: "wxA"}), WeChatLinks: links,
		ResolveAfter: time.Millisecond, Rand: rand.Reader, Now: func() time.Time { return e.now }})
	if err != nil {
		t.Fatal(err)
	}
}
