package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	appnotify "github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/internal/loaddriver"
	"github.com/onecode/onecode/persistence/outbox"
)

// Load generator defaults and bounds.
const (
	loadgenDefaultDSN   = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	loadgenMaxDuration  = time.Hour
	loadgenMaxRate      = 1_000_000
	loadgenSetupTimeout = 10 * time.Minute
	loadgenDBTimeout    = 30 * time.Second
	loadgenMaxNotices   = 100_000
	// rowlockSubsidyFen is each rowlock account's opening balance (as the switch's).
	rowlockSubsidyFen = loaddriver.DefaultSubsidyFen
)

type loadgenConfig struct {
	postgresDSN   string
	pupils        int
	terminals     int
	duration      time.Duration
	rate          float64
	target        string
	operatorToken string
	compare       bool
	merchantRow   bool
	keep          bool
	binary        string
	logLevel      string
	conns         int
	serveConfig   string
	// Drain mode (issue 12): notices drained through the push sandbox's SMS API.
	drainNotices int
	drainKind    string
	drainRounds  int
	pushRate     float64
	pushWorkers  int
	pushBatch    int
	sandboxMode  string // drain mode: where the push sandbox runs (process, inline)
	sandboxNice  int
	sandboxBin   string
	// Fee-rush mode (issue 11): N parents paying one fee item online at once.
	feeRush     int
	rushWorkers int
	rushPoll    time.Duration
	rushOver    time.Duration
	rushBits    int // the sandbox's platform key size
	redisAddr   string
}

func parseLoadgenFlags(args []string, stderr io.Writer) (loadgenConfig, error) {
	var c loadgenConfig
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.postgresDSN, "postgres-dsn", loadgenDefaultDSN, "PostgreSQL server (any database): fresh databases onecode_loadgen_<random> are made there and dropped at the end")
	fs.IntVar(&c.pupils, "pupils", 2000, "pupils seeded (each with an opening balance)")
	fs.IntVar(&c.terminals, "terminals", 64, "terminals paying at once (one session, one payment in flight each)")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "how long to pay")
	fs.Float64Var(&c.rate, "rate", 0, "open loop at this many payments/s in all (0: closed loop, as fast as possible)")
	fs.StringVar(&c.target, "target", "", "gRPC host:port of a switch already running (seeded through its admin API) instead of starting one")
	fs.StringVar(&c.operatorToken, "operator-token", os.Getenv("ONECODE_OPERATOR_TOKEN"), "operator token of --target (env ONECODE_OPERATOR_TOKEN)")
	fs.BoolVar(&c.compare, "compare-rowlock", false, "also run the conventional design (one SQL transaction per payment locking the balance row) on the same PostgreSQL, same concurrency and duration")
	fs.BoolVar(&c.merchantRow, "rowlock-merchant-row", false, "in the rowlock run, also add each payment to the canteen's total row (a second hot row, as many vendor systems do); off: exactly balance row + history row")
	fs.BoolVar(&c.keep, "keep", false, "keep the databases and the switch's data dir")
	fs.StringVar(&c.binary, "onecode-bin", "", "onecode binary to run as the switch (default: this executable)")
	fs.StringVar(&c.logLevel, "serve-log-level", "warn", "--log-level of the started switch")
	fs.IntVar(&c.conns, "conns", 1, "gRPC connections the terminal sessions share")
	fs.StringVar(&c.serveConfig, "serve-config", "", "--config of the started switch (for example to try journal batch settings); its addresses, data dir and PostgreSQL DSN are overridden")
	fs.IntVar(&c.drainNotices, "drain-notices", 0, "drain mode: queue this many notices per round (one per pupil with a guardian loadgen binds) and time their drain through the push sandbox's SMS API; with --rate the canteen pays alone for --duration, then during the drain")
	fs.StringVar(&c.drainKind, "drain-kind", string(appnotify.KindFeePublished), "drain mode: the notice kind queued, to an account's guardians (a non-urgent kind waits out China quiet hours, 21:00-07:00 = 13:00-23:00 UTC: use arrears then)")
	fs.IntVar(&c.drainRounds, "drain-rounds", 3, "drain mode: rounds (each: canteen alone, then the drain with the canteen); medians are reported")
	fs.Float64Var(&c.pushRate, "push-rate", 5000, "drain mode: push.rate of the started switch (SMS sends/s its channel allows; the shipped default is 50)")
	fs.IntVar(&c.pushWorkers, "push-workers", 0, "drain mode: push.send_workers of the started switch (0: its default; not written, so an older --onecode-bin runs too)")
	fs.IntVar(&c.pushBatch, "push-batch", 0, "drain mode: push.notice_batch of the started switch (0: its default; not written)")
	fs.StringVar(&c.sandboxMode, "push-sandbox", sandboxProcess, "drain mode: where the push sandbox (the SMS provider's stand-in) runs: process (its own `onecode push-sandbox`, as a provider is another host) or inline (in this process, beside the canteen's clients)")
	fs.IntVar(&c.sandboxNice, "push-sandbox-nice", 0, "drain mode: the nice value of the push sandbox process (0..19)")
	fs.StringVar(&c.sandboxBin, "push-sandbox-bin", "", "drain mode: onecode binary to run as the push sandbox process (default: this executable, also when --onecode-bin runs an older switch)")
	fs.IntVar(&c.feeRush, "fee-rush", 0, "fee-rush mode: publish one whole-school fee item (--pupils, raised to N if fewer), bind a guardian to N pupils, then those N guardians pay it online through an aggregator sandbox in this process; bills settled/s, notification handling and order → settled latency; with --rate the canteen pays alone for --duration, then during the rush")
	fs.IntVar(&c.rushWorkers, "fee-rush-workers", 64, "fee-rush mode: parents paying at once")
	fs.DurationVar(&c.rushOver, "fee-rush-over", 0, "fee-rush mode: the N parents arrive evenly over this time (open loop, at most --fee-rush-workers paying at once; the issue's rush is 5000 in 1m); 0: each next parent as soon as one of the workers is free")
	fs.IntVar(&c.rushBits, "fee-rush-platform-bits", 2048, "fee-rush mode, an experiment: the RSA size of the sandbox's platform keys (2048, as WeChat Pay's; 1024 makes the aggregator's own signatures, another machine's work, about 4× cheaper in this box); the merchant key the switch signs with stays 2048")
	fs.DurationVar(&c.rushPoll, "fee-rush-poll", time.Second, "fee-rush mode: a parent who paid polls the order this often (the H5 result page polls about once a second)")
	fs.StringVar(&c.redisAddr, "redis-addr", cmp.Or(os.Getenv("ONECODE_REDIS_ADDR"), "127.0.0.1:6379"), "fee-rush mode: Redis of the started switch (loadgen opens the parents' sessions there; env ONECODE_REDIS_ADDR)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var errs []error
	check := func(ok bool, format string, a ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, a...))
		}
	}
	check(fs.NArg() == 0, "unexpected arguments %v", fs.Args())
	check(c.pupils >= 1 && c.pupils <= loaddriver.MaxPupils, "--pupils %d out of 1..%d", c.pupils, loaddriver.MaxPupils)
	check(c.terminals >= 1 && c.terminals <= loaddriver.MaxTerminals, "--terminals %d out of 1..%d", c.terminals, loaddriver.MaxTerminals)
	check(c.duration > 0 && c.duration <= loadgenMaxDuration, "--duration %s out of (0, %s]", c.duration, loadgenMaxDuration)
	check(c.rate >= 0 && c.rate <= loadgenMaxRate, "--rate %g out of [0, %d]", c.rate, loadgenMaxRate)
	check(c.target == "" || c.operatorToken != "", "--target needs --operator-token")
	check(c.target == "" || c.serveConfig == "", "--serve-config is for the switch loadgen starts, not --target")
	check(c.conns >= 1 && c.conns <= 64, "--conns %d out of 1..64", c.conns)
	check(c.drainNotices >= 0 && c.drainNotices <= loadgenMaxNotices, "--drain-notices %d out of 0..%d", c.drainNotices, loadgenMaxNotices)
	check(c.drainNotices == 0 || c.target == "", "--drain-notices needs the switch loadgen starts, not --target")
	check(c.drainNotices == 0 || !c.compare, "--drain-notices and --compare-rowlock are separate runs")
	check(c.drainRounds >= 1 && c.drainRounds <= 20, "--drain-rounds %d out of 1..20", c.drainRounds)
	check(c.pushWorkers >= 0 && c.pushWorkers <= appnotify.MaxWorkers, "--push-workers %d out of 0..%d", c.pushWorkers, appnotify.MaxWorkers)
	check(c.pushBatch >= 0 && c.pushBatch <= outbox.MaxPage, "--push-batch %d out of 0..%d", c.pushBatch, outbox.MaxPage)
	check(c.sandboxMode == sandboxProcess || c.sandboxMode == sandboxInline, "--push-sandbox %q: want %s or %s", c.sandboxMode, sandboxProcess, sandboxInline)
	check(c.sandboxNice >= 0 && c.sandboxNice <= 19 && (c.sandboxNice == 0 || c.sandboxMode == sandboxProcess), "--push-sandbox-nice %d: want 0..19, with --push-sandbox %s", c.sandboxNice, sandboxProcess)
	check(c.pushRate > 0 && c.pushRate <= loadgenMaxRate, "--push-rate %g out of (0, %d]", c.pushRate, loadgenMaxRate)
	check(c.drainNotices == 0 || drainKindOK(c.drainKind), "--drain-kind %q: want a notice kind to an account's guardians", c.drainKind)
	check(c.feeRush >= 0 && c.feeRush <= loadgenMaxNotices, "--fee-rush %d out of 0..%d", c.feeRush, loadgenMaxNotices)
	check(c.feeRush == 0 || (c.target == "" && !c.compare && c.drainNotices == 0), "--fee-rush needs the switch loadgen starts, alone (no --target, --compare-rowlock, --drain-notices)")
	check(c.rushWorkers >= 1 && c.rushWorkers <= 1024, "--fee-rush-workers %d out of 1..1024", c.rushWorkers)
	check(c.rushBits == 2048 || c.rushBits == 1024, "--fee-rush-platform-bits %d: want 2048 or 1024", c.rushBits)
	check(c.rushOver >= 0 && c.rushOver <= time.Hour, "--fee-rush-over %s out of 0..1h", c.rushOver)
	check(c.rushPoll >= time.Millisecond && c.rushPoll <= 10*time.Second, "--fee-rush-poll %s out of 1ms..10s", c.rushPoll)
	check(strings.HasPrefix(c.postgresDSN, "postgres://") || strings.HasPrefix(c.postgresDSN, "postgresql://"), "--postgres-dsn: want a postgres:// URL")
	return c, errors.Join(errs...)
}

// runLoadgen is `onecode loadgen`: seed a school, pay from N terminals, report.
func runLoadgen(args []string, stdout, stderr io.Writer) int {
	if os.Getenv("GOGC") == "" {
		// The driver shares the machine with the switch and PostgreSQL: collect less.
		debug.SetGCPercent(400)
	}
	cfg, err := parseLoadgenFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "onecode loadgen:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := loadgen(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "onecode loadgen:", err)
		return 1
	}
	return 0
}

// loadgenOutcome is what one side measured.
type loadgenOutcome struct {
	perSec  float64
	acked   int64
	errors  int64
	elapsed time.Duration
	p50     time.Duration
	p99     time.Duration
	p999    time.Duration
	max     time.Duration
	detail  string
}

func loadgen(ctx context.Context, cfg loadgenConfig, stdout, stderr io.Writer) error {
	if cfg.drainNotices > 0 {
		return loadgenDrain(ctx, cfg, stdout)
	}
	if cfg.feeRush > 0 {
		return loadgenRush(ctx, cfg, stdout)
	}
	mode := "closed loop"
	if cfg.rate > 0 {
		mode = fmt.Sprintf("open loop at %g/s", cfg.rate)
	}
	fmt.Fprintf(stdout, "onecode loadgen: %d pupils, %d terminals, %s, %s\n", cfg.pupils, cfg.terminals, mode, cfg.duration)

	one, err := loadgenOnecode(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	printOutcome(stdout, "onecode", one)

	var rl loadgenOutcome
	ratio := 0.0
	if cfg.compare {
		if rl, err = loadgenRowlock(ctx, cfg, stdout); err != nil {
			return err
		}
		printOutcome(stdout, "rowlock", rl)
		if rl.perSec > 0 {
			ratio = one.perSec / rl.perSec
		}
		fmt.Fprintf(stdout, "onecode/rowlock: %.2fx\n", ratio)
	}
	fmt.Fprintf(stdout, "result onecode_per_s=%.0f rowlock_per_s=%.0f ratio=%.2f p99_ms=%.2f errors=%d\n",
		one.perSec, rl.perSec, ratio, float64(one.p99)/float64(time.Millisecond), one.errors+rl.errors)
	return nil
}

func printOutcome(w io.Writer, name string, o loadgenOutcome) {
	fmt.Fprintf(w, "%-8s %d payments in %.1fs = %.0f/s, errors %d; latency p50 %s p99 %s p99.9 %s max %s\n",
		name+":", o.acked, o.elapsed.Seconds(), o.perSec, o.errors, ms(o.p50), ms(o.p99), ms(o.p999), ms(o.max))
	if o.detail != "" {
		fmt.Fprintf(w, "         %s\n", o.detail)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", msOf(d)) }

// freshDatabase creates onecode_loadgen_<random> on the server of base and returns its
// DSN and a function dropping it (a no-op with keep).
func freshDatabase(ctx context.Context, base string, keep bool) (string, func(), error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	name := "onecode_loadgen_" + hex.EncodeToString(b)
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("--postgres-dsn: %w", err)
	}
	if err := adminExec(ctx, base, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path, u.RawPath = "/"+name, ""
	drop := func() {
		if keep {
			return
		}
		// Not ctx: an interrupted run still drops its database.
		if err := adminExec(context.Background(), base, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "onecode loadgen: drop database %s: %v\n", name, err)
		}
	}
	return u.String(), drop, nil
}

func dbName(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		return strings.TrimPrefix(u.Path, "/")
	}
	return "?"
}

func adminExec(ctx context.Context, dsn, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, loadgenDBTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}
