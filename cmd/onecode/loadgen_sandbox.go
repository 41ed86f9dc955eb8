package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/internal/switchproc"
)

// Where the drain's push sandbox runs. A provider's gateway is another host:
// in its own process the sandbox's HTTP serving and receipts do not queue in
// the Go scheduler of the process that times the canteen's payments (inline
// keeps the older harness, to compare).
const (
	sandboxProcess = "process"
	sandboxInline  = "inline"
)

const (
	sandboxReady     = 10 * time.Second       // a started push-sandbox answers within this
	sandboxProcPoll  = 20 * time.Millisecond  // stats polled over HTTP (inline: drainPoll)
	sandboxCallLimit = 500 * time.Millisecond // one stats call
)

// pushBox is the drain's view of the push sandbox: its counters.
type pushBox interface {
	Stats(ctx context.Context) (sandbox.Stats, error)
	poll() time.Duration
	pid() int // its process (0: this one)
}

// inlineBox is a sandbox served in this process.
type inlineBox struct{ sb *sandbox.Sandbox }

func (b inlineBox) Stats(context.Context) (sandbox.Stats, error) { return b.sb.Stats(), nil }
func (b inlineBox) poll() time.Duration                          { return drainPoll }
func (b inlineBox) pid() int                                     { return 0 }

// procBox is a child `onecode push-sandbox`, its counters read at /sandbox/stats.
type procBox struct {
	base   string
	client *http.Client
	proc   int
}

func (b procBox) poll() time.Duration { return sandboxProcPoll }
func (b procBox) pid() int            { return b.proc }

func (b procBox) Stats(ctx context.Context) (sandbox.Stats, error) {
	ctx, cancel := context.WithTimeout(ctx, sandboxCallLimit)
	defer cancel()
	var st sandbox.Stats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/sandbox/stats", nil)
	if err != nil {
		return st, err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("push sandbox stats: HTTP %d", resp.StatusCode)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// startPushBox serves the push sandbox as cfg.sandboxMode says, accepting
// creds and posting receipts to receiptURL; it answers the API's base URL.
// dir holds the secret file and the child's stderr.
func startPushBox(ctx context.Context, cfg loadgenConfig, creds sms.Credentials, receiptURL, dir string, cl *closers) (pushBox, string, error) {
	if cfg.sandboxMode == sandboxInline {
		sb, err := sandbox.New(sandbox.Config{SMS: creds, WeChatAppID: "wx-loadgen", WeChatSecret: "wx-loadgen-secret",
			ReceiptURL: receiptURL, MaxMessages: 64})
		if err != nil {
			return nil, "", err
		}
		cl.add(sb.Close)
		url, closeSB, err := serveLoopback(sb.Handler())
		if err != nil {
			return nil, "", err
		}
		cl.add(closeSB)
		return inlineBox{sb}, url, nil
	}
	return startSandboxProc(ctx, cfg, creds, receiptURL, dir, cl)
}

// startSandboxProc runs `onecode push-sandbox` (the --push-sandbox-bin binary,
// else this executable: the harness's, whichever switch it times) on a free
// loopback port, at cfg.sandboxNice, until cl runs.
func startSandboxProc(ctx context.Context, cfg loadgenConfig, creds sms.Credentials, receiptURL, dir string, cl *closers) (pushBox, string, error) {
	bin := cfg.sandboxBin
	if bin == "" {
		self, err := os.Executable()
		if err != nil {
			return nil, "", err
		}
		bin = self
	}
	port, err := switchproc.FreePort()
	if err != nil {
		return nil, "", err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	secretFile := filepath.Join(dir, "sandbox-sms.secret")
	if err := os.WriteFile(secretFile, creds.Secret, 0o600); err != nil {
		return nil, "", err
	}
	args := []string{bin, "push-sandbox", "--addr", addr, "--sms-key-id", creds.KeyID, "--sms-secret-file", secretFile,
		"--receipt-url", receiptURL, "--max-messages", "64", "--wechat-appid", "wx-loadgen", "--wechat-secret", "wx-loadgen-secret"}
	if cfg.sandboxNice > 0 {
		args = append([]string{"nice", "-n", strconv.Itoa(cfg.sandboxNice)}, args...)
	}
	logf, err := os.Create(filepath.Join(dir, "push-sandbox.stderr"))
	if err != nil {
		return nil, "", err
	}
	cl.add(func() { logf.Close() })
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("push sandbox: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	cl.add(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	box := procBox{base: "http://" + addr, client: &http.Client{Transport: &http.Transport{MaxIdleConns: 2}}, proc: cmd.Process.Pid}
	return box, box.base, waitSandbox(ctx, box, exited)
}

// waitSandbox polls the child's stats until it answers, it exits or
// sandboxReady passes.
func waitSandbox(ctx context.Context, box procBox, exited <-chan struct{}) error {
	deadline := time.Now().Add(sandboxReady)
	for {
		_, err := box.Stats(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("push sandbox exited at start (see push-sandbox.stderr)")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(sandboxProcPoll):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("push sandbox not answering after %s: %w", sandboxReady, err)
		}
	}
}
