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
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/ops"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/webui"
	"github.com/onecode/onecode/persistence/journal"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// serveFlags are the command-line settings of "onecode serve"; each also has an
// environment variable, and a flag given explicitly wins over both file and environment.
type serveFlags struct {
	configPath  string
	postgresDSN string
	redisAddr   string
	grpcAddr    string
	httpAddr    string
	dataDir     string
	demo        bool
	logLevel    string
	aggURL      string
	aggKeys     string
	publicURL   string
	pprofAddr   string
	sandboxAddr string
	pushSandbox string
}

func parseServeFlags(args []string, stderr io.Writer) (Config, serveFlags, error) {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.configPath, "config", os.Getenv("ONECODE_CONFIG"), "YAML config file, e.g. cluster-config/single.yaml (env ONECODE_CONFIG)")
	fs.StringVar(&f.postgresDSN, "postgres-dsn", os.Getenv("ONECODE_POSTGRES_DSN"), "PostgreSQL DSN; empty = embedded SQLite under --data-dir (env ONECODE_POSTGRES_DSN)")
	fs.StringVar(&f.redisAddr, "redis-addr", os.Getenv("ONECODE_REDIS_ADDR"), "Redis host:port; empty = in-process stand-ins (env ONECODE_REDIS_ADDR)")
	fs.StringVar(&f.grpcAddr, "grpc-addr", os.Getenv("ONECODE_GRPC_ADDR"), "gRPC listen address (default 127.0.0.1:9090)")
	fs.StringVar(&f.httpAddr, "http-addr", os.Getenv("ONECODE_HTTP_ADDR"), "HTTP listen address (default 127.0.0.1:8080)")
	fs.StringVar(&f.dataDir, "data-dir", os.Getenv("ONECODE_DATA_DIR"), "directory of the embedded store (default ./data)")
	fs.StringVar(&f.aggURL, "aggregator-url", os.Getenv("ONECODE_AGGREGATOR_URL"), "payment aggregator API base URL; empty = no online recharge (--demo runs a sandbox)")
	fs.StringVar(&f.aggKeys, "aggregator-keys", os.Getenv("ONECODE_AGGREGATOR_KEYS"), "directory of the aggregator keys (merchant key, platform public key, APIv3 key)")
	fs.StringVar(&f.publicURL, "public-url", os.Getenv("ONECODE_PUBLIC_URL"), "this switch's base URL as the aggregator reaches it (default http://<http-addr>)")
	fs.StringVar(&f.pprofAddr, "pprof-addr", os.Getenv("ONECODE_PPROF_ADDR"), "serve net/http/pprof on this loopback address (profiling; off by default)")
	fs.StringVar(&f.sandboxAddr, "sandbox-addr", os.Getenv("ONECODE_SANDBOX_ADDR"), "where --demo serves its sandbox payment aggregator (default 127.0.0.1:8090; env ONECODE_SANDBOX_ADDR)")
	fs.StringVar(&f.pushSandbox, "push-sandbox-addr", os.Getenv("ONECODE_PUSH_SANDBOX_ADDR"), "where --demo serves its push sandbox (SMS and WeChat APIs; default 127.0.0.1:8091; env ONECODE_PUSH_SANDBOX_ADDR)")
	fs.BoolVar(&f.demo, "demo", false, "seed a demo school on first start and print how to try it")
	fs.StringVar(&f.logLevel, "log-level", envOr("ONECODE_LOG_LEVEL", "info"), "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return Config{}, f, err
	}
	if fs.NArg() > 0 {
		return Config{}, f, fmt.Errorf("serve: unexpected arguments %v", fs.Args())
	}
	cfg := DefaultConfig()
	if f.configPath != "" {
		if err := LoadConfigFile(&cfg, f.configPath); err != nil {
			return Config{}, f, err
		}
	}
	overlay(&cfg.Server.PostgresDSN, f.postgresDSN)
	overlay(&cfg.Server.RedisAddr, f.redisAddr)
	overlay(&cfg.Server.GRPCAddr, f.grpcAddr)
	overlay(&cfg.Server.HTTPAddr, f.httpAddr)
	overlay(&cfg.Server.DataDir, f.dataDir)
	overlay(&cfg.Aggregator.URL, f.aggURL)
	overlay(&cfg.Aggregator.KeysDir, f.aggKeys)
	overlay(&cfg.Aggregator.PublicURL, f.publicURL)
	overlay(&cfg.Aggregator.SandboxAddr, f.sandboxAddr)
	overlay(&cfg.Push.SandboxAddr, f.pushSandbox)
	return cfg, f, cfg.Validate()
}

func overlay(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level: %w", err)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func runServe(args []string, stdout, stderr io.Writer) int {
	cfg, flags, err := parseServeFlags(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "onecode serve:", err)
		return 2
	}
	logger, err := newLogger(stderr, flags.logLevel)
	if err != nil {
		fmt.Fprintln(stderr, "onecode serve:", err)
		return 2
	}
	setGRPCLogger(logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, flags, logger, stdout); err != nil {
		logger.Error("serve failed", slog.Any("error", err))
		return 1
	}
	return 0
}

// node is a running member: what it reports and how it stops.
type node struct {
	cfg    Config
	member *actors.Member
	store  string
	cache  string
}

func (n *node) Info() *apiv1.GetInfoResponse {
	return &apiv1.GetInfoResponse{
		Version:     version,
		Store:       n.store,
		Cache:       n.cache,
		MemberId:    n.member.ID(),
		ClusterSize: int32(n.member.Size()),
	}
}

func serve(ctx context.Context, cfg Config, flags serveFlags, logger *slog.Logger, stdout io.Writer) error {
	if os.Getenv("GOGC") == "" { // an explicit GOGC wins
		debug.SetGCPercent(cfg.Server.GCPercent)
	}
	if flags.pprofAddr != "" {
		if err := servePprof(ctx, flags.pprofAddr, logger); err != nil {
			return err
		}
	}
	st, err := openStores(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := openCache(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.close()
	sessions, err := access.NewSessions(c.kv, access.SessionOptions{})
	if err != nil {
		return err
	}
	keys, err := loadKeys(cfg, logger)
	if err != nil {
		return err
	}
	member, accountDeps, stopMember, err := startMember(ctx, cfg, st, c.bus, logger)
	if err != nil {
		return err
	}
	defer stopMember()
	ctx, stopLost := stopWhenLost(ctx, member, logger)
	defer stopLost()
	n := &node{cfg: cfg, member: member, store: st.kind, cache: c.kind}
	readiness := append([]gateway.ReadinessCheck{{Name: "journal", Check: st.Ping}}, c.readiness...)
	readiness = append(readiness, memberReady(member))
	deps := storesOf(cfg, member, accountDeps, st, c, sessions, keys, logger)
	if err := serveEdge(ctx, cfg, flags, n, deps, st, readiness, accountDeps.Stats, stdout); err != nil {
		return err
	}
	if cause := context.Cause(ctx); errors.Is(cause, actors.ErrMembershipLost) {
		return cause // exit non-zero: the supervisor starts a new member
	}
	return nil
}

// stopWhenLost is ctx, also ended (with cause actors.ErrMembershipLost) when the
// member loses its etcd membership: the other members dropped it and will never
// answer its id again, so it stops serving and exits for its supervisor to restart.
func stopWhenLost(ctx context.Context, member *actors.Member, logger *slog.Logger) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-member.Lost():
			logger.Error("cluster membership lost: stopping; restart this member")
			cancel(actors.ErrMembershipLost)
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(nil) }
}

// serveEdge runs the edge on deps until ctx ends or a server fails: recharges (and the
// demo's aggregator sandbox), the services, the outbox, the demo seed.
func serveEdge(ctx context.Context, cfg Config, flags serveFlags, n *node, deps gateway.Deps, st *stores,
	readiness []gateway.ReadinessCheck, stats *actors.AccountStats, stdout io.Writer) error {
	logger := deps.Logger
	operatorToken, err := loadOrCreateOperatorToken(cfg.Server.DataDir, rand.Reader)
	if err != nil {
		return fmt.Errorf("operator token: %w", err)
	}
	rs, err := setupRecharges(ctx, cfg, flags.demo, deps, cfg.Server.HTTPAddr, logger)
	if err != nil {
		return err
	}
	defer rs.Close()
	push, err := setupPush(cfg, flags.demo, st.directory, st.outbox, deps.PhoneSealKey, logger)
	if err != nil {
		return err
	}
	defer push.Close()
	var notify, payNotify http.Handler
	if rs.recharges != nil {
		notify, payNotify = rs.recharges.NotifyHandler(), rs.recharges.PayNotifyHandler()
		resolverCtx, stopResolver := context.WithCancel(ctx)
		defer stopResolver()
		go rs.recharges.RunResolver(resolverCtx, 30*time.Second)
	}
	// ops (issue 14): alarms, watcher, auditor, the ops API; gives deps the terminal board.
	opsSet, err := setupOps(ctx, cfg, &deps, st, rs, push, n.member, stats)
	if err != nil {
		return err
	}
	defer opsSet.Close()
	if c, ok := st.outbox.(ops.OutboxCounter); ok {
		opsSet.Outbox.Set(c) // the notices' backlog on the ops page
	}
	svcs, err := newServices(cfg, deps, rs, n.member, logger)
	if err != nil {
		return err
	}
	svcs.ops = opsSet.api
	links, err := wechatLinks(push, st.directory, deps.PhoneSealKey)
	if err != nil {
		return err
	}
	svcs.wechat = gateway.NewWeChatService(links)
	e := edge{cfg: cfg, n: n, deps: deps, st: st, rs: rs, push: push, opsSet: opsSet, svcs: svcs}
	srv, err := e.server(ctx, readiness, operatorToken, stats, notify, payNotify)
	if err != nil {
		return err
	}
	outboxCtx, stopOutbox := context.WithCancel(ctx)
	defer stopOutbox()
	// issue 12: the notices' outbox; the directory's old outbox table is left
	// in place, unused (nothing queues in it any more).
	go runNotices(outboxCtx, cfg, st.outbox, push, logger)
	if fs, ferr := deps.Fees(); ferr == nil && st.outbox != nil {
		go fs.RunDueTomorrow(outboxCtx, 0) // fee_due_tomorrow notices, hourly
	}
	return serveUntilDone(ctx, srv, func() { e.started(ctx, srv, flags.demo, stdout) }, logger)
}

// edge is what serveEdge built, for the server and its start.
type edge struct {
	cfg    Config
	n      *node
	deps   gateway.Deps
	st     *stores
	rs     *rechargeSetup
	push   *pushSetup
	opsSet *opsSetup
	svcs   *services
}

// server is the gateway on the services, its metrics registered.
func (e edge) server(ctx context.Context, readiness []gateway.ReadinessCheck, operatorToken string, stats *actors.AccountStats,
	notify, payNotify http.Handler) (*gateway.Server, error) {
	web, err := webui.New()
	if err != nil {
		return nil, err
	}
	cfg, deps := e.cfg, e.deps
	srv, err := gateway.New(ctx, gateway.Config{
		GRPCAddr:         cfg.Server.GRPCAddr,
		HTTPAddr:         cfg.Server.HTTPAddr,
		MaxRequestTime:   cfg.Server.MaxRequestTime,
		ForwardedHops:    cfg.Server.ForwardedHops,
		Logger:           deps.Logger,
		Readiness:        readiness,
		Info:             e.n,
		OperatorToken:    operatorToken,
		Sessions:         deps.Sessions,
		AggregatorNotify: notify,
		PayNotify:        payNotify,
		PushReceipts:     e.push.receipts,
		Web:              web,
	}, e.svcs.register)
	if err != nil {
		return nil, err
	}
	registerAccountMetrics(srv.Registry(), stats)
	registerWriterMetrics(srv.Registry(), e.st.writer)
	registerNotifyMetrics(srv.Registry(), e.push.stats)
	registerOpsMetrics(srv.Registry(), opsSources{business: deps.Business, writer: e.st.writer, member: e.n.member, breakers: e.rs.client,
		mailboxes: deps.Mailboxes})
	registerAlarmMetrics(srv.Registry(), e.opsSet)
	return srv, nil
}

// started logs that srv serves and, with demo, seeds the demo school.
func (e edge) started(ctx context.Context, srv *gateway.Server, demo bool, stdout io.Writer) {
	logger := e.deps.Logger
	logger.Info("onecode serving",
		slog.String("version", version), slog.String("grpc", srv.GRPCAddr()), slog.String("http", srv.HTTPAddr()),
		slog.String("store", e.n.store), slog.String("cache", e.n.cache), slog.String("member", e.n.member.ID()))
	if !demo {
		return
	}
	feeSvc, err := e.deps.Fees()
	if err != nil {
		logger.Error("demo fees unavailable", slog.Any("error", err))
	}
	addrs := demoAddrs{HTTP: srv.HTTPAddr(), GRPC: srv.GRPCAddr(), Sandbox: e.rs.sandboxAt, PushSandbox: e.push.sandboxAt, AlipaySandbox: e.rs.alipaySandboxAt}
	if err := runDemo(ctx, e.svcs.admin, feeSvc, e.st.directory, e.cfg, addrs, stdout); err != nil {
		logger.Error("demo seeding failed", slog.Any("error", err))
	}
}

// serveUntilDone serves srv, calls started once it is serving, and shuts it down (within 15 s)
// when ctx ends; a server that fails ends it too.
func serveUntilDone(ctx context.Context, srv *gateway.Server, started func(), logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	started()
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err := <-errc:
		if err != nil {
			return err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	srv.Shutdown(shutdownCtx)
	return nil
}

func registerAccountMetrics(reg *prometheus.Registry, st *actors.AccountStats) {
	for name, v := range map[string]*atomic.Int64{
		"onecode_account_activations_total":   &st.Activated,
		"onecode_account_passivations_total":  &st.Passivated,
		"onecode_account_stale_stops_total":   &st.StaleStops,
		"onecode_account_load_failures_total": &st.LoadFailure,
	} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: "Account grain lifecycle: " + name}, func() float64 { return float64(v.Load()) }))
	}
}

func registerWriterMetrics(reg *prometheus.Registry, w *journal.Writer) {
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "onecode_journal_batches_total", Help: "Journal transactions (group commits) written."},
			func() float64 { return float64(w.Stats().Batches) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "onecode_journal_appends_total", Help: "Appends (one per accepted command) in those transactions."},
			func() float64 { return float64(w.Stats().Appends) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "onecode_journal_flush_seconds_total", Help: "Time spent writing and committing batches."},
			func() float64 { return w.Stats().FlushTime.Seconds() }),
	)
}

// defaultSheetFonts are TrueType fonts with Chinese glyphs that Debian packages install
// (fonts-droid-fallback); the first one found prints pupils' names on class sheets.
var defaultSheetFonts = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
}

// loadSheetFont reads the class-sheet font: the configured one, else a known system
// font, else none (names that are not ASCII are then left off the labels).
func loadSheetFont(path string, logger *slog.Logger) []byte {
	paths := defaultSheetFonts
	if path != "" {
		paths = []string{path}
	}
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			return b
		} else if path != "" {
			logger.Warn("class sheet font unreadable", slog.String("path", p), slog.Any("error", err))
		}
	}
	logger.Info("no CJK font for class sheets: names that are not ASCII are left off the labels (install fonts-droid-fallback or set server.sheet_font)")
	return nil
}

// servePprof serves the Go profiler on a loopback address only.
func servePprof(ctx context.Context, addr string, logger *slog.Logger) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("pprof address: %w", err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("pprof address %s: only a loopback address is allowed", addr)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(lis)
	go func() { <-ctx.Done(); srv.Close() }()
	logger.Info("pprof serving", slog.String("addr", lis.Addr().String()))
	return nil
}
