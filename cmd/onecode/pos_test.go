package main

import (
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

	"google.golang.org/grpc"

	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

var posSecret = []byte("pos-secret-0123456789abcdef")

// posSwitch starts a real switch (PostgreSQL, one cluster member, gRPC on 127.0.0.1:0)
// with one school, terminal T1, two dishes and one pupil holding 50.00; it returns the
// gRPC address and the pupil's card QR.
func posSwitch(t *testing.T) (addr, qr string) {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sw := switchtest.New(t, switchtest.Options{Name: "pos", Logger: logger, MemberLogger: logger, FreshKeyring: true, AbruptStop: true})
	dir, m, accts, kr := sw.Directory, sw.Member, sw.Accounts, sw.Keyring

	expiry := time.Now().AddDate(1, 0, 0)
	var expiryInt int32
	fmt.Sscan(expiry.Format("20060102"), &expiryInt)
	for _, err := range []error{
		dir.PutSchool(ctx, directory.School{ID: "35001", Name: "实验小学", SingleRechargeMax: 100000, BalanceCap: 200000,
			DailySpendCap: 50000, ArrearsCap: 2000, VoidWindowSeconds: 600}),
		dir.PutClass(ctx, directory.Class{SchoolID: "35001", ID: "c1", Name: "3-2", Grade: 3}),
		dir.PutPupil(ctx, directory.Pupil{AccountID: "acc_35001_2024000123", SchoolID: "35001", StudentNo: "2024000123",
			Name: "张小明", ClassID: "c1", IDNumberHash: bytes.Repeat([]byte{1}, directory.IDNumberHashLen),
			CardRandom: "07", CardExpiry: expiryInt, Status: directory.PupilActive}),
		dir.PutCanteen(ctx, directory.Canteen{SchoolID: "35001", ID: "C1", Name: "一食堂"}),
		dir.AddTerminal(ctx, directory.Terminal{ID: "T1", SchoolID: "35001", CanteenID: "C1", Name: "1号窗口",
			SecretHash: posSecret, Status: directory.TerminalActive, CanOverride: true}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []directory.Dish{
		{CanteenID: "C1", Barcode: "6901", Name: "红烧肉", PriceFen: 1250, Active: true},
		{CanteenID: "C1", Barcode: "6902", Name: "米饭", PriceFen: 100, Active: true},
	} {
		if _, err := dir.PutDish(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, req := range []*grainv1.ExecuteRequest{
		{IdemKey: "open", Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{
			SchoolId: "35001", StudentNo: "2024000123", CardRandom: "07", CardExpiry: expiry.Format("20060102"),
			Limits: &grainv1.Limits{SingleRechargeMaxFen: 100000, BalanceCapFen: 200000, DailySpendCapFen: 50000, ArrearsCapFen: 2000},
		}}},
		{IdemKey: "subsidy", Command: &grainv1.ExecuteRequest_GrantSubsidy{GrantSubsidy: &grainv1.GrantSubsidyCommand{AmountFen: 5000, Reason: "lunch"}}},
	} {
		if resp, err := accts.Execute(ctx, "acc_35001_2024000123", req); err != nil || resp.GetAccepted() == nil {
			t.Fatalf("%s: %v %v", req.GetIdemKey(), resp, err)
		}
	}
	id, err := card.BuildID("35001", "2024000123", "07")
	if err != nil {
		t.Fatal(err)
	}
	if qr, err = kr.Seal(id, expiry, rand.Reader); err != nil {
		t.Fatal(err)
	}

	deps := sw.Deps()
	srv := switchtest.Serve(t, gateway.Config{Logger: logger}, func(g *grpc.Server) {
		apiv1.RegisterTerminalServiceServer(g, gateway.NewTerminalService(deps, m.Cluster.ActorSystem))
	})
	return srv.GRPCAddr(), qr
}

func runPOSScript(t *testing.T, args []string, script string) (code int, out string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code = runPOS(args, strings.NewReader(script), &stdout, &stderr)
	t.Logf("pos output:\n%s%s", stdout.String(), stderr.String())
	return code, stdout.String() + stderr.String()
}

func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("output lacks %q (in order)", w)
		}
		rest = rest[i+len(w):]
	}
}

func TestPOSScript(t *testing.T) {
	addr, qr := posSwitch(t)
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte(hex.EncodeToString(posSecret)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "T1.seq")
	args := []string{"--addr", addr, "--terminal", "T1", "--secret-file", secretFile, "--state-file", state, "--operator", "王阿姨"}

	code, out := runPOSScript(t, args, strings.Join([]string{
		"6901", "6902 2", "0000",
		qr, // 1: approved
		"6901 3",
		"OC1:NOTACARD", // 2: declined, not a card
		"/override",    // not overridable
		qr,             // 3: short
		"/override",    // 4: approved as arrears
		"/void",        // 5: voided
		"/void",
		"/frobnicate",
		"/quit",
		"6901", // after /quit: never read
	}, "\n")+"\n")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	wantLines(t, out,
		"connected: terminal T1, canteen 一食堂 (C1), next sale #1.",
		"6901       红烧肉  1 x 12.50 = 12.50", "TOTAL 12.50",
		"TOTAL 14.50",
		"REJECTED 0000: dish not sold here", "TOTAL 14.50",
		"APPROVED 14.50  balance 35.50  张*明",
		"TOTAL 37.50",
		"DECLINED not a valid card",
		"nothing to override",
		"DECLINED insufficient funds (balance 35.50, arrears available 20.00) — /override to approve as arrears",
		"APPROVED AS ARREARS 37.50  balance -2.00  张*明",
		"VOIDED 37.50  balance 35.50",
		"nothing to void",
		"unknown command /frobnicate",
	)
	if strings.Count(out, "TOTAL 12.50") != 1 {
		t.Error("lines after /quit were read")
	}
	if b, _ := os.ReadFile(state); strings.TrimSpace(string(b)) != "5" {
		t.Fatalf("state file %q, want 5", b)
	}

	// A restarted POS continues above the recorded sale number.
	code, out = runPOSScript(t, args, "6902\n"+qr+"\n")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	wantLines(t, out, "next sale #6.", "APPROVED 1.00  balance 34.50  张*明")
	if b, _ := os.ReadFile(state); strings.TrimSpace(string(b)) != "6" {
		t.Fatalf("state file %q, want 6", b)
	}
}

func TestPOSFlags(t *testing.T) {
	t.Setenv(posSecretEnv, "")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no terminal", []string{"--secret-file", "/dev/null"}, "--terminal is required"},
		{"no secret", []string{"--terminal", "T1"}, "secret:"},
		{"bad timeout", []string{"--terminal", "T1", "--timeout", "0s"}, "--timeout"},
	} {
		var stderr bytes.Buffer
		if code := runPOS(tc.args, strings.NewReader(""), io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%s: exit %d, %q; want 2 and %q", tc.name, code, stderr.String(), tc.want)
		}
	}
}
