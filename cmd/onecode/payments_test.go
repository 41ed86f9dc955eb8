package main

import (
	"crypto/rand"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/payments"
)

// TestPaymentsExampleLoads: the shipped example parses and validates (its keys
// directories do not exist here, so building it stops with a message naming them).
func TestPaymentsExampleLoads(t *testing.T) {
	c := DefaultConfig()
	if err := LoadConfigFile(&c, "../../cluster-config/payments.example.yaml"); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(c.Payments.Merchants) != 3 || len(c.Payments.Schools) != 3 || c.Server.ForwardedHops != 1 {
		t.Fatalf("payments %+v, hops %d", c.Payments, c.Server.ForwardedHops)
	}
	_, err := buildPayments(c, nil, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), `merchant "sp"`) || !strings.Contains(err.Error(), "wechatpay-sp") {
		t.Errorf("missing keys: %v, want the merchant and its keys_dir named", err)
	}
}

// TestPaymentsConfigRefused: bad payments sections stop the start with a message
// naming the entry; a valid one builds every school's merchant.
func TestPaymentsConfigRefused(t *testing.T) {
	set, err := aggregator.GenerateKeySet(rand.Reader, "1900000100", "wx8888888888888888")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "sp")
	if err := set.Write(dir); err != nil {
		t.Fatal(err)
	}
	good := func() Config {
		c := DefaultConfig()
		c.Payments = payments.Config{
			Merchants: []payments.Merchant{{Key: "sp", Provider: payments.WeChatPay, Mode: payments.ModePartner,
				URL: "http://127.0.0.1:1", KeysDir: dir, AppID: set.AppID, MchID: set.MchID}},
			Schools: []payments.School{{School: "35001", Merchant: "sp", SubMchID: "1900000109"},
				{School: "35002", Merchant: "sp", SubMchID: "1900000110"}},
		}
		return c
	}
	log := slog.New(slog.DiscardHandler)
	if err := good().Validate(); err != nil {
		t.Fatal(err)
	}
	reg, err := buildPayments(good(), nil, log)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := reg.For("35002"); err != nil || reg.MerchantKey(p) != "sp.1900000110" {
		t.Errorf("35002: %v %v", p, err)
	}
	for _, tc := range []struct {
		what string
		edit func(*Config)
		want string
	}{
		{"unknown merchant", func(c *Config) { c.Payments.Schools[0].Merchant = "nope" }, `school "35001": merchant "nope" is not configured`},
		{"school twice", func(c *Config) { c.Payments.Schools[1].School = "35001" }, `school "35001" is configured twice`},
		{"missing sub_mchid", func(c *Config) { c.Payments.Schools[1].SubMchID = "" }, `school "35002": merchant "sp" is a service provider: sub_mchid is required`},
		{"missing token", func(c *Config) {
			c.Payments.Merchants = append(c.Payments.Merchants, payments.Merchant{Key: "isv", Provider: payments.Alipay, Mode: payments.ModePartner,
				URL: "http://127.0.0.1:1/gateway.do", KeysDir: dir, AppID: "2021000000000001"})
			c.Payments.Schools = append(c.Payments.Schools, payments.School{School: "35003", Merchant: "isv", AuthAppID: "2021000000000555"})
		}, `school "35003": merchant "isv" is an ISV app: app_auth_token_file and auth_app_id are required`},
		{"keys of another merchant", func(c *Config) { c.Payments.Merchants[0].MchID = "1900000999" }, "not mch_id 1900000999"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			c := good()
			tc.edit(&c)
			_, err := buildPayments(c, nil, log)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	both := good()
	both.Aggregator.URL, both.Aggregator.KeysDir = "http://127.0.0.1:1", dir
	if err := both.Validate(); err == nil || !strings.Contains(err.Error(), "exclusive") {
		t.Errorf("aggregator.url with payments: %v", err)
	}
	orphan := DefaultConfig()
	orphan.Payments.Default = "sp"
	if err := orphan.Validate(); err == nil || !strings.Contains(err.Error(), "payments.merchants") {
		t.Errorf("default without merchants: %v", err)
	}
}
