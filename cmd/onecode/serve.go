package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/onecode/onecode/app/access"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc"

	"github.com/onecode/onecode/actors"
	appnotify "github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/webui"
	"github.com/onecode/onecode/persistence/cache"
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
	n := &node{cfg: cfg, cache: "memory"}
	var readiness []gateway.ReadinessCheck

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
	n.store = st.kind
	readiness = append(readiness, gateway.ReadinessCheck{Name: "journal", Check: st.Ping})

	// Rate limits and sessions: Redis when given (several members share it), else the
	// in-process stand-in. Never money truth.
	var kv cache.Cache
	var bus cache.Bus = cache.NewMemoryBus()
	if cfg.Server.RedisAddr != "" {
		rdb := redis.NewClient(&redis.Options{Addr: cfg.Server.RedisAddr, DialTimeout: 2 * time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
		defer rdb.Close()
		if err := rdb.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("redis at %s: %w", cfg.Server.RedisAddr, err)
		}
		n.cache = "redis"
		readiness = append(readiness, gateway.ReadinessCheck{Name: "redis", Check: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }})
		if kv, err = cache.NewRedis(rdb, cache.RedisOptions{Prefix: cfg.Server.RedisPrefix}); err != nil {
			return err
		}
		if bus, err = cache.NewRedisBus(rdb, cache.RedisOptions{Prefix: cfg.Server.RedisPrefix}); err != nil {
			return err
		}
	} else if kv, err = cache.NewMemory(cache.MemoryOptions{}); err != nil {
		return err
	}
	sessions, err := access.NewSessions(kv, access.SessionOptions{})
	if err != nil {
		return err
	}

	keysDir := cfg.Server.KeysDir
	if keysDir == "" {
		keysDir = filepath.Join(cfg.Server.DataDir, "keys")
	}
	keyring, err := loadKeyring(keysDir, cfg.Server.KeysDir == "", logger)
	if err != nil {
		return err
	}
	// A single node makes its hash keys on first start; cluster members must share
	// one keys directory, so none of them may make its own.
	single := cfg.Cluster.Provider == string(actors.ProviderSingle)
	idHashKey, err := loadSecret(filepath.Join(keysDir, idHashKeyFile), single)
	if err != nil {
		return fmt.Errorf("ID-number hash key: %w", err)
	}
	phoneHashKey, err := loadSecret(filepath.Join(keysDir, phoneHashKeyFile), single)
	if err != nil {
		return fmt.Errorf("phone hash key: %w", err)
	}

	accountDeps := &actors.AccountDeps{
		Writer:        st.writer,
		Store:         st.journal,
		SnapshotEvery: cfg.Journal.SnapshotEvery,
		IOTimeout:     cfg.Account.CallTimeout,
		IdleTimeout:   cfg.Account.IdleTimeout,
		Now:           time.Now,
		Logger:        logger,
		Stats:         &actors.AccountStats{},
		Revocations:   actors.NewRevocationHub(),
	}
	stopRelay, err := accountDeps.Revocations.RelayThrough(bus, logger)
	if err != nil {
		return fmt.Errorf("revocation relay: %w", err)
	}
	defer stopRelay()
	mc := cfg.member()
	mc.Logger = logger
	mc.Kinds = append(mc.Kinds, actors.NewAccountKind(accountDeps))
	n.member, err = actors.StartMember(ctx, mc)
	if err != nil {
		return err
	}
	defer n.member.Stop(true)
	readiness = append(readiness, gateway.ReadinessCheck{Name: "cluster", Check: func(context.Context) error {
		if n.member.Size() == 0 {
			return fmt.Errorf("no cluster members")
		}
		return nil
	}})

	deps := gateway.Deps{
		Accounts:     actors.NewAccounts(n.member.Cluster, cfg.Account.CallTimeout, cfg.Account.CallRetries),
		Revocations:  accountDeps.Revocations,
		Directory:    st.directory,
		Journal:      st.journal,
		Keyring:      keyring,
		IDHashKey:    idHashKey,
		Cache:        kv,
		Sessions:     sessions,
		PhoneHashKey: phoneHashKey,
		Business:     &actors.BusinessStats{},
		Now:          time.Now,
		Rand:         rand.Reader,
		Logger:       logger,
	}
	operatorToken, err := loadOrCreateOperatorToken(cfg.Server.DataDir, rand.Reader)
	if err != nil {
		return fmt.Errorf("operator token: %w", err)
	}
	rs, err := setupRecharges(ctx, cfg, flags.demo, deps, cfg.Server.HTTPAddr, logger)
	if err != nil {
		return err
	}
	defer rs.Close()
	var notify http.Handler
	if rs.recharges != nil {
		notify = rs.recharges.NotifyHandler()
		resolverCtx, stopResolver := context.WithCancel(ctx)
		defer stopResolver()
		go rs.recharges.RunResolver(resolverCtx, 30*time.Second)
	}
	admin := gateway.NewAdminService(deps)
	authSvc, err := gateway.NewAuthService(deps, access.AuthOptions{})
	if err != nil {
		return err
	}
	var desk gateway.RechargeDesk
	if rs.recharges != nil {
		desk = rs.recharges
	}
	parentSvc, err := gateway.NewParentService(deps, desk)
	if err != nil {
		return err
	}
	staffSvc, err := gateway.NewStaffService(deps)
	if err != nil {
		return err
	}
	staffSvc.SheetFont = loadSheetFont(cfg.Server.SheetFont, logger)
	web, err := webui.New()
	if err != nil {
		return err
	}
	srv, err := gateway.New(ctx, gateway.Config{
		GRPCAddr:         cfg.Server.GRPCAddr,
		HTTPAddr:         cfg.Server.HTTPAddr,
		MaxRequestTime:   cfg.Server.MaxRequestTime,
		Logger:           logger,
		Readiness:        readiness,
		Info:             n,
		OperatorToken:    operatorToken,
		Sessions:         sessions,
		AggregatorNotify: notify,
		Web:              web,
	}, func(s *grpc.Server) {
		apiv1.RegisterAdminServiceServer(s, admin)
		apiv1.RegisterAuthServiceServer(s, authSvc)
		apiv1.RegisterParentServiceServer(s, parentSvc)
		apiv1.RegisterStaffServiceServer(s, staffSvc)
		apiv1.RegisterTerminalServiceServer(s, gateway.NewTerminalService(deps, n.member.Cluster.ActorSystem))
	})
	if err != nil {
		return err
	}
	registerAccountMetrics(srv.Registry(), accountDeps.Stats)
	registerWriterMetrics(srv.Registry(), st.writer)
	registerOpsMetrics(srv.Registry(), opsSources{business: deps.Business, writer: st.writer, member: n.member, breakers: rs.client})
	// No SMS or app-push provider is configured: messages (arrears notices, one-time
	// codes) go to the mailbox file <data-dir>/outbox.jsonl; the log says only that
	// a message went, never what it says.
	outboxCtx, stopOutbox := context.WithCancel(ctx)
	defer stopOutbox()
	mailbox := appnotify.FileSender(filepath.Join(cfg.Server.DataDir, "outbox.jsonl"), time.Now, logger)
	go appnotify.RunOutbox(outboxCtx, st.directory, mailbox, appnotify.Options{}, logger)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	logger.Info("onecode serving",
		slog.String("version", version), slog.String("grpc", srv.GRPCAddr()), slog.String("http", srv.HTTPAddr()),
		slog.String("store", n.store), slog.String("cache", n.cache), slog.String("member", n.member.ID()))
	if flags.demo {
		if err := runDemo(ctx, admin, st.directory, cfg, demoAddrs{HTTP: srv.HTTPAddr(), GRPC: srv.GRPCAddr(), Sandbox: rs.sandboxAt}, stdout); err != nil {
			logger.Error("demo seeding failed", slog.Any("error", err))
		}
	}

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
