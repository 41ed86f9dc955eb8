package alipay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/gateway/alipay"
)

// TestDocSigningString: the string to sign of Alipay's documented request example.
func TestDocSigningString(t *testing.T) {
	var doc struct {
		Params        map[string]string `json:"params"`
		SigningString string            `json:"signing_string"`
	}
	b, err := os.ReadFile("testdata/doc_sign_request.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	v := url.Values{}
	for k, s := range doc.Params {
		v.Set(k, s)
	}
	v.Set("empty_is_left_out", "")
	if got := alipay.SigningString(v, "sign"); got != doc.SigningString {
		t.Fatalf("signing string\n got %s\nwant %s", got, doc.SigningString)
	}
}

// docClient is a public-key-mode client for the documentation's app_id, with the
// generated "Alipay" key standing in for Alipay's.
func docClient(t *testing.T, gateway string) *alipay.Client {
	ks := testKeys(t)
	k := ks.Merchant(false)
	k.AppID = "2015102700040153"
	c, err := alipay.New(alipay.Config{GatewayURL: gateway, Keys: k, CallTimeout: 5 * time.Second,
		Breaker: alipay.DefaultBreakerSettings()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// resign replaces the sign of a documented notification with one made by the
// generated Alipay key over the same fields.
func resign(t *testing.T, body string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(body)
	if err != nil {
		t.Fatal(err)
	}
	sign, err := alipay.Sign(testKeys(t).AlipayKey, []byte(alipay.SigningString(v, "sign", "sign_type")))
	if err != nil {
		t.Fatal(err)
	}
	v.Set("sign", sign)
	return v
}

// TestDocNotification: the documented TRADE_SUCCESS notification is read as a payment
// of 0.01 yuan; its string to sign leaves out sign and sign_type.
func TestDocNotification(t *testing.T) {
	b, err := os.ReadFile("testdata/doc_notify_trade_success.txt")
	if err != nil {
		t.Fatal(err)
	}
	v := resign(t, string(b))
	s := alipay.SigningString(v, "sign", "sign_type")
	if !strings.HasPrefix(s, "app_id=2015102700040153&auth_app_id=2015102700040153&buyer_id=2088102122524333&buyer_logon_id=hu158***@163.com&") ||
		strings.Contains(s, "sign=") || strings.Contains(s, "sign_type=") || !strings.HasSuffix(s, "&trade_status=TRADE_SUCCESS&version=1.0") {
		t.Fatalf("signing string %s", s)
	}
	c := docClient(t, alipay.DefaultGatewayURL)
	at := time.Date(2015, 4, 27, 15, 50, 0, 0, alipay.Shanghai)
	n, err := c.VerifyNotification(nil, []byte(v.Encode()), at)
	if err != nil {
		t.Fatal(err)
	}
	want := recharge.Payment{OrderID: "20150423001001", TransactionID: "2015042321001004330200022181", AmountFen: 1,
		NotificationID: "4a91b7a78a503640467525113fb7d8bg8e"}
	if n.Payment == nil || *n.Payment != want || n.Refund != nil {
		t.Fatalf("notice %+v", n.Payment)
	}
	// The documented body, signed by Alipay's real key, does not verify with ours.
	if _, err := c.VerifyNotification(nil, b, at); err == nil {
		t.Fatal("a signature by another key verified")
	}
}

// TestDocQueryResponse: the documented alipay.trade.query answer is verified over
// the exact bytes of its response member and read (amounts as bare numbers, a
// TRADE_CLOSED trade with a payment date: refunded in full).
func TestDocQueryResponse(t *testing.T) {
	b, err := os.ReadFile("testdata/doc_query_response.json")
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimSpace(b)
	env, err := alipay.SplitResponse(b, alipay.MethodQuery)
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(b, []byte(`{"code"`))
	end := bytes.LastIndex(b, []byte(`,"sign"`))
	if !bytes.Equal(env.Raw, b[start:end]) || env.Sign != "ERITJKEIJKJHKKKKKKKHJEREEEEEEEEEEE" {
		t.Fatalf("raw %s sign %s", env.Raw, env.Sign)
	}
	sign, err := alipay.Sign(testKeys(t).AlipayKey, env.Raw)
	if err != nil {
		t.Fatal(err)
	}
	resigned := bytes.Replace(b, []byte(env.Sign), []byte(sign), 1)
	for _, tc := range []struct {
		name string
		body []byte
		ok   bool
	}{{"resigned", resigned, true}, {"documented sign", b, false},
		{"tampered", bytes.Replace(resigned, []byte("88.88"), []byte("88.89"), 1), false}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(tc.body) }))
			defer srv.Close()
			q, err := docClient(t, srv.URL+"/gateway.do").Query(context.Background(), "6823789339978248")
			if !tc.ok {
				unknownOutcome(t, err)
				return
			}
			if err != nil || q.State != order.RemoteRefunded || q.AmountFen != 8888 || q.TransactionID != "2013112011001004330000121536" {
				t.Fatalf("query %+v %v", q, err)
			}
		})
	}
}

// TestRootCertSN: Alipay's published root certificate file gives the documented
// alipay_root_cert_sn (its SM2 certificates left out).
func TestRootCertSN(t *testing.T) {
	b, err := os.ReadFile("testdata/alipayRootCert.crt")
	if err != nil {
		t.Fatal(err)
	}
	sn, err := alipay.RootCertSN(b)
	if err != nil || sn != "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6" {
		t.Fatalf("root cert SN %q %v", sn, err)
	}
}

func TestAmounts(t *testing.T) {
	for _, tc := range []struct {
		fen int64
		s   string
	}{{1, "0.01"}, {10, "0.10"}, {100, "1.00"}, {5000, "50.00"}, {8888, "88.88"}, {10000000000, "100000000.00"}} {
		if got := alipay.Yuan(tc.fen); got != tc.s {
			t.Errorf("Yuan(%d) = %s", tc.fen, got)
		}
		if got, err := alipay.ParseYuan(tc.s); err != nil || got != tc.fen {
			t.Errorf("ParseYuan(%s) = %d %v", tc.s, got, err)
		}
	}
	for s, fen := range map[string]int64{"88.8": 8880, "100": 10000, "0": 0, "007.5": 750} {
		if got, err := alipay.ParseYuan(s); err != nil || got != fen {
			t.Errorf("ParseYuan(%s) = %d %v", s, got, err)
		}
	}
	for _, s := range []string{"", ".5", "1.", "1.001", "-1.00", "+1", "1e2", " 1", "1,00", "100000000.01", "NaN"} {
		if _, err := alipay.ParseYuan(s); err == nil {
			t.Errorf("ParseYuan(%q) accepted", s)
		}
	}
}
