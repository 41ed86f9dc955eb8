package aggregator_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// paidTx is a real-format transaction of the fixture merchant.
func paidTx(f *fixtures) aggregator.Transaction {
	return aggregator.Transaction{AppID: f.set.AppID, MchID: f.set.MchID, OutTradeNo: "R20240901000001",
		TransactionID: "4200001234202409010000000001", TradeType: aggregator.TradeH5, TradeState: aggregator.StateSuccess,
		TradeStateDesc: "支付成功", BankType: "OTHERS", SuccessTime: "2024-09-01T16:00:00+08:00",
		Payer:  &aggregator.Payer{OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
		Amount: aggregator.TransactionAmount{Total: 5000, PayerTotal: 5000, Currency: "CNY", PayerCurrency: "CNY"}}
}

// sealed builds a notification body of event over resource.
func sealed(t testing.TB, apiV3 []byte, event, originalType string, resource any) []byte {
	t.Helper()
	plain, err := json.Marshal(resource)
	if err != nil {
		t.Fatal(err)
	}
	res, err := aggregator.SealResource(apiV3, originalType, originalType, plain, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(aggregator.NotificationBody{ID: "EV-1", CreateTime: "2024-09-01T16:00:01+08:00",
		EventType: event, ResourceType: aggregator.ResourceTypeEncrypted, Summary: "支付成功", Resource: res})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// notification builds a TRANSACTION.SUCCESS notification body.
func notification(t testing.TB, apiV3 []byte) []byte {
	return sealed(t, apiV3, aggregator.EventTransactionSuccess, aggregator.ResourceTransaction, paidTx(keys(t)))
}

func TestVerifyNotification(t *testing.T) {
	f := keys(t)
	s, k := f.set, f.merchantKeys
	now := time.Now()
	body := notification(t, s.APIv3Key)
	serial := platformSerial(t)
	wrongKey := k
	wrongKey.APIv3Key = []byte("0123456789abcdef0123456789abcdef")
	rotated := k // the second certificate is known (downloaded during a rotation)
	rotated.Certificates = []*x509.Certificate{s.PlatformCert, f.rotatedCert}
	tampered := bytes.Replace(body, []byte(`"EV-1"`), []byte(`"EV-2"`), 1)
	cases := []struct {
		name   string
		keys   aggregator.Keys
		header http.Header
		body   []byte
		want   error
	}{
		{"certificate serial", k, signedHeaders(t, s.PlatformKey, serial, now, body), body, nil},
		{"PUB_KEY_ID", k, signedHeaders(t, s.PublicKeyPrivate, s.PublicKeyID, now, body), body, nil},
		{"rotated-in second certificate", rotated, signedHeaders(t, f.rotatedKey, aggregator.CertSerial(f.rotatedCert), now, body), body, nil},
		{"old certificate during the rotation", rotated, signedHeaders(t, s.PlatformKey, serial, now, body), body, nil},
		{"valid 4 minutes old", k, signedHeaders(t, s.PlatformKey, serial, now.Add(-4*time.Minute), body), body, nil},
		{"forged signature", k, signedHeaders(t, f.otherKey, serial, now, body), body, aggregator.ErrBadSignature},
		{"forged with PUB_KEY_ID", k, signedHeaders(t, f.otherKey, s.PublicKeyID, now, body), body, aggregator.ErrBadSignature},
		{"unknown PUB_KEY_ID", k, signedHeaders(t, s.PublicKeyPrivate, "PUB_KEY_ID_0000", now, body), body, aggregator.ErrBadSignature},
		{"tampered body", k, signedHeaders(t, s.PlatformKey, serial, now, body), tampered, aggregator.ErrBadSignature},
		{"unknown serial", k, signedHeaders(t, f.rotatedKey, aggregator.CertSerial(f.rotatedCert), now, body), body, aggregator.ErrBadSignature},
		{"no headers", k, http.Header{}, body, aggregator.ErrBadSignature},
		{"stale timestamp", k, signedHeaders(t, s.PlatformKey, serial, now.Add(-6*time.Minute), body), body, aggregator.ErrStale},
		{"future timestamp", k, signedHeaders(t, s.PlatformKey, serial, now.Add(6*time.Minute), body), body, aggregator.ErrStale},
		{"wrong APIv3 key", wrongKey, signedHeaders(t, s.PlatformKey, serial, now, body), body, aggregator.ErrBadResource},
		{"not JSON", k, signedHeaders(t, s.PlatformKey, serial, now, []byte("x")), []byte("x"), aggregator.ErrBadResource},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := aggregator.NewVerifier(c.keys)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(c.body))
			r.Header = c.header
			got, err := v.VerifyNotification(r, now)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("VerifyNotification error = %v, want %v", err, c.want)
			}
			if c.want != nil {
				return
			}
			tx := got.Transaction
			if tx == nil || tx.OutTradeNo != "R20240901000001" || tx.Amount.Total != 5000 || tx.TradeState != aggregator.StateSuccess ||
				tx.Payer.OpenID == "" || tx.TradeType != aggregator.TradeH5 || got.ID != "EV-1" || got.Nonce == "" || got.Serial != c.header.Get(aggregator.HeaderSerial) {
				t.Fatalf("notification = %+v (%+v)", got, tx)
			}
		})
	}
}

func TestVerifyRefundNotification(t *testing.T) {
	f := keys(t)
	rf := aggregator.Refund{MchID: f.set.MchID, TransactionID: "4200001234", OutTradeNo: "R20240901000001",
		RefundID: "50200207182018070300011301001", OutRefundNo: "F20240901000001", RefundStatus: aggregator.RefundSuccess,
		SuccessTime: "2024-09-02T10:34:56+08:00", UserReceivedAccount: "支付用户零钱",
		Amount: aggregator.RefundAmount{Total: 5000, Refund: 2000, PayerTotal: 5000, PayerRefund: 2000}}
	body := sealed(t, f.set.APIv3Key, aggregator.EventRefundSuccess, aggregator.ResourceRefund, rf)
	v, err := aggregator.NewVerifier(f.merchantKeys)
	if err != nil {
		t.Fatal(err)
	}
	n, err := v.Verify(signedHeaders(t, f.set.PlatformKey, platformSerial(t), time.Now(), body), body, time.Now())
	if err != nil || n.Refund == nil || n.Refund.State() != aggregator.RefundSuccess || n.Refund.Amount.Refund != 2000 || n.Transaction != nil {
		t.Fatalf("refund notification = %+v, %v", n, err)
	}
}

func TestVerifyNotificationBoundsBody(t *testing.T) {
	f := keys(t)
	v, err := aggregator.NewVerifier(f.merchantKeys)
	if err != nil {
		t.Fatal(err)
	}
	big := []byte(`{"id":"` + strings.Repeat("a", aggregator.MaxBody) + `"}`)
	r := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(big))
	r.Header = signedHeaders(t, f.set.PlatformKey, platformSerial(t), time.Now(), big)
	if _, err := v.VerifyNotification(r, time.Now()); !errors.Is(err, aggregator.ErrBadResource) {
		t.Fatalf("oversized body error = %v, want ErrBadResource", err)
	}
}

func TestWriteAck(t *testing.T) {
	cases := []struct {
		err        error
		wantStatus int
		wantCode   string
	}{
		{nil, 200, ""},
		{errors.New("journal down"), 500, "FAIL"},
		{aggregator.ErrBadSignature, 400, "FAIL"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		aggregator.WriteAck(rec, c.err)
		var b aggregator.ErrorBody
		_ = json.Unmarshal(rec.Body.Bytes(), &b)
		if rec.Code != c.wantStatus || b.Code != c.wantCode {
			t.Errorf("WriteAck(%v) = %d %q, want %d %q", c.err, rec.Code, b.Code, c.wantStatus, c.wantCode)
		}
	}
}

func TestKeySetWriteAndLoad(t *testing.T) {
	s := keys(t).set
	dir := t.TempDir() + "/keys"
	if err := s.Write(dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(dir); err == nil {
		t.Fatal("second Write into the same directory succeeded")
	}
	got, err := aggregator.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := s.Merchant()
	if got.MchID != want.MchID || got.MerchantSerial != want.MerchantSerial || got.PublicKeyID != want.PublicKeyID ||
		!bytes.Equal(got.APIv3Key, want.APIv3Key) || !got.MerchantKey.Equal(want.MerchantKey) || !got.PublicKey.Equal(want.PublicKey) {
		t.Fatalf("loaded keys differ: %s/%s vs %s/%s", got.MerchantSerial, got.PublicKeyID, want.MerchantSerial, want.PublicKeyID)
	}
	if len(got.MerchantSerial) != 40 || strings.ToUpper(got.MerchantSerial) != got.MerchantSerial {
		t.Errorf("merchant serial %q is not the certificate's 40 upper-case hex digits", got.MerchantSerial)
	}
	m, err := aggregator.LoadMerchant(dir)
	if err != nil || m != keys(t).merchant {
		t.Fatalf("LoadMerchant = %+v, %v", m, err)
	}
}

func TestAuthorizationRoundTrip(t *testing.T) {
	k := keys(t).merchantKeys
	now := time.Now()
	body := []byte(`{"a":1}`)
	const uri = "/v3/pay/transactions/h5"
	a, err := aggregator.SignRequest(k.MerchantKey, k.MchID, k.MerchantSerial, "POST", uri, now, "NONCE123", body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.String(), `WECHATPAY2-SHA256-RSA2048 mchid="`+k.MchID+`",nonce_str="NONCE123",signature="`) {
		t.Fatalf("authorization %s", a)
	}
	parsed, err := aggregator.ParseAuthorization(a.String())
	if err != nil {
		t.Fatal(err)
	}
	if parsed != a {
		t.Fatalf("parsed %+v, want %+v", parsed, a)
	}
	pub := &k.MerchantKey.PublicKey
	if err := aggregator.VerifyRequest(pub, parsed, "POST", uri, body, now); err != nil {
		t.Fatalf("VerifyRequest = %v", err)
	}
	if err := aggregator.VerifyRequest(pub, parsed, "POST", "/v3/refund/domestic/refunds", body, now); !errors.Is(err, aggregator.ErrBadSignature) {
		t.Fatalf("VerifyRequest on another URL = %v, want ErrBadSignature", err)
	}
	if err := aggregator.VerifyRequest(pub, parsed, "POST", uri, body, now.Add(10*time.Minute)); !errors.Is(err, aggregator.ErrStale) {
		t.Fatalf("VerifyRequest 10 minutes later = %v, want ErrStale", err)
	}
}
