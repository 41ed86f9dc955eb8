package payments

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
)

// fake is a provider that remembers what it was built for.
type fake struct {
	name, merchant, sub string
}

func (f *fake) Name() string { return f.name }
func (f *fake) Place(context.Context, recharge.PlaceRequest) (recharge.Placed, error) {
	return recharge.Placed{}, nil
}
func (f *fake) Query(context.Context, string) (recharge.RemoteOrder, error) {
	return recharge.RemoteOrder{}, nil
}
func (f *fake) Close(context.Context, string) error { return nil }
func (f *fake) Refund(context.Context, recharge.RefundRequest) (recharge.RemoteRefund, error) {
	return recharge.RemoteRefund{}, nil
}
func (f *fake) QueryRefund(context.Context, string, string) (recharge.RemoteRefund, error) {
	return recharge.RemoteRefund{}, nil
}
func (f *fake) VerifyNotification(http.Header, []byte, time.Time) (recharge.Notice, error) {
	return recharge.Notice{}, nil
}
func (f *fake) Ack(http.ResponseWriter, error) {}

func factories(built *int) map[string]Factory {
	mk := func(name string) Factory {
		return func(m Merchant, s *School) (recharge.Provider, error) {
			*built++
			f := &fake{name: name, merchant: m.Key}
			if s != nil {
				f.sub = s.SubMchID + s.AppAuthTokenFile
			}
			return f, nil
		}
	}
	return map[string]Factory{WeChatPay: mk(WeChatPay), Alipay: mk(Alipay)}
}

func goodConfig() Config {
	return Config{
		Merchants: []Merchant{
			{Key: "sp", Provider: WeChatPay, Mode: ModePartner, URL: "https://api.mch.weixin.qq.com", KeysDir: "/k/sp", AppID: "wxsp", MchID: "1900000100"},
			{Key: "school-own", Provider: WeChatPay, URL: "https://api.mch.weixin.qq.com", KeysDir: "/k/own", AppID: "wxown", MchID: "1900000200"},
			{Key: "isv", Provider: Alipay, Mode: ModePartner, URL: "https://openapi.alipay.com/gateway.do", KeysDir: "/k/isv", AppID: "2021000000000001"},
		},
		Schools: []School{
			{School: "S1", Merchant: "sp", SubMchID: "1900000109"},
			{School: "S2", Merchant: "sp", SubMchID: "1900000110"},
			{School: "S3", Merchant: "school-own"},
			{School: "S4", Merchant: "school-own"},
			{School: "S5", Merchant: "isv", AppAuthTokenFile: "/k/s5.token", AuthAppID: "2021000000000555"},
		},
		Default: "school-own",
	}
}

func TestRegistryRoutesSchoolsAndKeys(t *testing.T) {
	var built int
	r, err := Build(goodConfig(), factories(&built))
	if err != nil {
		t.Fatal(err)
	}
	if built != 4 { // two sub-merchants, one shared direct merchant, one ISV school
		t.Errorf("built %d adapters, want 4 (a direct merchant shared by schools is built once)", built)
	}
	s1, _ := r.For("S1")
	s2, _ := r.For("S2")
	s3, _ := r.For("S3")
	s4, _ := r.For("S4")
	other, _ := r.For("S9")
	if s1 == s2 || s3 != s4 || other != s3 {
		t.Errorf("S1 %p S2 %p S3 %p S4 %p default %p: want two sub-merchants apart, S3, S4 and the default shared", s1, s2, s3, s4, other)
	}
	if got := r.MerchantKey(s1); got != "sp.1900000109" {
		t.Errorf("S1 merchant key %q", got)
	}
	if got := r.MerchantKey(s3); got != "school-own" {
		t.Errorf("S3 merchant key %q", got)
	}
	s5, _ := r.For("S5")
	if got := r.MerchantKey(s5); got != "isv.S5" || strings.Contains(got, "token") {
		t.Errorf("S5 merchant key %q: the school, never the token file", got)
	}
	for _, p := range []recharge.Provider{s1, s2, s3, s5} {
		back, err := r.ByKey(r.MerchantKey(p))
		if err != nil || back != p {
			t.Errorf("ByKey(MerchantKey(p)) = %v, %v", back, err)
		}
	}
	if _, err := r.ByKey("sp.1"); !errors.Is(err, recharge.ErrNoProvider) {
		t.Errorf("an unknown key: %v, want ErrNoProvider", err)
	}
}

func TestRegistryWithoutDefault(t *testing.T) {
	cfg := goodConfig()
	cfg.Default = ""
	var built int
	r, err := Build(cfg, factories(&built))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.For("S9"); !errors.Is(err, recharge.ErrNoProvider) {
		t.Errorf("a school without merchant: %v, want ErrNoProvider", err)
	}
}

func TestBuildRefusesBadConfig(t *testing.T) {
	cases := map[string]struct {
		edit func(*Config)
		want string
	}{
		"unknown provider":       {func(c *Config) { c.Merchants[0].Provider = "unionpay" }, `provider "unionpay"`},
		"merchant twice":         {func(c *Config) { c.Merchants[1].Key = "sp" }, "configured twice"},
		"bad key":                {func(c *Config) { c.Merchants[0].Key = "s p" }, "key"},
		"bad mode":               {func(c *Config) { c.Merchants[0].Mode = "isv" }, "mode"},
		"no keys dir":            {func(c *Config) { c.Merchants[0].KeysDir = "" }, "keys_dir"},
		"wechat without mch_id":  {func(c *Config) { c.Merchants[1].MchID = "" }, "mch_id"},
		"school twice":           {func(c *Config) { c.Schools[1].School = "S1" }, `school "S1" is configured twice`},
		"unknown merchant":       {func(c *Config) { c.Schools[0].Merchant = "nope" }, `merchant "nope" is not configured`},
		"partner without sub":    {func(c *Config) { c.Schools[0].SubMchID = "" }, "sub_mchid is required"},
		"isv without token":      {func(c *Config) { c.Schools[4].AppAuthTokenFile = "" }, "app_auth_token_file and auth_app_id are required"},
		"isv without app id":     {func(c *Config) { c.Schools[4].AuthAppID = "" }, "auth_app_id are required"},
		"direct with sub":        {func(c *Config) { c.Schools[2].SubMchID = "1900000111" }, "is direct"},
		"partner as default":     {func(c *Config) { c.Default = "sp" }, "service provider"},
		"unknown default":        {func(c *Config) { c.Default = "nope" }, "default merchant"},
		"malformed sub_mchid":    {func(c *Config) { c.Schools[0].SubMchID = "19 00" }, "malformed"},
		"school without an id":   {func(c *Config) { c.Schools[0].School = "" }, "without a school id"},
		"factory refuses (keys)": {func(c *Config) { c.Merchants[2].KeysDir = "/missing" }, "no keys"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := goodConfig()
			tc.edit(&cfg)
			var built int
			f := factories(&built)
			inner := f[Alipay]
			f[Alipay] = func(m Merchant, s *School) (recharge.Provider, error) {
				if m.KeysDir == "/missing" {
					return nil, errors.New("no keys in /missing")
				}
				return inner(m, s)
			}
			_, err := Build(cfg, f)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Build: %v, want an error with %q", err, tc.want)
			}
		})
	}
}
