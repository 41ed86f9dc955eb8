package tests

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/internal/switchproc"
	"github.com/onecode/onecode/persistence/pgtest"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestCrashNoticesKill9: login codes are queued in the notices' outbox, the
// push sandbox (in this process) takes the first SMS and holds its answer, the
// switch is killed with SIGKILL in that window (sent to the provider, not marked
// sent), restarted on the same database: every code reaches the sandbox exactly
// once and every notice ends sent.
func TestCrashNoticesKill9(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dsn := pgtest.DSN(t)
	creds := sms.Credentials{KeyID: "ak-crash", Secret: []byte("crash-test-secret-0123456789")}
	sb, err := sandbox.New(sandbox.Config{SMS: creds, WeChatAppID: "wx", WeChatSecret: "wx-secret",
		Faults: sandbox.Faults{HoldAnswerMS: 30_000}})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	api := httptest.NewServer(sb.Handler())
	defer api.Close()

	dir := t.TempDir()
	secret := filepath.Join(dir, "sms.secret")
	cfgPath := filepath.Join(dir, "onecode.yaml")
	if err := os.WriteFile(secret, creds.Secret, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("push:\n  sms_url: %s\n  sms_key_id: %s\n  sms_secret_file: %s\n  sms_sign_name: 一码通\n  notice_lease: 2s\n  call_timeout: 45s\n",
		api.URL, creds.KeyID, secret)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	bin, err := switchproc.Build()
	if err != nil {
		t.Fatal(err)
	}
	proc, err := switchproc.Start(ctx, switchproc.Options{Binary: bin, PostgresDSN: dsn, DataDir: filepath.Join(dir, "data"),
		Args: []string{"--config", cfgPath}})
	if err != nil {
		t.Fatal(err)
	}
	cleanupSwitch(t, &proc)
	auth := apiv1.NewAuthServiceClient(dial(t, proc.GRPCAddr()))

	const codes = 6
	phones := make([]string, codes)
	for i := range phones {
		phones[i] = fmt.Sprintf("1390000%04d", 100+i)
		if _, err := auth.RequestParentCode(ctx, &apiv1.RequestParentCodeRequest{Phone: phones[i]}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, ctx, 20*time.Second, "the first SMS taken by the sandbox", func() bool { return len(sb.Messages()) >= 1 })
	if err := proc.Kill(); err != nil {
		t.Fatal(err)
	}
	taken := len(sb.Messages())
	if err := sb.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	restarted, err := proc.Restart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	proc = restarted
	waitFor(t, ctx, 40*time.Second, "every notice sent", func() bool { return queuedNotices(t, ctx, dsn) == 0 })

	per := map[string]int{}
	for _, m := range sb.Messages() {
		per[m.To]++
	}
	for _, p := range phones {
		if per[p] != 1 {
			t.Errorf("phone %s…: %d SMS, want exactly 1", p[:3], per[p])
		}
	}
	if len(sb.Messages()) != codes {
		t.Errorf("the sandbox kept %d SMS, want %d", len(sb.Messages()), codes)
	}
	t.Logf("SIGKILL with %d SMS taken by the sandbox, not acknowledged; after the restart: %d SMS, %d repeats answered from the out id",
		taken, len(sb.Messages()), sb.Stats().SMSDuplicates)
	if sb.Stats().SMSDuplicates < 1 {
		t.Errorf("no repeat reached the sandbox: the kill did not fall between the provider's accept and the mark")
	}
}

// queuedNotices counts the notices of the outbox not yet ended (-1 on error).
func queuedNotices(t *testing.T, ctx context.Context, dsn string) int {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return -1
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM notices WHERE state = 'queued'").Scan(&n); err != nil {
		t.Logf("count queued notices: %v", err)
		return -1
	}
	return n
}
