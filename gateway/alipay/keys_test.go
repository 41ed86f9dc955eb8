package alipay_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

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
