package gateway

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/onecode/onecode/app/access"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/gateway/webui"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// Request bounds: a pupil file of up to 4 MiB, base64 in JSON over REST.
const (
	maxRequestBytes = 5 << 20
	maxRESTBody     = 7 << 20
)

//go:embed openapi/onecode.swagger.json
var openapiFS embed.FS

// ReadinessCheck is one dependency that must answer before the member takes traffic.
type ReadinessCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Config of the edge servers.
type Config struct {
	GRPCAddr string
	HTTPAddr string
	// MaxRequestTime bounds every unary call (REST included).
	MaxRequestTime time.Duration
	Logger         *slog.Logger
	Readiness      []ReadinessCheck
	Info           InfoSource
	// OperatorToken opens the operator API (AdminService); empty keeps it closed.
	OperatorToken string
	// AggregatorNotify receives the aggregator's signed payment notifications at
	// POST /aggregator/notify (outside /v1/: the signature is its authentication).
	AggregatorNotify http.Handler
	// PayNotify receives each payment provider merchant's notifications at
	// POST /pay/notify/{merchant} (Recharges.PayNotifyHandler; the provider's
	// signature is its authentication).
	PayNotify http.Handler
	// PushReceipts receives the SMS gateway's signed delivery receipts at POST
	// /push/sms/receipts (sms.ReceiptPath); nil: none.
	PushReceipts http.Handler
	// Sessions resolve the bearer tokens of staff and parents (Deps.Sessions);
	// nil keeps the parent and staff APIs, Logout and Whoami closed.
	Sessions *access.Sessions
	// Web serves the web pages (webui.Patterns: /, /h5/, /console/); nil serves none.
	Web http.Handler
	// ForwardedHops is the number of trusted reverse proxies in front of the
	// HTTP port, each appending to X-Forwarded-For (default 0: the HTTP peer
	// is the client). See ClientAddr.
	ForwardedHops int
}

// Server is the gRPC server and the HTTP server in front of it.
type Server struct {
	cfg      Config
	grpc     *grpc.Server
	http     *http.Server
	grpcLis  net.Listener
	httpLis  net.Listener
	registry *prometheus.Registry
	conn     *grpc.ClientConn
}

// New builds both servers, registers the services and binds the listeners, so that the
// addresses are known (and taken) when New returns.
func New(ctx context.Context, cfg Config, register func(*grpc.Server)) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxRequestTime <= 0 {
		cfg.MaxRequestTime = 10 * time.Second
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := newMetrics(reg)

	if cfg.ForwardedHops < 0 || cfg.ForwardedHops > 8 {
		return nil, fmt.Errorf("gateway: ForwardedHops %d, want 0..8", cfg.ForwardedHops)
	}
	// The REST gateway marks its calls with this secret, so that only its
	// x-forwarded-for is believed (see ClientAddr).
	markBytes := make([]byte, 16)
	if _, err := rand.Read(markBytes); err != nil {
		return nil, fmt.Errorf("gateway mark: %w", err)
	}
	mark := hex.EncodeToString(markBytes)

	s := &Server{cfg: cfg, registry: reg}
	s.grpc = newGRPCServer(cfg, m, mark)
	apiv1.RegisterSystemServiceServer(s.grpc, &systemService{info: cfg.Info})
	if register != nil {
		register(s.grpc)
	}

	var err error
	if s.grpcLis, err = net.Listen("tcp", cfg.GRPCAddr); err != nil {
		return nil, fmt.Errorf("listen gRPC on %s: %w", cfg.GRPCAddr, err)
	}
	if s.httpLis, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		s.grpcLis.Close()
		return nil, fmt.Errorf("listen HTTP on %s: %w", cfg.HTTPAddr, err)
	}

	// The REST gateway calls the gRPC endpoint itself, so both edges pass through the
	// same interceptors (authentication, limits, deadlines, logging).
	s.conn, err = grpc.NewClient(s.grpcLis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithChainUnaryInterceptor(markOutgoing(mark)))
	if err != nil {
		s.close()
		return nil, fmt.Errorf("gateway client: %w", err)
	}
	mux, err := s.httpMux(ctx, reg)
	if err != nil {
		s.close()
		return nil, err
	}
	s.http = &http.Server{
		Handler:           m.http(mux),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	return s, nil
}

// newGRPCServer is the gRPC server with the interceptors of both edges, in order:
// recovery, metrics, logging, deadline, operator token, client address, sessions, and
// last the conversion of every returned error into a status (status.go).
func newGRPCServer(cfg Config, m *metrics, mark string) *grpc.Server {
	return grpc.NewServer(
		grpc.ChainUnaryInterceptor(
			recoverUnary(cfg.Logger),
			m.unary,
			logUnary(cfg.Logger),
			deadlineUnary(cfg.MaxRequestTime),
			operatorAuth(cfg.OperatorToken),
			clientAddrUnary(mark, cfg.ForwardedHops),
			sessionAuth(cfg.Sessions),
			statusUnary,
		),
		grpc.ChainStreamInterceptor(recoverStream(cfg.Logger), m.stream, logStream(cfg.Logger), sessionAuthStream(cfg.Sessions), statusStream),
		grpc.MaxRecvMsgSize(maxRequestBytes), // pupil files (4 MiB) are the largest requests
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	)
}

// httpMux is the HTTP side: the REST gateway on the gRPC client conn (so both edges
// share the interceptors), the aggregator's notifications, health, readiness, metrics
// and the OpenAPI document; anything else is a JSON 404.
func (s *Server) httpMux(ctx context.Context, reg *prometheus.Registry) (*http.ServeMux, error) {
	gw := runtime.NewServeMux(runtime.WithErrorHandler(errorHandler), runtime.WithMarshalerOption(runtime.MIMEWildcard, newRESTMarshaler()))
	for _, register := range []func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error{
		apiv1.RegisterSystemServiceHandler,
		apiv1.RegisterAdminServiceHandler,
		apiv1.RegisterAuthServiceHandler,
		apiv1.RegisterParentServiceHandler,
		apiv1.RegisterStaffServiceHandler,
		apiv1.RegisterFeeStaffServiceHandler,
		apiv1.RegisterFeeParentServiceHandler,
		apiv1.RegisterFeeItemStaffServiceHandler,
		apiv1.RegisterFeeImportServiceHandler,
		apiv1.RegisterRefundStaffServiceHandler,
		apiv1.RegisterParentNoticesServiceHandler,
		apiv1.RegisterWeChatServiceHandler,
		apiv1.RegisterOpsServiceHandler,
	} {
		if err := register(ctx, gw, s.conn); err != nil {
			return nil, fmt.Errorf("register REST gateway: %w", err)
		}
	}

	mux := http.NewServeMux()
	mux.Handle("/v1/", http.MaxBytesHandler(checkRESTInput(gw), maxRESTBody))
	if s.cfg.AggregatorNotify != nil {
		mux.Handle("POST /aggregator/notify", s.cfg.AggregatorNotify)
	}
	if s.cfg.PayNotify != nil {
		mux.Handle("POST /pay/notify/{merchant}", s.cfg.PayNotify)
	}
	if s.cfg.PushReceipts != nil {
		mux.Handle("POST "+sms.ReceiptPath, s.cfg.PushReceipts)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		b, _ := openapiFS.ReadFile("openapi/onecode.swagger.json")
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	if s.cfg.Web != nil {
		for _, p := range webui.Patterns {
			mux.Handle(p, s.cfg.Web)
		}
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, reason.NotFound, "no route for "+r.Method+" "+r.URL.Path)
	})
	return mux, nil
}

// GRPCAddr is the bound gRPC address.
func (s *Server) GRPCAddr() string { return s.grpcLis.Addr().String() }

// HTTPAddr is the bound HTTP address.
func (s *Server) HTTPAddr() string { return s.httpLis.Addr().String() }

// Registry is where the member's metrics are registered.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// Serve runs both servers until one fails or Shutdown is called.
func (s *Server) Serve() error {
	errc := make(chan error, 2)
	go func() { errc <- s.grpc.Serve(s.grpcLis) }()
	go func() {
		err := s.http.Serve(s.httpLis)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		errc <- err
	}()
	return <-errc
}

// Shutdown stops accepting, lets in-flight calls finish within ctx, then closes.
func (s *Server) Shutdown(ctx context.Context) {
	_ = s.http.Shutdown(ctx)
	done := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.grpc.Stop()
	}
	s.conn.Close()
}

func (s *Server) close() {
	if s.conn != nil {
		s.conn.Close()
	}
	if s.grpcLis != nil {
		s.grpcLis.Close()
	}
	if s.httpLis != nil {
		s.httpLis.Close()
	}
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{}
	status := http.StatusOK
	for _, c := range s.cfg.Readiness {
		if err := c.Check(ctx); err != nil {
			checks[c.Name] = "unavailable"
			status = http.StatusServiceUnavailable
			s.cfg.Logger.Warn("readiness check failed", slog.String("check", c.Name), slog.Any("error", err))
			continue
		}
		checks[c.Name] = "ok"
	}
	writeJSON(w, status, map[string]any{"ready": status == http.StatusOK, "checks": checks})
}
