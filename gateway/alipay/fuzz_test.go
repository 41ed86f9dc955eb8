package alipay_test

import (
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/alipay"
)

// FuzzVerifyNotification: any body either verifies into a well-formed notice or is
// refused; it never panics, and a verified one is the seed's (the key is not the
// fuzzer's).
func FuzzVerifyNotification(f *testing.F) {
	doc, err := os.ReadFile("testdata/doc_notify_trade_success.txt")
	if err != nil {
		f.Fatal(err)
	}
	ks := testKeys(f)
	k := ks.Merchant(false)
	k.AppID = "2015102700040153"
	c, err := alipay.New(alipay.Config{Keys: k, CallTimeout: time.Second, Breaker: alipay.DefaultBreakerSettings()})
	if err != nil {
		f.Fatal(err)
	}
	v, _ := url.ParseQuery(string(doc))
	sign, _ := alipay.Sign(ks.AlipayKey, []byte(alipay.SigningString(v, "sign", "sign_type")))
	v.Set("sign", sign)
	signed := v.Encode()
	f.Add([]byte(signed))
	f.Add(doc)
	f.Add([]byte("sign=&sign_type=RSA2&total_amount=1.00"))
	at := time.Date(2015, 4, 27, 15, 50, 0, 0, alipay.Shanghai)
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := c.VerifyNotification(nil, body, at)
		if err != nil {
			return
		}
		if n.Payment == nil || n.Payment.AmountFen != 1 || n.Payment.OrderID != "20150423001001" {
			t.Fatalf("verified notice %+v from %q", n, body)
		}
	})
}

// FuzzParseYuan: an accepted amount renders back to itself up to trailing zeros, and
// never goes through a float.
func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"0.01", "88.8", "100", "100000000.00", "1.001", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, err := alipay.ParseYuan(s)
		if err != nil {
			return
		}
		back, err := alipay.ParseYuan(alipay.Yuan(fen))
		if err != nil || back != fen || fen < 0 {
			t.Fatalf("%q → %d → %q → %d %v", s, fen, alipay.Yuan(fen), back, err)
		}
	})
}
