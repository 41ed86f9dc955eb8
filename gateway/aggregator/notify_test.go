package aggregator_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// notification builds a signed, encrypted TRANSACTION.SUCCESS notification.
func notification(t testing.TB, apiV3 []byte) []byte {
	t.Helper()
	tx := aggregator.Transaction{OutTradeNo: "R20240901000001", TransactionID: "4200001234",
		AmountFen: 5000, TradeState: aggregator.StateSuccess, SuccessTime: time.Date(2024, 9, 1, 8, 0, 0, 0, time.UTC)}
	plain, err := json.Marshal(tx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := aggregator.SealResource(apiV3, aggregator.ResourceTransaction, plain, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(aggregator.NotificationBody{ID: "EV-1", EventType: aggregator.EventTransactionSuccess,
		ResourceType: "encrypt-resource", Resource: res})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestVerifyNotification(t *testing.T) {
	s := keySet(t)
	keys := s.Merchant()
	now := time.Now()
	body := notification(t, s.APIv3Key)
	serial := keys.PlatformSerial

	wrongKey := keys
	wrongKey.APIv3Key = []byte("0123456789abcdef0123456789abcdef")

	tampered := bytes.Replace(body, []byte(`"EV-1"`), []byte(`"EV-2"`), 1)
	noHeaders := http.Header{}
	cases := []struct {
		name   string
		keys   aggregator.Keys
		header http.Header
		body   []byte
		want   error
	}{
		{"valid", keys, signedHeaders(t, s.PlatformKey, serial, now, body), body, nil},
		{"valid 4 minutes old", keys, signedHeaders(t, s.PlatformKey, serial, now.Add(-4*time.Minute), body), body, nil},
		{"forged signature", keys, signedHeaders(t, otherKey, serial, now, body), body, aggregator.ErrBadSignature},
		{"tampered body", keys, signedHeaders(t, s.PlatformKey, serial, now, body), tampered, aggregator.ErrBadSignature},
		{"unknown serial", keys, signedHeaders(t, s.PlatformKey, "ABCDEF", now, body), body, aggregator.ErrBadSignature},
		{"no headers", keys, noHeaders, body, aggregator.ErrBadSignature},
		{"stale timestamp", keys, signedHeaders(t, s.PlatformKey, serial, now.Add(-6*time.Minute), body), body, aggregator.ErrStale},
		{"future timestamp", keys, signedHeaders(t, s.PlatformKey, serial, now.Add(6*time.Minute), body), body, aggregator.ErrStale},
		{"wrong APIv3 key", wrongKey, signedHeaders(t, s.PlatformKey, serial, now, body), body, aggregator.ErrBadResource},
		{"not JSON", keys, signedHeaders(t, s.PlatformKey, serial, now, []byte("x")), []byte("x"), aggregator.ErrBadResource},
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
			if got.OutTradeNo != "R20240901000001" || got.AmountFen != 5000 || got.TradeState != aggregator.StateSuccess ||
				got.TransactionID != "4200001234" || got.ID != "EV-1" || got.Nonce == "" || got.Serial != serial {
				t.Fatalf("notification = %+v", got)
			}
		})
	}
}

func TestVerifyNotificationBoundsBody(t *testing.T) {
	s := keySet(t)
	v, err := aggregator.NewVerifier(s.Merchant())
	if err != nil {
		t.Fatal(err)
	}
	big := []byte(`{"id":"` + strings.Repeat("a", aggregator.MaxBody) + `"}`)
	r := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(big))
	r.Header = signedHeaders(t, s.PlatformKey, s.Merchant().PlatformSerial, time.Now(), big)
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
		{nil, 200, "SUCCESS"},
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
	s := keySet(t)
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
	if got.MchID != want.MchID || got.MerchantSerial != want.MerchantSerial || got.PlatformSerial != want.PlatformSerial ||
		!bytes.Equal(got.APIv3Key, want.APIv3Key) || !got.MerchantKey.Equal(want.MerchantKey) {
		t.Fatalf("loaded keys differ: %s/%s vs %s/%s", got.MerchantSerial, got.PlatformSerial, want.MerchantSerial, want.PlatformSerial)
	}
}

func TestAuthorizationRoundTrip(t *testing.T) {
	s := keySet(t)
	k := s.Merchant()
	now := time.Now()
	body := []byte(`{"a":1}`)
	a, err := aggregator.SignRequest(k.MerchantKey, k.MchID, k.MerchantSerial, "POST", "/v3/orders", now, "NONCE123", body)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := aggregator.ParseAuthorization(a.String())
	if err != nil {
		t.Fatal(err)
	}
	if parsed != a {
		t.Fatalf("parsed %+v, want %+v", parsed, a)
	}
	if err := aggregator.VerifyRequest(&s.MerchantKey.PublicKey, parsed, "POST", "/v3/orders", body, now); err != nil {
		t.Fatalf("VerifyRequest = %v", err)
	}
	if err := aggregator.VerifyRequest(&s.MerchantKey.PublicKey, parsed, "POST", "/v3/refunds", body, now); !errors.Is(err, aggregator.ErrBadSignature) {
		t.Fatalf("VerifyRequest on another URL = %v, want ErrBadSignature", err)
	}
	if err := aggregator.VerifyRequest(&s.MerchantKey.PublicKey, parsed, "POST", "/v3/orders", body, now.Add(10*time.Minute)); !errors.Is(err, aggregator.ErrStale) {
		t.Fatalf("VerifyRequest 10 minutes later = %v, want ErrStale", err)
	}
}
