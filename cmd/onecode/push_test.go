package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	appnotify "github.com/onecode/onecode/app/notify"
)

// TestPushWithoutProviderWritesTheMailbox: no SMS gateway and no demo → the
// mailbox file, as before issue 12; the demo → the push sandbox; the counters
// are exported by channel and outcome.
func TestPushWithoutProviderWritesTheMailbox(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Server.DataDir = t.TempDir()
	cfg.Push.SandboxAddr = "127.0.0.1:0"
	logger := slog.New(slog.DiscardHandler)
	p, err := setupPush(cfg, false, nil, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.sandboxAt != "" || p.receipts != nil {
		t.Errorf("a sandbox or receipts without the demo: %q", p.sandboxAt)
	}
	m := appnotify.Message{ID: 1, Topic: "arrears", Recipient: "acc", Payload: []byte(`{"amount_fen":1,"balance_fen":-1}`)}
	if err := p.send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(cfg.Server.DataDir, "outbox.jsonl")); err != nil || !strings.Contains(string(b), `"topic":"arrears"`) {
		t.Errorf("mailbox %q (%v)", b, err)
	}
	reg := prometheus.NewRegistry()
	registerNotifyMetrics(reg, p.stats)
	want := `# HELP onecode_notices_total Notices by channel (sms, wechat, email, mailbox) and outcome (sent, failed, retried).
# TYPE onecode_notices_total counter
onecode_notices_total{channel="mailbox",outcome="sent"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "onecode_notices_total"); err != nil {
		t.Error(err)
	}

	demo, err := setupPush(cfg, true, nil, []byte("0123456789abcdef"), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer demo.Close()
	if !strings.HasPrefix(demo.sandboxAt, "http://127.0.0.1:") || demo.receipts == nil {
		t.Errorf("demo push sandbox at %q, receipts %v", demo.sandboxAt, demo.receipts)
	}
}
