package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/aggregator/sandbox"
)

const sandboxUsage = `Usage:
  onecode aggregator-sandbox --init-keys DIR [--mchid ID] [--appid ID]
  onecode aggregator-sandbox --keys DIR [--addr 127.0.0.1:8090] [--public-key-mode] [fault flags]

A stand-in WeChat Pay (微信支付 API v3, direct and service-provider modes) for demos
and tests. --init-keys writes a matching key set: the merchant side (mchid, appid,
apiclient_key.pem, apiclient_cert.pem, apiv3_key, pub_key_id, pub_key.pem) for
"onecode serve", and the WeChat Pay side (platform_key.pem, platform_cert.pem,
pub_key_private.pem) for the sandbox; add a sub_mchid file (and sub_appid) to make
"onecode serve" a service provider placing orders for that sub-merchant. Play the
parent at GET /sandbox/pay/{out_trade_no}; change faults at runtime with POST
/sandbox/faults (JSON), see counters at GET /sandbox/stats; rotate the platform
certificate with POST /sandbox/rotate; switch signing with POST
/sandbox/signing?public_key=true|false.

Flags:
`

// sandboxOptions is the typed, validated configuration of the command.
type sandboxOptions struct {
	Addr     string
	KeysDir  string
	InitKeys string
	MchID    string
	AppID    string
	Sandbox  sandbox.Config // everything but Keys, Logger
}

// fractionFlag is a flag.Value over sandbox.Fraction ("0.25" or "25%").
type fractionFlag struct{ f *sandbox.Fraction }

func (v fractionFlag) String() string {
	if v.f == nil {
		return "0"
	}
	return v.f.String()
}

func (v fractionFlag) Set(s string) error {
	f, err := sandbox.ParseFraction(s)
	if err != nil {
		return err
	}
	*v.f = f
	return nil
}

// parseSandboxFlags returns the options, or ok=false and the exit code.
func parseSandboxFlags(args []string, stderr io.Writer) (sandboxOptions, int, bool) {
	var o sandboxOptions
	var latency time.Duration
	var ladder string
	fs := flag.NewFlagSet("onecode aggregator-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, sandboxUsage); fs.PrintDefaults() }
	fs.StringVar(&o.Addr, "addr", envOr("ONECODE_SANDBOX_ADDR", "127.0.0.1:8090"), "listen address (env ONECODE_SANDBOX_ADDR)")
	fs.StringVar(&o.KeysDir, "keys", "", "key set directory (see --init-keys)")
	fs.StringVar(&o.InitKeys, "init-keys", "", "write a new key set into `DIR` and exit")
	fs.StringVar(&o.MchID, "mchid", "1900000001", "merchant id written by --init-keys")
	fs.StringVar(&o.AppID, "appid", "wx8888888888888888", "appid written by --init-keys")
	fs.BoolVar(&o.Sandbox.SignWithPublicKey, "public-key-mode", false, "sign answers and notifications with the platform public key (Wechatpay-Serial PUB_KEY_ID_…)")
	fs.StringVar(&o.Sandbox.PublicURL, "public-url", "", "base of pay_url (default http://<request host>)")
	fs.IntVar(&o.Sandbox.MaxOrders, "max-orders", 10_000, "orders kept in memory (oldest forgotten first)")
	fs.DurationVar(&o.Sandbox.NotifyTimeout, "notify-timeout", 5*time.Second, "deadline of each notification attempt")
	fs.DurationVar(&latency, "latency", 0, "fault: delay before every /v3 answer")
	fs.Var(fractionFlag{&o.Sandbox.Faults.FailRate}, "fail-rate", "fault: fraction of /v3 requests answered 500 (0.3 or 30%)")
	fs.Var(fractionFlag{&o.Sandbox.Faults.DropNotify}, "drop-notify", "fault: fraction of notifications never sent")
	fs.IntVar(&o.Sandbox.Faults.DupNotify, "dup-notify", 1, "fault: deliver each notification `N` times")
	fs.BoolVar(&o.Sandbox.Faults.Reorder, "reorder", false, "fault: deliver notifications out of order")
	fs.StringVar(&ladder, "retry-ladder", "0s,1s,2s,5s,10s,30s,1m,5m", "delays before each delivery attempt")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, 0, false
		}
		return o, 2, false
	}
	fail := func(format string, a ...any) (sandboxOptions, int, bool) {
		fmt.Fprintf(stderr, "onecode aggregator-sandbox: "+format+"\n", a...)
		return o, 2, false
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	if (o.KeysDir == "") == (o.InitKeys == "") {
		return fail("give exactly one of --keys DIR and --init-keys DIR")
	}
	steps, err := sandbox.ParseLadder(ladder)
	if err != nil {
		return fail("%v", err)
	}
	o.Sandbox.Faults.Latency = sandbox.Duration(latency)
	o.Sandbox.Faults.RetryLadder = steps
	if o.Sandbox.MaxOrders <= 0 || o.Sandbox.NotifyTimeout <= 0 {
		return fail("--max-orders and --notify-timeout must be positive")
	}
	if o.Sandbox.PublicURL != "" && !strings.HasPrefix(o.Sandbox.PublicURL, "http") {
		return fail("--public-url must be an http(s) URL")
	}
	return o, 0, true
}

func runSandbox(args []string, stdout, stderr io.Writer) int {
	o, code, ok := parseSandboxFlags(args, stderr)
	if !ok {
		return code
	}
	if o.InitKeys != "" {
		if err := initSandboxKeys(o.InitKeys, o.MchID, o.AppID, stdout); err != nil {
			fmt.Fprintf(stderr, "onecode aggregator-sandbox: %v\n", err)
			return 1
		}
		return 0
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "onecode aggregator-sandbox: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serveSandbox(ctx, o, ln, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "onecode aggregator-sandbox: %v\n", err)
		return 1
	}
	return 0
}

func initSandboxKeys(dir, mchID, appID string, stdout io.Writer) error {
	set, err := aggregator.GenerateKeySet(rand.Reader, mchID, appID)
	if err != nil {
		return err
	}
	if err := set.Write(dir); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote WeChat Pay key set to %s (mchid %s, appid %s, merchant serial %s, platform serial %s, %s)\n",
		dir, set.MchID, set.AppID, aggregator.CertSerial(set.MerchantCert), aggregator.CertSerial(set.PlatformCert), set.PublicKeyID)
	return nil
}

// serveSandbox serves on ln until ctx is done, then shuts down within 5 s.
func serveSandbox(ctx context.Context, o sandboxOptions, ln net.Listener, stdout, stderr io.Writer) error {
	keys, err := sandbox.LoadKeys(o.KeysDir)
	if err != nil {
		ln.Close()
		return err
	}
	cfg := o.Sandbox
	cfg.Keys = keys
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	sb, err := sandbox.New(cfg)
	if err != nil {
		ln.Close()
		return err
	}
	defer sb.Close()
	srv := &http.Server{
		Handler:           sb.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      90 * time.Second, // injected latency is at most a minute
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
	fmt.Fprintf(stdout, "aggregator sandbox on http://%s (WeChat Pay v3, mchid %s); pay at /sandbox/pay/{out_trade_no}\n", ln.Addr(), keys.MchID)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
