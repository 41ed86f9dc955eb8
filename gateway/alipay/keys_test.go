package alipay_test

import (
	"context"
	"crypto/rsa"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/gateway/alipay"
	"github.com/onecode/onecode/gateway/alipay/sandbox"
)

// TestKeysDirectory: a generated key set written to a directory loads back on both
// sides, in both modes, and the two sides talk.
func TestKeysDirectory(t *testing.T) {
	for _, cert := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "alipay")
		ks := testKeys(t)
		if err := ks.Write(dir, cert); err != nil {
			t.Fatal(err)
		}
		if err := ks.Write(dir, cert); err == nil {
			t.Fatal("Write overwrote existing keys")
		}
		k, err := alipay.LoadKeys(dir)
		if err != nil {
			t.Fatal(err)
		}
		want := ks.Merchant(cert)
		if k.CertMode() != cert || k.AppID != ks.AppID || k.AppCertSN != want.AppCertSN || k.RootCertSN != want.RootCertSN ||
			k.AlipayCertSN != want.AlipayCertSN || !k.AppKey.Equal(ks.AppKey) {
			t.Fatalf("cert=%v loaded %+v", cert, k)
		}
		scfg, err := sandbox.LoadConfig(dir)
		if err != nil {
			t.Fatal(err)
		}
		if scfg.AppCertSN != want.AppCertSN || scfg.AlipayCertSN != want.AlipayCertSN || !scfg.AlipayKey.Equal(ks.AlipayKey) {
			t.Fatalf("sandbox config %+v", scfg)
		}
		e := newEnv(t, cert, func(c *alipay.Config, s *sandbox.Config) { c.Keys = k; *s = scfg })
		if _, err := e.place("K20261204001", 100, recharge.ChannelNative); err != nil {
			t.Fatalf("cert=%v: %v", cert, err)
		}
		if _, err := e.client.Query(context.Background(), "K20261204001"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKeysRefused: missing or mixed files are refused at load.
func TestKeysRefused(t *testing.T) {
	dir := t.TempDir()
	if err := testKeys(t).Write(dir, true); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, alipay.AlipayRootCertFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := alipay.LoadKeys(dir); err == nil {
		t.Fatal("certificate mode without the root certificate loaded")
	}
	if _, err := alipay.LoadKeys(t.TempDir()); err == nil {
		t.Fatal("an empty directory loaded")
	}
	if _, err := alipay.New(alipay.Config{Keys: alipay.Keys{AppID: "1"}, CallTimeout: 1, Breaker: alipay.DefaultBreakerSettings()}); err == nil {
		t.Fatal("keys without a private key accepted")
	}
}

// TestEnsureKeySet: the demo's first start writes keys, later starts keep them.
func TestEnsureKeySet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "alipay-keys")
	if err := alipay.EnsureKeySet(dir, "2021000000000003", true); err != nil {
		t.Fatal(err)
	}
	k1, err := alipay.LoadKeys(dir)
	if err != nil || !k1.CertMode() {
		t.Fatalf("%+v %v", k1, err)
	}
	if err := alipay.EnsureKeySet(dir, "2021000000000003", true); err != nil {
		t.Fatal(err)
	}
	k2, err := alipay.LoadKeys(dir)
	if err != nil || !k2.AppKey.Equal(k1.AppKey) {
		t.Fatal("keys regenerated")
	}
	if _, err := sandbox.LoadConfig(dir); err != nil {
		t.Fatal(err)
	}
}

// TestCertRotation: an answer signed under a second Alipay certificate (named by
// alipay_cert_sn) verifies when that certificate is in the directory too.
func TestCertRotation(t *testing.T) {
	dir := t.TempDir()
	ks := testKeys(t)
	if err := ks.Write(dir, true); err != nil {
		t.Fatal(err)
	}
	next, err := alipay.GenerateKeySet(nil, ks.AppID)
	if err != nil {
		t.Fatal(err)
	}
	sub := t.TempDir()
	if err := next.Write(sub, true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(sub, alipay.AlipayCertFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "alipay_cert_2027.crt"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := alipay.LoadKeys(dir)
	if err != nil || len(k.AlipayCerts) != 2 {
		t.Fatalf("%d certificates, %v", len(k.AlipayCerts), err)
	}
	e := newEnv(t, true, func(c *alipay.Config, s *sandbox.Config) {
		c.Keys = k
		s.AlipayKey, s.AlipayCertSN = next.AlipayKey, alipay.CertSN(next.AlipayCert)
	})
	if _, err := e.place("ROT20261204", 100, recharge.ChannelNative); err != nil {
		t.Fatalf("answer under the rotated-in certificate: %v", err)
	}
}

// TestCertRotationNotification: a notification naming no certificate, signed with
// the rotated-in key, verifies; one signed with a key not configured does not.
func TestCertRotationNotification(t *testing.T) {
	ks := testKeys(t)
	next, err := alipay.GenerateKeySet(nil, ks.AppID)
	if err != nil {
		t.Fatal(err)
	}
	k := ks.Merchant(true)
	k.AlipayCerts = map[string]*rsa.PublicKey{k.AlipayCertSN: &ks.AlipayKey.PublicKey, alipay.CertSN(next.AlipayCert): &next.AlipayKey.PublicKey}
	c, err := alipay.New(alipay.Config{Keys: k, CallTimeout: time.Second, Breaker: alipay.DefaultBreakerSettings()})
	if err != nil {
		t.Fatal(err)
	}
	v := url.Values{"notify_time": {time.Now().In(alipay.Shanghai).Format(alipay.TimeLayout)}, "notify_type": {"trade_status_sync"},
		"app_id": {ks.AppID}, "sign_type": {"RSA2"}, "trade_no": {"1"}, "out_trade_no": {"ROT1"}, "trade_status": {"TRADE_SUCCESS"},
		"total_amount": {"1.00"}}
	for _, tc := range []struct {
		key *rsa.PrivateKey
		ok  bool
	}{{next.AlipayKey, true}, {ks.AlipayKey, true}, {next.AppKey, false}} {
		sign, _ := alipay.Sign(tc.key, []byte(alipay.SigningString(v, "sign", "sign_type")))
		v.Set("sign", sign)
		if _, err := c.VerifyNotification(nil, []byte(v.Encode()), time.Now()); (err == nil) != tc.ok {
			t.Fatalf("want ok=%v: %v", tc.ok, err)
		}
	}
}
