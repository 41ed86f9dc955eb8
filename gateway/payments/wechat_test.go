package payments

import (
	"context"
	"crypto/rand"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/aggregator/sandbox"
)

// TestWeChatFactory: one key set serves a direct merchant (certificate mode) and a
// service provider (public-key mode) with two sub-merchant schools, against the
// sandbox: each school's orders are placed, found and paid under its own merchant.
func TestWeChatFactory(t *testing.T) {
	set, err := aggregator.GenerateKeySet(rand.Reader, "1900000100", "wx8888888888888888")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "wechat")
	if err := set.Write(dir); err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(sandbox.Config{Keys: sandbox.KeysFromSet(set)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })

	cfg := Config{
		Merchants: []Merchant{
			{Key: "own", Provider: WeChatPay, URL: srv.URL, KeysDir: dir, AppID: set.AppID, MchID: set.MchID},
			{Key: "sp", Provider: WeChatPay, Mode: ModePartner, URL: srv.URL, KeysDir: dir, AppID: set.AppID, MchID: set.MchID,
				PublicKeyID: set.PublicKeyID},
		},
		Schools: []School{
			{School: "S1", Merchant: "sp", SubMchID: "1900000109", SubAppID: "wx1234567890abcdef"},
			{School: "S2", Merchant: "sp", SubMchID: "1900000110"},
		},
		Default: "own",
	}
	f := map[string]Factory{WeChatPay: WeChatFactory(AdapterOptions{CallTimeout: 5 * time.Second})}
	r, err := Build(cfg, f)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]aggregator.Merchant{
		"S1": {Mode: aggregator.ModePartner, AppID: set.AppID, MchID: set.MchID, SubMchID: "1900000109", SubAppID: "wx1234567890abcdef"},
		"S2": {Mode: aggregator.ModePartner, AppID: set.AppID, MchID: set.MchID, SubMchID: "1900000110"},
		"S9": {Mode: aggregator.ModeDirect, AppID: set.AppID, MchID: set.MchID},
	}
	ctx := context.Background()
	for i, school := range []string{"S1", "S2", "S9"} {
		p, err := r.For(school)
		if err != nil {
			t.Fatal(err)
		}
		wp, ok := p.(*aggregator.Provider)
		if !ok || wp.Merchant() != want[school] {
			t.Fatalf("%s: provider %T %+v, want %+v", school, p, wp, want[school])
		}
		no := "W2026120500000" + string(rune('1'+i))
		pl, err := p.Place(ctx, recharge.PlaceRequest{OrderID: no, AmountFen: 1200, NotifyURL: "http://127.0.0.1:1/pay/notify/x",
			ExpiresAt: time.Now().Add(15 * time.Minute).UTC(), Channel: recharge.ChannelH5, ClientIP: "203.0.113.9"})
		if err != nil || pl.PayURL == "" {
			t.Fatalf("%s: place %+v %v", school, pl, err)
		}
		got, err := p.Query(ctx, no)
		if err != nil || got.State != order.RemoteNotPaid || got.AmountFen != 1200 {
			t.Errorf("%s: query %+v %v", school, got, err)
		}
		for _, other := range []string{"S1", "S2", "S9"} { // another merchant does not see it
			if other == school {
				continue
			}
			op, _ := r.For(other)
			if got, err := op.Query(ctx, no); err != nil || got.State != order.RemoteUnknown {
				t.Errorf("%s's order seen by %s: %+v %v", school, other, got, err)
			}
		}
	}
	s1, _ := r.For("S1")
	s2, _ := r.For("S2")
	if s1.(*aggregator.Provider).Merchant().SubMchID == s2.(*aggregator.Provider).Merchant().SubMchID {
		t.Error("two schools share a sub-merchant")
	}
}

func TestWeChatFactoryRefusesKeysOfAnother(t *testing.T) {
	set, err := aggregator.GenerateKeySet(rand.Reader, "1900000100", "wx8888888888888888")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "wechat")
	if err := set.Write(dir); err != nil {
		t.Fatal(err)
	}
	base := Merchant{Key: "own", Provider: WeChatPay, URL: "http://127.0.0.1:1", KeysDir: dir, AppID: set.AppID, MchID: set.MchID}
	cases := map[string]struct {
		edit func(*Merchant)
		want string
	}{
		"other mch_id":        {func(m *Merchant) { m.MchID = "1900000999" }, "not mch_id 1900000999"},
		"other public key id": {func(m *Merchant) { m.PublicKeyID = "PUB_KEY_ID_0000000000000000" }, "public_key_id"},
		"no keys":             {func(m *Merchant) { m.KeysDir = filepath.Join(dir, "missing") }, "no such file"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := base
			tc.edit(&m)
			_, err := Build(Config{Merchants: []Merchant{m}, Default: "own"},
				map[string]Factory{WeChatPay: WeChatFactory(AdapterOptions{CallTimeout: time.Second})})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build: %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), string(set.APIv3Key)) {
				t.Error("the error shows the APIv3 key")
			}
		})
	}
}
