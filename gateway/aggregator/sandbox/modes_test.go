package sandbox_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/aggregator/sandbox"
)

// rawInbox keeps notifications as they arrived (headers and body) for a Provider to verify.
type rawInbox struct {
	srv *httptest.Server
	got chan rawNote
}

type rawNote struct {
	h    http.Header
	body []byte
}

func newRawInbox(t *testing.T) *rawInbox {
	in := &rawInbox{got: make(chan rawNote, 16)}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		in.got <- rawNote{h: r.Header.Clone(), body: b}
	}))
	t.Cleanup(in.srv.Close)
	return in
}

func (in *rawInbox) next(t *testing.T) rawNote {
	t.Helper()
	select {
	case n := <-in.got:
		return n
	case <-time.After(5 * time.Second):
		t.Fatal("no notification arrived")
		return rawNote{}
	}
}

// TestPartnerModeThroughProvider: OneCode as service provider, the school a
// sub-merchant with its own appid: JSAPI, H5 and Native orders, query, close, refund
// and both notifications, all through the recharge.Provider port.
func TestPartnerModeThroughProvider(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, nil)
	in := newRawInbox(t)
	k := keySet(t)
	school := aggregator.Merchant{Mode: aggregator.ModePartner, AppID: k.AppID, MchID: k.MchID, SubMchID: "1900000109", SubAppID: "wx1234567890abcdef"}
	p, err := aggregator.NewProvider(e.client, school)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	place := func(no string, ch recharge.Channel) recharge.Placed {
		t.Helper()
		pl, err := p.Place(ctx, recharge.PlaceRequest{OrderID: no, AmountFen: 3000, Description: "一码通充值", NotifyURL: in.srv.URL,
			ExpiresAt: time.Now().Add(15 * time.Minute).UTC(), Channel: ch, ClientIP: "203.0.113.7", OpenID: "oSub_openid_of_the_parent"})
		if err != nil {
			t.Fatalf("place %s: %v", no, err)
		}
		return pl
	}
	js := place("R20240902000001", recharge.ChannelJSAPI)
	if js.PrepayID == "" || js.JSAPI == nil || js.JSAPI.AppID != school.SubAppID || js.JSAPI.Package != "prepay_id="+js.PrepayID || js.JSAPI.SignType != "RSA" {
		t.Fatalf("JSAPI placed = %+v %+v", js, js.JSAPI)
	}
	msg := aggregator.JSAPIMessage(js.JSAPI.AppID, js.JSAPI.TimeStamp, js.JSAPI.NonceStr, js.JSAPI.Package)
	if err := aggregator.VerifySignature(k.MerchantCert.PublicKey.(*rsa.PublicKey), msg, js.JSAPI.PaySign); err != nil {
		t.Fatalf("paySign: %v", err)
	}
	if nat := place("R20240902000002", recharge.ChannelNative); nat.CodeURL == "" || nat.PayURL != "" {
		t.Fatalf("Native placed = %+v", nat)
	}
	h5 := place("R20240902000003", recharge.ChannelH5)
	if h5.PayURL == "" {
		t.Fatalf("H5 placed = %+v", h5)
	}
	// Another sub-merchant does not see the school's orders.
	other, _ := aggregator.NewProvider(e.client, aggregator.Merchant{Mode: aggregator.ModePartner, AppID: k.AppID, MchID: k.MchID, SubMchID: "1900000110"})
	if q, err := other.Query(ctx, "R20240902000001"); err != nil || q.State != order.RemoteUnknown {
		t.Fatalf("other sub-merchant's query = %+v, %v; want RemoteUnknown", q, err)
	}
	if err := p.Close(ctx, "R20240902000002"); err != nil {
		t.Fatalf("close = %v", err)
	}
	if q, err := p.Query(ctx, "R20240902000002"); err != nil || q.State != order.RemoteClosed || q.ProviderState != "CLOSED" {
		t.Fatalf("closed query = %+v, %v", q, err)
	}

	e.pay(t, "R20240902000001")
	n := in.next(t)
	notice, err := p.VerifyNotification(n.h, n.body, time.Now())
	if err != nil || notice.Payment == nil || notice.Payment.OrderID != "R20240902000001" || notice.Payment.AmountFen != 3000 {
		t.Fatalf("payment notice = %+v, %v", notice, err)
	}
	var tx aggregator.Transaction // the sub-merchant's fields, as a service provider receives them
	if nn, err := e.client.Verifier().Verify(n.h, n.body, time.Now()); err != nil {
		t.Fatal(err)
	} else {
		tx = *nn.Transaction
	}
	if tx.SpMchID != k.MchID || tx.SubMchID != school.SubMchID || tx.SpAppID != k.AppID || tx.SubAppID != school.SubAppID ||
		tx.Payer.SubOpenID != "oSub_openid_of_the_parent" || tx.TradeType != aggregator.TradeJSAPI || tx.MchID != "" {
		t.Fatalf("partner transaction = %+v", tx)
	}
	if _, err := other.VerifyNotification(n.h, n.body, time.Now()); !errors.Is(err, recharge.ErrBadNotification) {
		t.Fatalf("another sub-merchant accepted the school's payment: %v", err)
	}
	q, err := p.Query(ctx, "R20240902000001")
	if err != nil || q.State != order.RemotePaid || q.AmountFen != 3000 || q.TransactionID != notice.Payment.TransactionID {
		t.Fatalf("paid query = %+v, %v", q, err)
	}

	rf, err := p.Refund(ctx, recharge.RefundRequest{OrderID: "R20240902000001", RefundID: "F20240902000001", AmountFen: 1000,
		TotalFen: 3000, Reason: "退费", NotifyURL: in.srv.URL})
	if err != nil || rf.State != recharge.RefundProcessing || rf.ProviderRefundID == "" {
		t.Fatalf("refund = %+v, %v", rf, err)
	}
	n = in.next(t)
	notice, err = p.VerifyNotification(n.h, n.body, time.Now())
	if err != nil || notice.Refund == nil || notice.Refund.State != recharge.RefundSucceeded || notice.Refund.AmountFen != 1000 {
		t.Fatalf("refund notice = %+v, %v", notice, err)
	}
	if qr, err := p.QueryRefund(ctx, "R20240902000001", "F20240902000001"); err != nil || qr.State != recharge.RefundSucceeded || qr.SuccessTime.IsZero() {
		t.Fatalf("refund query = %+v, %v", qr, err)
	}
	if _, err := p.QueryRefund(ctx, "R20240902000001", "F20240902000099"); !errors.Is(err, recharge.ErrRefundNotFound) {
		t.Fatalf("unknown refund = %v", err)
	}
	if q, err := p.Query(ctx, "R20240902000001"); err != nil || q.State != order.RemoteRefunded {
		t.Fatalf("refunded query = %+v, %v", q, err)
	}
	// A forged notification changes nothing: it does not verify.
	forged := append([]byte(nil), n.body...)
	forged[len(forged)-3] ^= 1
	if _, err := p.VerifyNotification(n.h, forged, time.Now()); !errors.Is(err, recharge.ErrBadNotification) {
		t.Fatalf("tampered notice = %v", err)
	}
	if _, err := p.VerifyNotification(n.h, n.body, time.Now().Add(6*time.Minute)); !errors.Is(err, recharge.ErrBadNotification) {
		t.Fatalf("stale notice = %v", err)
	}
}

// TestPlatformCertificateRotation: the client downloads the platform certificates;
// after the sandbox rotates to a second one, answers and notifications signed by it
// are accepted (the unknown serial triggers a download) and the first stays valid.
func TestPlatformCertificateRotation(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	k := keySet(t)
	keys := k.Merchant()
	keys.PublicKeyID, keys.PublicKey = "", nil // certificate mode only
	e := newEnv(t, sandbox.Faults{}, nil)
	cl, err := aggregator.NewClient(aggregator.Config{BaseURL: e.srv.URL, Keys: keys, CallTimeout: 2 * time.Second,
		Breaker: aggregator.DefaultBreakerSettings(), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first := aggregator.CertSerial(k.PlatformCert)
	e.create(t, "R20240903000001", 100)
	if _, err := cl.QueryOrder(ctx, e.mer, "R20240903000001"); err != nil {
		t.Fatalf("query (downloads the certificate) = %v", err)
	}
	if got := cl.PlatformSerials(); !slices.Equal(got, []string{first}) {
		t.Fatalf("serials = %v, want [%s]", got, first)
	}
	resp, err := http.Post(e.srv.URL+"/sandbox/rotate", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	var rot struct {
		SerialNo string `json:"serial_no"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&rot)
	resp.Body.Close()
	if rot.SerialNo == "" || rot.SerialNo == first {
		t.Fatalf("rotate = %+v", rot)
	}
	mu.Lock()
	now = now.Add(aggregator.RefreshGap + time.Second) // past the download gap, within the skew
	mu.Unlock()
	if _, err := cl.QueryOrder(ctx, e.mer, "R20240903000001"); err != nil {
		t.Fatalf("query signed by the rotated-in certificate = %v", err)
	}
	got := cl.PlatformSerials()
	slices.Sort(got)
	want := []string{first, rot.SerialNo}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("serials after rotation = %v, want both %v", got, want)
	}
	in := newRawInbox(t)
	p, _ := aggregator.NewProvider(cl, e.mer)
	if _, err := p.Place(ctx, recharge.PlaceRequest{OrderID: "R20240903000002", AmountFen: 100, NotifyURL: in.srv.URL,
		ExpiresAt: time.Now().Add(time.Hour), ClientIP: "203.0.113.7"}); err != nil {
		t.Fatal(err)
	}
	e.pay(t, "R20240903000002")
	n := in.next(t)
	if n.h.Get(aggregator.HeaderSerial) != rot.SerialNo {
		t.Fatalf("notification serial %s, want the rotated-in %s", n.h.Get(aggregator.HeaderSerial), rot.SerialNo)
	}
	if notice, err := p.VerifyNotification(n.h, n.body, clock()); err != nil || notice.Payment == nil {
		t.Fatalf("notification signed by the second certificate = %+v, %v", notice, err)
	}
}

// TestPublicKeyMode: the sandbox signs with PUB_KEY_ID_…; a merchant holding the
// platform public key needs no certificate.
func TestPublicKeyMode(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, func(c *sandbox.Config) { c.SignWithPublicKey = true })
	e.create(t, "R20240904000001", 100)
	tx, err := e.query("R20240904000001")
	if err != nil || tx.TradeState != aggregator.StateNotPay {
		t.Fatalf("query in public-key mode = %+v, %v", tx, err)
	}
	if got := e.client.PlatformSerials(); len(got) != 0 {
		t.Fatalf("certificates downloaded in public-key mode: %v", got)
	}
	e.pay(t, "R20240904000001")
	n := e.m.wait(1)
	if len(n) != 1 || n[0].Serial != keySet(t).PublicKeyID {
		t.Fatalf("notification = %+v, want serial %s", n, keySet(t).PublicKeyID)
	}
}

// TestUnsignedNotFoundIsNoSuchOrder: WeChat Pay does not sign 404 ORDER_NOT_EXIST;
// the provider reads it as RemoteUnknown, not as a bad signature.
func TestUnsignedNotFoundIsNoSuchOrder(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, nil)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v3/pay/transactions/out-trade-no/R20249999999999?mchid="+e.mer.MchID, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get(aggregator.HeaderSignature) != "" {
		t.Fatalf("unsigned request = %d (signature %q), want 401 unsigned", resp.StatusCode, resp.Header.Get(aggregator.HeaderSignature))
	}
	p, err := aggregator.NewRechargePort(e.client, e.mer, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	q, err := p.Query(context.Background(), "R20249999999999")
	if err != nil || q.State != order.RemoteUnknown {
		t.Fatalf("query of an unknown order = %+v, %v; want RemoteUnknown", q, err)
	}
}
