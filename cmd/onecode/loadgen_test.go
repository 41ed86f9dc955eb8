package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/internal/switchproc"
	"github.com/onecode/onecode/persistence/pgtest"
)

var resultLine = regexp.MustCompile(`^result onecode_per_s=(\d+) rowlock_per_s=(\d+) ratio=(\d+\.\d+) p99_ms=(\d+\.\d+) errors=(\d+)$`)

// TestLoadgenSmoke runs a short loadgen (small school, both designs) against the test
// PostgreSQL server and checks the result line.
func TestLoadgenSmoke(t *testing.T) {
	base, _ := loadgenServices(t, false)
	bin := buildSwitch(t)

	// The switch runs on a config of its own: no linger, three flushers.
	serveCfg := t.TempDir() + "/serve.yaml"
	if err := os.WriteFile(serveCfg, []byte("journal:\n  max_delay: 0s\n  flushers: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := runLoadgen([]string{"--postgres-dsn", base, "--onecode-bin", bin, "--pupils", "50", "--terminals", "4",
		"--duration", "2s", "--compare-rowlock", "--serve-config", serveCfg}, &stdout, &stderr)
	m := resultOf(t, code, &stdout, &stderr, resultLine)
	if m[5] != "0" {
		t.Fatalf("errors=%s, want 0", m[5])
	}
	for i, name := range []string{"onecode_per_s", "rowlock_per_s"} {
		if n, _ := strconv.Atoi(m[i+1]); n <= 0 {
			t.Fatalf("%s=%d, want > 0", name, n)
		}
	}
	if !strings.Contains(stdout.String(), "merchant row off") {
		t.Fatal("the summary does not say the rowlock baseline runs without the merchant row (the default)")
	}

	// Flags are checked before anything starts.
	stderr.Reset()
	if code := runLoadgen([]string{"--target", "127.0.0.1:1"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "--operator-token") {
		t.Fatalf("--target without a token: exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := runLoadgen([]string{"--target", "127.0.0.1:1", "--operator-token", "x", "--serve-config", serveCfg}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "--serve-config") {
		t.Fatalf("--serve-config with --target: exit %d, stderr %q", code, stderr.String())
	}
}

var drainResultLine = regexp.MustCompile(`^result drain_per_s=(\d+) canteen_p99_alone_ms=(\d+\.\d+) canteen_p99_drain_ms=(\d+\.\d+) rounds=1 errors=(\d+)$`)

// TestLoadgenDrainSmoke runs a tiny drain-mode loadgen (arrears notices, which
// quiet hours do not hold) and checks its result line; flags are checked first.
func TestLoadgenDrainSmoke(t *testing.T) {
	base, _ := loadgenServices(t, false)
	var stdout, stderr bytes.Buffer
	for _, args := range [][]string{
		{"--drain-notices", "10", "--target", "127.0.0.1:1", "--operator-token", "x"},
		{"--drain-notices", "10", "--drain-kind", "login_code"},
		{"--drain-notices", "10", "--compare-rowlock"},
		{"--drain-notices", "10", "--push-sandbox", "elsewhere"},
		{"--drain-notices", "10", "--push-sandbox", "inline", "--push-sandbox-nice", "5"},
	} {
		if code := runLoadgen(args, &stdout, &stderr); code != 2 {
			t.Errorf("loadgen %v: exit %d, want 2 (bad flags)", args, code)
		}
	}
	bin := buildSwitch(t)
	for mode, header := range map[string]string{"process": "(its own process at nice 1;", "inline": "(in this process;"} {
		stdout.Reset()
		args := []string{"--postgres-dsn", base, "--onecode-bin", bin, "--pupils", "20", "--terminals", "2", "--duration", "1s",
			"--rate", "20", "--drain-notices", "40", "--drain-rounds", "1", "--drain-kind", "arrears", "--push-sandbox", mode}
		if mode == "process" {
			args = append(args, "--push-sandbox-nice", "1", "--push-sandbox-bin", bin)
		}
		code := runLoadgen(args, &stdout, &stderr)
		if !strings.Contains(stdout.String(), header) {
			t.Errorf("%s: header without %q:\n%s", mode, header, stdout.String())
		}
		if !untimedLine.MatchString(stdout.String()) {
			t.Errorf("%s: no payments left untimed while the canteen settled:\n%s", mode, stdout.String())
		}
		if runtime.GOOS == "linux" && !drainCPULine.MatchString(stdout.String()) {
			t.Errorf("%s: no CPU line for the drain:\n%s", mode, stdout.String())
		}
		m := resultOf(t, code, &stdout, &stderr, drainResultLine)
		if n, _ := strconv.Atoi(m[1]); n <= 0 || m[4] != "0" {
			t.Fatalf("%s: drain_per_s=%s errors=%s, want > 0 and 0", mode, m[1], m[4])
		}
	}
}

// drainCPULine: the cores each process kept busy during a round's drain.
var drainCPULine = regexp.MustCompile(`CPU from the release to the drain's end: switch \d+\.\d\d, PostgreSQL \d+\.\d\d, Redis \d+\.\d\d, push sandbox \d+\.\d\d, loadgen \d+\.\d\d: \d+\.\d\d cores busy`)

// untimedLine: a pay run's settling second answered payments it did not time.
var untimedLine = regexp.MustCompile(`untimed while the run settled [1-9]\d*`)

var rushResultLine = regexp.MustCompile(`^result rush_settled_per_s=(\d+\.\d) notify_p50_ms=\d+\.\d+ notify_p99_ms=(\d+\.\d+) settle_p99_ms=\d+\.\d+ canteen_p99_alone_ms=\d+\.\d+ canteen_p99_rush_ms=\d+\.\d+ settled=(\d+) errors=(\d+)$`)

// TestLoadgenRushSmoke runs a tiny fee rush (20 guardians paying one item online
// through the aggregator sandbox, the canteen paying meanwhile) and checks its
// result line: every bill settled, every notification timed; flags are checked first.
func TestLoadgenRushSmoke(t *testing.T) {
	base, redisAddr := loadgenServices(t, true)
	var stdout, stderr bytes.Buffer
	for _, args := range [][]string{
		{"--fee-rush", "10", "--target", "127.0.0.1:1", "--operator-token", "x"},
		{"--fee-rush", "10", "--drain-notices", "10"},
		{"--fee-rush", "10", "--fee-rush-workers", "0"},
		{"--fee-rush", "10", "--fee-rush-poll", "0s"},
		{"--fee-rush", "10", "--fee-rush-over", "-1s"},
		{"--fee-rush", "10", "--fee-rush-platform-bits", "512"},
	} {
		if code := runLoadgen(args, &stdout, &stderr); code != 2 {
			t.Errorf("loadgen %v: exit %d, want 2 (bad flags)", args, code)
		}
	}
	bin := buildSwitch(t)
	stdout.Reset()
	code := runLoadgen([]string{"--postgres-dsn", base, "--redis-addr", redisAddr, "--onecode-bin", bin, "--pupils", "20", "--terminals", "2",
		"--duration", "1s", "--rate", "20", "--fee-rush", "20", "--fee-rush-workers", "8"}, &stdout, &stderr)
	m := resultOf(t, code, &stdout, &stderr, rushResultLine)
	if n, _ := strconv.ParseFloat(m[1], 64); n <= 0 || m[3] != "20" || m[4] != "0" {
		t.Fatalf("rush_settled_per_s=%s settled=%s errors=%s, want > 0, 20 and 0", m[1], m[3], m[4])
	}
	if p99, _ := strconv.ParseFloat(m[2], 64); p99 <= 0 {
		t.Fatalf("notify_p99_ms=%s: no notification timed", m[2])
	}
	if runtime.GOOS == "linux" && !cpuLine.Match(stdout.Bytes()) {
		t.Errorf("no CPU accounting line in:\n%s", stdout.String())
	}
	testRushArrivals(t, base, redisAddr, bin)
}

var cpuLine = regexp.MustCompile(`CPU per settled bill: switch \d+\.\d+ms, PostgreSQL \d+\.\d+ms`)

// testRushArrivals: with --fee-rush-over the 20 parents arrive evenly over 1s,
// so the last one places its order 0.95s after the first and no more than
// 20/0.95 bills a second can settle; the sandbox signs with RSA-1024 platform
// keys (--fee-rush-platform-bits), which the switch verifies as any other.
func testRushArrivals(t *testing.T, base, redisAddr, bin string) {
	var stdout, stderr bytes.Buffer
	code := runLoadgen([]string{"--postgres-dsn", base, "--redis-addr", redisAddr, "--onecode-bin", bin, "--pupils", "20",
		"--fee-rush", "20", "--fee-rush-over", "1s", "--fee-rush-poll", "10ms", "--fee-rush-platform-bits", "1024"}, &stdout, &stderr)
	m := resultOf(t, code, &stdout, &stderr, rushResultLine)
	if m[3] != "20" || m[4] != "0" {
		t.Fatalf("settled=%s errors=%s, want 20 and 0", m[3], m[4])
	}
	if n, _ := strconv.ParseFloat(m[1], 64); n <= 0 || n > 20/0.95 {
		t.Fatalf("rush_settled_per_s=%s with 20 parents arriving over 1s, want 0 < n ≤ %.1f", m[1], 20/0.95)
	}
	if !strings.Contains(stdout.String(), "parents arriving evenly over 1s (20.0/s), at most 64 paying at once (an experiment: the sandbox's platform keys RSA-1024)") {
		t.Errorf("header does not name the arrivals:\n%s", stdout.String())
	}
}

// loadgenServices answers the test PostgreSQL server's DSN (and, when redis, the
// Redis address), skipping the test when they are missing and not required.
func loadgenServices(t *testing.T, redis bool) (dsn, redisAddr string) {
	t.Helper()
	dsn = os.Getenv("ONECODE_TEST_PG_DSN")
	if dsn == "" {
		dsn = pgtest.DefaultDSN
	}
	what := "PostgreSQL"
	if redis {
		redisAddr, what = os.Getenv("ONECODE_TEST_REDIS_ADDR"), "PostgreSQL or Redis (ONECODE_TEST_REDIS_ADDR)"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err == nil {
		conn.Close(ctx)
	}
	if err != nil || (redis && redisAddr == "") {
		if pgtest.RequireServices() {
			t.Fatalf("%s unavailable and services are required: %v", what, err)
		}
		t.Skipf("%s unavailable: %v", what, err)
	}
	return dsn, redisAddr
}

// buildSwitch builds the onecode binary for the run (removed after the test).
func buildSwitch(t *testing.T) string {
	t.Helper()
	bin, err := switchproc.Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(switchproc.RemoveBuild)
	return bin
}

// resultOf wants loadgen to have exited 0 and its last line to match re; it
// answers the match.
func resultOf(t *testing.T, code int, stdout, stderr *bytes.Buffer, re *regexp.Regexp) []string {
	t.Helper()
	t.Logf("stdout:\n%s", stdout.String())
	if code != 0 {
		t.Fatalf("loadgen exit %d; stderr:\n%s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	m := re.FindStringSubmatch(lines[len(lines)-1])
	if m == nil {
		t.Fatalf("last line %q does not match %s", lines[len(lines)-1], re)
	}
	return m
}
