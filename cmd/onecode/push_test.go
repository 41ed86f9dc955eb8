package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	policy "github.com/onecode/onecode/domain/access"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	appnotify "github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/persistence/directory"
)

// TestPushWithoutProviderWritesTheMailbox: no SMS gateway and no demo → the
// mailbox file, as before issue 12; the demo → the push sandbox; the counters
// are exported by channel and outcome.
func TestPushWithoutProviderWritesTheMailbox(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Server.DataDir = t.TempDir()
	cfg.Push.SandboxAddr = "127.0.0.1:0"
	logger := slog.New(slog.DiscardHandler)
	p, err := setupPush(cfg, false, nil, nil, nil, logger)
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

	demo, err := setupPush(cfg, true, nil, nil, []byte("0123456789abcdef"), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer demo.Close()
	if !strings.HasPrefix(demo.sandboxAt, "http://127.0.0.1:") || demo.receipts == nil {
		t.Errorf("demo push sandbox at %q, receipts %v", demo.sandboxAt, demo.receipts)
	}
}

// TestPushReachesGuardiansBySMS (issue 12): an arrears notice goes through the
// demo's push sandbox to the phone a guardian's record keeps sealed under the
// phone seal key; a guardian without one gets nothing by SMS.
func TestPushReachesGuardiansBySMS(t *testing.T) {
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.Server.DataDir = t.TempDir()
	cfg.Push.SandboxAddr = "127.0.0.1:0"
	dir := schoolDir(t)
	const school, acc = "35001", "acc_35001_0000000001"
	idHash := sha256.Sum256([]byte("id number"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(dir.BulkImportPupils(ctx, school, []directory.Pupil{{AccountID: acc, SchoolID: school, StudentNo: "0000000001",
		Name: "张小明", ClassID: "3-1", IDNumberHash: idHash[:], CardRandom: "07", CardExpiry: 20300831, Status: directory.PupilActive}}))
	sealKey := bytes.Repeat([]byte{7}, 32)
	sealed, err := policy.SealPhone(sealKey, "13900000001", rand.Reader)
	must(err)
	for i, p := range []directory.Parent{
		{ID: "par_mum", PhoneHash: bytes.Repeat([]byte{1}, 32), PhoneMasked: "139****0001", PhoneSealed: sealed},
		{ID: "par_dad", PhoneHash: bytes.Repeat([]byte{2}, 32), PhoneMasked: "139****0002"},
	} {
		_, err := dir.PutParent(ctx, p)
		must(err)
		must(dir.Bind(ctx, directory.Guardianship{ParentID: p.ID, AccountID: acc, Relation: []string{"mother", "father"}[i]}))
	}

	p, err := setupPush(cfg, true, dir, nil, sealKey, slog.New(slog.DiscardHandler))
	must(err)
	defer p.Close()
	m := appnotify.Message{ID: 41, Topic: "arrears", Recipient: acc, Payload: []byte(`{"amount_fen":1200,"balance_fen":-300}`)}
	must(p.send(ctx, m))
	msgs := p.sb.Messages()
	if len(msgs) != 1 || msgs[0].Channel != "sms" || msgs[0].To != "13900000001" || msgs[0].Params["amount"] != "12.00" || msgs[0].OutID != sms.OutID(41, "13900000001") {
		t.Fatalf("sandbox inbox %+v, want the arrears notice once, to the mother's phone", msgs)
	}
}
