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
	s := keySet(f)
	f.Add(notification(f, s.APIv3Key))
	f.Add([]byte(`{"id":"x","event_type":"TRANSACTION.SUCCESS","resource":{"algorithm":"AEAD_AES_256_GCM","nonce":"123456789012","ciphertext":"AAAA"}}`))
	f.Add([]byte(`null`))
	v, err := aggregator.NewVerifier(s.Merchant())
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	f.Fuzz(func(t *testing.T, body []byte) {
		h := signedHeaders(t, s.PlatformKey, s.Merchant().PlatformSerial, now, body)
		n, err := v.Verify(h, body, now)
		if err != nil {
			if !errors.Is(err, aggregator.ErrBadResource) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if n.AmountFen <= 0 || aggregator.CheckTradeNo(n.OutTradeNo) != nil {
			t.Fatalf("accepted %+v", n)
		}
	})
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add(`ONECODE-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="s",signature="x"`)
	f.Add(`ONECODE-SHA256-RSA2048 mchid=",",`)
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
