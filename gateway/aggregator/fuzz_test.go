package aggregator_test

import (
	"errors"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// FuzzVerify signs arbitrary bodies with the real platform key, so the fuzzer gets past
// the signature into JSON and decryption: nothing panics, every failure is typed.
func FuzzVerify(f *testing.F) {
	fx := keys(f)
	s := fx.set
	f.Add(notification(f, s.APIv3Key))
	f.Add([]byte(`{"id":"x","event_type":"TRANSACTION.SUCCESS","resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM","nonce":"123456789012","ciphertext":"AAAA"}}`))
	f.Add([]byte(`null`))
	v, err := aggregator.NewVerifier(fx.merchantKeys)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	f.Fuzz(func(t *testing.T, body []byte) {
		h := signedHeaders(t, s.PlatformKey, aggregator.CertSerial(s.PlatformCert), now, body)
		n, err := v.Verify(h, body, now)
		if err != nil {
			if !errors.Is(err, aggregator.ErrBadResource) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		switch {
		case n.Transaction != nil && (n.Transaction.Amount.Total <= 0 || aggregator.CheckTradeNo(n.Transaction.OutTradeNo) != nil):
			t.Fatalf("accepted %+v", n.Transaction)
		case n.Refund != nil && (n.Refund.Amount.Refund <= 0 || aggregator.CheckTradeNo(n.Refund.OutRefundNo) != nil):
			t.Fatalf("accepted %+v", n.Refund)
		case (n.Transaction == nil) == (n.Refund == nil):
			t.Fatalf("accepted %+v", n)
		}
	})
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="x",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid=",",`)
	f.Fuzz(func(t *testing.T, h string) {
		a, err := aggregator.ParseAuthorization(h)
		if err != nil {
			if !errors.Is(err, aggregator.ErrBadSignature) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if a.MchID == "" || a.Signature == "" {
			t.Fatalf("accepted %+v", a)
		}
	})
}
