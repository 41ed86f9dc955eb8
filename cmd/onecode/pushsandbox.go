package main

import (
	"context"
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

	"github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/sms"
)

const pushSandboxUsage = `Usage:
  onecode push-sandbox [--addr 127.0.0.1:8091] [--sms-key-id ID --sms-secret-file F]
                       [--receipt-url http://127.0.0.1:8080/push/sms/receipts] [fault flags]

A stand-in message-push platform for demos and tests: the SMS gateway API (POST
/sms/v1/send, signed with the key id and secret; receipts posted to --receipt-url)
and the WeChat API (GET /cgi-bin/token, POST /cgi-bin/message/template/send). See what
it received at /sandbox/ (page) and /sandbox/messages (JSON); change faults at run
time with POST /sandbox/faults (wechat_errcode among them), expire WeChat tokens with
POST /sandbox/expire-tokens (42001) or revoke them with POST /sandbox/revoke-tokens (40001).
The switch's push.sms_key_id and push.sms_secret_file must match.

Flags:
`

// runPushSandbox serves the push sandbox until SIGINT/SIGTERM.
func runPushSandbox(args []string, stdout, stderr io.Writer) int {
	var cfg sandbox.Config
	var addr, secretFile string
	var latency time.Duration
	var tokenTTL time.Duration
	fs := flag.NewFlagSet("onecode push-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, pushSandboxUsage); fs.PrintDefaults() }
	fs.StringVar(&addr, "addr", envOr("ONECODE_PUSH_SANDBOX_ADDR", "127.0.0.1:8091"), "listen address (env ONECODE_PUSH_SANDBOX_ADDR)")
	fs.StringVar(&cfg.SMS.KeyID, "sms-key-id", "sandbox", "SMS app key id the sandbox accepts")
	fs.StringVar(&secretFile, "sms-secret-file", "", "file holding the SMS app key secret (≥ 16 bytes; default: a well-known sandbox secret)")
	fs.StringVar(&cfg.WeChatAppID, "wechat-appid", "wx-sandbox", "WeChat app id the sandbox accepts")
	fs.StringVar(&cfg.WeChatSecret, "wechat-secret", "wx-sandbox-secret", "WeChat app secret the sandbox accepts")
	fs.StringVar(&cfg.ReceiptURL, "receipt-url", "", "where SMS delivery receipts are posted (the switch's /push/sms/receipts); empty: none")
	fs.IntVar(&cfg.MaxMessages, "max-messages", 1000, "messages kept in memory (oldest forgotten first)")
	fs.DurationVar(&latency, "latency", 0, "fault: delay before every API answer")
	fs.Float64Var(&cfg.Faults.FailRate, "fail-rate", 0, "fault: fraction of API requests answered 500 (0..1)")
	fs.Float64Var(&cfg.Faults.DropReceipts, "drop-receipts", 0, "fault: fraction of SMS receipts never posted (0..1)")
	fs.DurationVar(&tokenTTL, "token-ttl", 2*time.Hour, "fault: lifetime of a WeChat access token")
	fs.IntVar(&cfg.Faults.WeChatErrCode, "wechat-errcode", 0, "fault: errcode answered to every WeChat template message (43004 unsubscribed, 40003 bad openid, -1 busy; 0: none)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "onecode push-sandbox: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	cfg.SMS.Secret = []byte("onecode-push-sandbox-secret")
	if secretFile != "" {
		b, err := os.ReadFile(secretFile)
		if err != nil {
			fmt.Fprintf(stderr, "onecode push-sandbox: %v\n", err)
			return 2
		}
		cfg.SMS.Secret = []byte(strings.TrimSpace(string(b)))
	}
	cfg.Faults.LatencyMS, cfg.Faults.TokenTTLSeconds = latency.Milliseconds(), int64(tokenTTL/time.Second)
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	sb, err := sandbox.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "onecode push-sandbox: %v\n", err)
		return 2
	}
	defer sb.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "onecode push-sandbox: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "push sandbox on http://%s (SMS key id %s, %s; WeChat app id %s); inbox at /sandbox/\n",
		ln.Addr(), cfg.SMS.KeyID, sms.SendPath, cfg.WeChatAppID)
	return serveUntilSignal(sb.Handler(), ln, stderr)
}

// serveUntilSignal serves h on ln until SIGINT or SIGTERM (0) or until serving
// fails (1).
func serveUntilSignal(h http.Handler, ln net.Listener, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 90 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "onecode push-sandbox: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	return 0
}
