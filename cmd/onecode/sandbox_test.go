package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/aggregator/sandbox"
)

func TestSandboxInitKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "agg")
	var out, errb bytes.Buffer
	if code := runSandbox([]string{"--init-keys", dir, "--mchid", "1900000042"}, &out, &errb); code != 0 {
		t.Fatalf("init-keys = %d: %s", code, errb.String())
	}
	for name, want := range map[string]os.FileMode{aggregator.MerchantKeyFile: 0o600, aggregator.PlatformKeyFile: 0o600,
		aggregator.APIv3KeyFile: 0o600, aggregator.PublicKeyPrivateFile: 0o600, aggregator.MerchantCertFile: 0o644,
		aggregator.PlatformCertFile: 0o644, aggregator.PublicKeyFile: 0o644} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode = %o, want %o", name, got, want)
		}
	}
	m, err := aggregator.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sandbox.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.MchID != "1900000042" || m.MerchantSerial != s.MerchantSerial() || m.PublicKeyID != s.PublicKeyID {
		t.Fatalf("merchant %s/%s/%s vs sandbox %s/%s/%s", m.MchID, m.MerchantSerial, m.PublicKeyID, s.MchID, s.MerchantSerial(), s.PublicKeyID)
	}
	if code := runSandbox([]string{"--init-keys", dir}, &out, &errb); code != 1 {
		t.Fatalf("init-keys over an existing set = %d, want 1", code)
	}
}

func TestSandboxFlags(t *testing.T) {
	cases := []struct {
		args []string
		code int
	}{
		{[]string{}, 2},
		{[]string{"--keys", "a", "--init-keys", "b"}, 2},
		{[]string{"--keys", "a", "--fail-rate", "2"}, 2},
		{[]string{"--keys", "a", "--retry-ladder", "0s,x"}, 2},
		{[]string{"--keys", "a", "extra"}, 2},
		{[]string{"-h"}, 0},
	}
	for _, c := range cases {
		var errb bytes.Buffer
		if _, code, ok := parseSandboxFlags(c.args, &errb); ok || code != c.code {
			t.Errorf("parseSandboxFlags(%q) = %d ok=%v, want %d", c.args, code, ok, c.code)
		}
	}
	o, _, ok := parseSandboxFlags([]string{"--keys", "k", "--fail-rate", "30%", "--drop-notify", "0.1", "--dup-notify", "5",
		"--reorder", "--latency", "20ms", "--retry-ladder", "0s,1s,2s"}, &bytes.Buffer{})
	f := o.Sandbox.Faults
	if !ok || f.FailRate != 300 || f.DropNotify != 100 || f.DupNotify != 5 || !f.Reorder ||
		time.Duration(f.Latency) != 20*time.Millisecond || len(f.RetryLadder) != 3 {
		t.Fatalf("options = %+v ok=%v", o, ok)
	}
}

func TestSandboxServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "agg")
	if code := runSandbox([]string{"--init-keys", dir}, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatal("init-keys failed")
	}
	o, _, ok := parseSandboxFlags([]string{"--keys", dir, "--dup-notify", "2", "--retry-ladder", "0s"}, &bytes.Buffer{})
	if !ok {
		t.Fatal("flags")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out, logs bytes.Buffer
	go func() { done <- serveSandbox(ctx, o, ln, &out, &logs) }()

	got := make(chan aggregator.Notification, 4)
	keys, err := aggregator.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := aggregator.NewClient(aggregator.Config{BaseURL: "http://" + ln.Addr().String(), Keys: keys,
		CallTimeout: 2 * time.Second, Breaker: aggregator.DefaultBreakerSettings()})
	if err != nil {
		t.Fatal(err)
	}
	v := cl.Verifier() // certificates downloaded from the sandbox
	merchant := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := v.VerifyNotification(r, time.Now())
		aggregator.WriteAck(w, err)
		if err == nil {
			got <- n
		}
	})}
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go merchant.Serve(mln)
	defer merchant.Close()

	mer, err := aggregator.LoadMerchant(dir)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cl.Prepay(context.Background(), mer, aggregator.TradeNative, aggregator.PrepayRequest{OutTradeNo: "R20240901000100",
		Description: "一码通充值", Amount: aggregator.Amount{Total: 2000, Currency: "CNY"},
		NotifyURL: "http://" + mln.Addr().String() + "/notify", TimeExpire: aggregator.FormatTime(time.Now().Add(time.Hour))})
	if err != nil || resp.CodeURL == "" {
		t.Fatal(resp, err)
	}
	pr, err := http.Post("http://"+ln.Addr().String()+"/sandbox/pay/R20240901000100", "application/json", nil)
	if err != nil || pr.StatusCode != 200 {
		t.Fatalf("pay: %v", err)
	}
	pr.Body.Close()
	for i := range 2 {
		select {
		case n := <-got:
			if n.Transaction == nil || n.Transaction.OutTradeNo != "R20240901000100" || n.Transaction.Amount.Total != 2000 ||
				n.Transaction.TradeType != aggregator.TradeNative {
				t.Fatalf("notification %+v", n)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("notification %d did not arrive", i+1)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serveSandbox = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serveSandbox did not stop")
	}
	if !strings.Contains(out.String(), "aggregator sandbox on http://127.0.0.1:") {
		t.Errorf("stdout = %q", out.String())
	}
}
