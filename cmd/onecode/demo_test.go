package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// newDemoAdmin is an AdminService on PostgreSQL and a one-member cluster.
func newDemoAdmin(t *testing.T) (apiv1.AdminServiceServer, directory.Store, *card.Keyring) {
	t.Helper()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	sw := switchtest.New(t, switchtest.Options{Name: "demo-test", Logger: discard})
	deps := sw.Deps()
	deps.IDHashKey = bytes.Repeat([]byte{1}, 32)
	admin := gateway.NewAdminService(deps)
	dir, kr := sw.Directory, sw.Keyring
	return admin, dir, kr
}

func TestSeedDemoTwice(t *testing.T) {
	admin, dir, kr := newDemoAdmin(t)
	ctx := context.Background()
	data := t.TempDir()
	now := time.Now()

	info, err := seedDemo(ctx, admin, data, now)
	if err != nil {
		t.Fatalf("first seed: %v", err)
	}
	if !info.Seeded {
		t.Fatal("first seed: Seeded false")
	}
	// The terminal secret file holds the stored device secret; T1 may override.
	secretText, err := os.ReadFile(info.SecretFile)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := hex.DecodeString(strings.TrimSpace(string(secretText)))
	if err != nil {
		t.Fatalf("secret file: %v", err)
	}
	term, err := dir.Terminal(ctx, demoTerminalID)
	if err != nil || !bytes.Equal(term.SecretHash, secret) || !term.CanOverride || term.SchoolID != demoSchoolID {
		t.Fatalf("terminal %+v (%v) does not match the secret file", term, err)
	}
	for _, f := range []string{info.SecretFile, info.CardsFile} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, want mode 0600", f, err)
		}
	}

	// Every card line opens with the keyring and names its pupil, masked.
	cards, err := os.ReadFile(info.CardsFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(cards))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 {
			t.Fatalf("card line %q: want 3 tab-separated fields", sc.Text())
		}
		c, err := kr.Open(f[2], now)
		if err != nil || c.ID.School() != demoSchoolID || c.ID.StudentNo() != f[0] {
			t.Fatalf("card of %s: %v %v", f[0], c.ID, err)
		}
		p, err := dir.PupilByStudentNo(ctx, demoSchoolID, f[0])
		if err != nil || c.ID.Random() != p.CardRandom || f[1] != actors.MaskName(p.Name) || f[1] == p.Name {
			t.Fatalf("card of %s: random %s name %q, pupil %+v (%v)", f[0], c.ID.Random(), f[1], p, err)
		}
		lines++
	}
	if lines != len(demoPupils) {
		t.Fatalf("%d cards, want %d", lines, len(demoPupils))
	}
	balances := func() []int64 {
		var out []int64
		for _, p := range demoPupils {
			a, err := admin.GetAccount(ctx, &apiv1.GetAccountRequest{AccountId: gateway.AccountID(demoSchoolID, p.row.GetStudentNo())})
			if err != nil {
				t.Fatal(err)
			}
			if a.GetArrearsCapFen() != 3000 || a.GetDailySpendCapFen() != 10000 {
				t.Fatalf("account %s: caps %d %d", a.GetAccountId(), a.GetArrearsCapFen(), a.GetDailySpendCapFen())
			}
			out = append(out, a.GetBalanceFen())
		}
		return out
	}
	first := balances()
	for i, p := range demoPupils {
		if first[i] != p.subsidyFen {
			t.Fatalf("pupil %s balance %d, want %d", p.row.GetStudentNo(), first[i], p.subsidyFen)
		}
	}
	if v, err := dir.CatalogVersion(ctx, demoCanteenID); err != nil || v != int64(len(demoDishes)) {
		t.Fatalf("catalog version %d (%v), want %d", v, err, len(demoDishes))
	}

	// The second start seeds nothing, fails nothing and still prints the guide.
	again, err := seedDemo(ctx, admin, data, now)
	if err != nil {
		t.Fatalf("second seed: %v", err)
	}
	if again.Seeded {
		t.Fatal("second seed: Seeded true, want false")
	}
	if cards2, _ := os.ReadFile(info.CardsFile); !bytes.Equal(cards2, cards) {
		t.Fatal("second seed rewrote the cards")
	}
	if secret2, _ := os.ReadFile(info.SecretFile); !bytes.Equal(secret2, secretText) {
		t.Fatal("second seed rewrote the secret")
	}
	if fmt.Sprint(balances()) != fmt.Sprint(first) {
		t.Fatal("second seed changed balances")
	}
	var out bytes.Buffer
	again.StaffFile = filepath.Join(data, "demo", "staff.txt")
	printDemoGuide(&out, again, data, demoAddrs{HTTP: "127.0.0.1:8080", GRPC: "127.0.0.1:9090", Sandbox: "http://127.0.0.1:8090", Binary: "bin/onecode"})
	for _, want := range []string{
		"curl http://127.0.0.1:8080/healthz", "curl http://127.0.0.1:8080/v1/info",
		"Authorization: Bearer $(cat " + filepath.Join(data, "operator.token") + ")",
		"/v1/admin/accounts/acc_35001_2024000101",
		"bin/onecode pos --addr 127.0.0.1:9090 --terminal T1 --secret-file " + info.SecretFile,
		info.CardsFile, "already seeded",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("guide lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "note:") {
		t.Errorf("guide reports missing files:\n%s", out.String())
	}
}

func TestLoadOrCreateOperatorToken(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	tok, err := loadOrCreateOperatorToken(data, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 64 {
		t.Fatalf("token %q: want 64 hex characters", tok)
	}
	path := filepath.Join(data, "operator.token")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, want mode 0600", err)
	}
	again, err := loadOrCreateOperatorToken(data, rand.Reader)
	if err != nil || again != tok {
		t.Fatalf("second start: %q %v, want the same token", again, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadOrCreateOperatorToken(data, rand.Reader); err == nil {
		t.Fatal("a token file readable by others was accepted")
	}
	if _, err := loadOrCreateOperatorToken(t.TempDir(), bytes.NewReader(nil)); err == nil {
		t.Fatal("no randomness, yet a token")
	}
}

// TestDemoGuideTrueText is issue 10's defect 6: the sandbox aggregator moves with a
// flag or its env, and the printed guide names this binary and the bound addresses,
// never the defaults.
func TestDemoGuideTrueText(t *testing.T) {
	t.Setenv("ONECODE_SANDBOX_ADDR", "127.0.0.1:18092")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "127.0.0.1:18092"},
		{[]string{"--sandbox-addr", "127.0.0.1:0"}, "127.0.0.1:0"},
	} {
		cfg, _, err := parseServeFlags(tc.args, io.Discard)
		if err != nil || cfg.Aggregator.SandboxAddr != tc.want {
			t.Errorf("serve %v: sandbox %q (%v), want %q", tc.args, cfg.Aggregator.SandboxAddr, err, tc.want)
		}
	}
	if _, _, err := parseServeFlags([]string{"--sandbox-addr", "8090"}, io.Discard); err == nil || !strings.Contains(err.Error(), "aggregator.sandbox_addr") {
		t.Errorf("a sandbox address without a host: %v, want an error naming aggregator.sandbox_addr", err)
	}

	data := t.TempDir()
	secret, cards := demoFiles(data)
	info := demoInfo{SchoolID: demoSchoolID, TerminalID: demoTerminalID, SampleAccount: "acc_35001_2024000101",
		SecretFile: secret, CardsFile: cards, StaffFile: filepath.Join(data, "demo", "staff.txt"), Seeded: true}
	addrs := demoAddrs{HTTP: "127.0.0.1:18080", GRPC: "127.0.0.1:19090", Sandbox: "http://127.0.0.1:18091", PushSandbox: "http://127.0.0.1:18092",
		AlipaySandbox: "http://127.0.0.1:18093", Binary: "bin/onecode"}
	var out bytes.Buffer
	printDemoGuide(&out, info, data, addrs)
	guide := out.String()
	for _, want := range []string{
		"bin/onecode pos --addr 127.0.0.1:19090 --terminal T1",
		"curl -X POST http://127.0.0.1:18091/sandbox/pay/<orderId>",
		"curl http://127.0.0.1:18080/healthz",
		"curl -X POST http://127.0.0.1:18080/v1/auth/staff/login",
		"push sandbox's SMS inbox (--push-sandbox-addr): http://127.0.0.1:18092/sandbox/",
		"curl http://127.0.0.1:18092/sandbox/messages",
		"school 35002 (accounts acc_35002_2024000301, …) pays through the Alipay sandbox http://127.0.0.1:18093",
	} {
		if !strings.Contains(guide, want) {
			t.Errorf("guide lacks %q:\n%s", want, guide)
		}
	}
	for _, stale := range []string{":8090", ":8091", ":8080", ":9090", "  onecode pos", "outbox.jsonl"} {
		if strings.Contains(guide, stale) {
			t.Errorf("guide says %q, not what is running:\n%s", stale, guide)
		}
	}
	out.Reset()
	addrs.Sandbox, addrs.PushSandbox = "", ""
	printDemoGuide(&out, info, data, addrs)
	if strings.Contains(out.String(), "/sandbox/") || !strings.Contains(out.String(), "configured payment aggregator") ||
		!strings.Contains(out.String(), "outbox.jsonl") {
		t.Errorf("with a real aggregator the guide still points at a sandbox:\n%s", out.String())
	}
}

func TestSelfPath(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, name := filepath.Split(exe)
	t.Chdir(dir)
	if got, want := selfPath(), "."+string(filepath.Separator)+name; got != want {
		t.Errorf("in the binary's directory: %q, want %q", got, want)
	}
	t.Chdir(filepath.Dir(filepath.Clean(dir)))
	if got, want := selfPath(), filepath.Join(filepath.Base(filepath.Clean(dir)), name); got != want {
		t.Errorf("one level up: %q, want %q", got, want)
	}
	t.Chdir(t.TempDir())
	if got := selfPath(); got != exe {
		t.Errorf("elsewhere: %q, want %q", got, exe)
	}
}
