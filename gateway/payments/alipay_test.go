package payments

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/alipay"
)

func TestAlipayFactory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "isv")
	ks, err := alipay.GenerateKeySet(rand.Reader, "2021000000000001")
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.Write(dir, false); err != nil {
		t.Fatal(err)
	}
	token := filepath.Join(t.TempDir(), "s5.token")
	const secret = "202612BBtoken-of-school-5"
	if err := os.WriteFile(token, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Merchants: []Merchant{
			{Key: "isv", Provider: Alipay, Mode: ModePartner, URL: "http://127.0.0.1:1/gateway.do", KeysDir: dir, AppID: "2021000000000001"},
			{Key: "own", Provider: Alipay, URL: "http://127.0.0.1:1/gateway.do", KeysDir: dir, AppID: "2021000000000001"},
		},
		Schools: []School{
			{School: "S5", Merchant: "isv", AppAuthTokenFile: token, AuthAppID: "2021000000000555"},
			{School: "S6", Merchant: "own"},
		},
	}
	f := map[string]Factory{Alipay: AlipayFactory(AdapterOptions{CallTimeout: time.Second})}
	r, err := Build(cfg, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, school := range []string{"S5", "S6"} {
		p, err := r.For(school)
		if err != nil || p.Name() != "alipay" {
			t.Fatalf("%s: %v %v", school, p, err)
		}
		if strings.Contains(r.MerchantKey(p), secret) {
			t.Errorf("the merchant key %q carries the token", r.MerchantKey(p))
		}
	}

	bad := cfg
	bad.Merchants = append([]Merchant(nil), cfg.Merchants...)
	bad.Merchants[1].AppID = "2021000000000999"
	if _, err := Build(bad, f); err == nil || !strings.Contains(err.Error(), "not app_id") {
		t.Errorf("keys of another app: %v", err)
	}
	if err := os.WriteFile(token, []byte("two words "+secret), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(cfg, f); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("a malformed token file: %v (must fail without showing the token)", err)
	}
}
