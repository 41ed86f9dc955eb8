package aggregator_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// The switch's CPU per online payment in this package (the cost model of the
// fee rush): one RSA-2048 signature per request (SignRequest), one RSA verify of
// the answer, and per notification one verify plus an AES-256-GCM open.

func BenchmarkSignRequest(b *testing.B) {
	s := keys(b).set
	body := []byte(`{"appid":"wx8888888888888888","mchid":"1900000001","description":"2026秋季校服费","out_trade_no":"R20261206000001","notify_url":"https://example.com/pay/notify/m1","amount":{"total":12000,"currency":"CNY"},"scene_info":{"payer_client_ip":"127.0.0.1","h5_info":{"type":"Wap"}}}`)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := aggregator.SignRequest(s.MerchantKey, s.MchID, "SERIAL", "POST", "/v3/pay/transactions/h5", now, "NONCE0123456789", body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyNotification(b *testing.B) {
	f := keys(b)
	v, err := aggregator.NewVerifier(f.merchantKeys)
	if err != nil {
		b.Fatal(err)
	}
	body := notification(b, f.set.APIv3Key)
	now := time.Now()
	h := signedHeaders(b, f.set.PlatformKey, platformSerial(b), now, body)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(h, body, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenResource(b *testing.B) {
	key := keys(b).set.APIv3Key
	res, err := aggregator.SealResource(key, aggregator.ResourceTransaction, "transaction", make([]byte, 600), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := aggregator.OpenResource(key, res); err != nil {
			b.Fatal(err)
		}
	}
}
