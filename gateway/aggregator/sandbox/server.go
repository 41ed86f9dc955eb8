package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// Config configures a Server.
type Config struct {
	Keys   Keys
	Faults Faults
	// SignWithPublicKey starts in public-key mode (Wechatpay-Serial PUB_KEY_ID_…);
	// otherwise answers are signed with the newest platform certificate.
	SignWithPublicKey bool
	// MaxOrders bounds the orders kept in memory (default 10,000); the oldest goes first.
	MaxOrders int
	// PublicURL is the base of pay_url; default http://<Host of the create request>.
	PublicURL string
	// NotifyTimeout bounds each delivery attempt (default 5 s).
	NotifyTimeout time.Duration
	// ReorderWindow is how long notifications are held when Faults.Reorder is on
	// (default 200 ms).
	ReorderWindow time.Duration
	// MaxPending bounds the deliveries waiting or in flight (default 1,024); beyond it
	// new notifications are dropped and counted in Stats.Overflow.
	MaxPending int
	// Workers is the number of concurrent deliveries (default 8).
	Workers    int
	Now        func() time.Time // default time.Now
	Random     io.Reader        // nonces, ids, GCM nonces; default crypto/rand.Reader
	Seed       uint64           // fault dice; 0 seeds from Random
	Logger     *slog.Logger     // default discards
	HTTPClient *http.Client     // for notifications; default a plain client
}

// Stats counts notification deliveries.
type Stats struct {
	Scheduled int64 `json:"scheduled"` // copies scheduled (dup_notify counts each)
	Dropped   int64 `json:"dropped"`   // notifications dropped by drop_notify
	Overflow  int64 `json:"overflow"`  // copies dropped because MaxPending was reached
	Attempts  int64 `json:"attempts"`  // HTTP attempts
	Delivered int64 `json:"delivered"` // copies answered 2xx
	GaveUp    int64 `json:"gave_up"`   // copies whose ladder ran out
}

// Server is the sandbox aggregator.
type Server struct {
	cfg    Config
	log    *slog.Logger
	mux    *http.ServeMux
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	faults Faults
	dice   *mrand.Rand
	orders map[string]*order
	fifo   []string // creation order, for eviction
	nonces nonceSet
	// refunds by out_refund_no (they go with their order when it is forgotten).
	refunds    map[string]*refund
	platform   []PlatformCert
	pubKeyMode bool

	queue   chan *delivery
	pending atomic.Int64
	held    []*delivery // reorder buffer
	workers sync.WaitGroup
	stats   struct{ scheduled, dropped, overflow, attempts, delivered, gaveUp atomic.Int64 }
}

// Bounds of the sandbox.
const (
	maxRefundsPerOrder = 50
	maxAmountFen       = 100_000_000 // 1,000,000 CNY
	maxDescription     = 127
	maxExpiry          = 30 * 24 * time.Hour
	maxNonces          = 100_000
)

// New builds a Server and starts its delivery workers; Close stops them.
func New(cfg Config) (*Server, error) {
	if err := cfg.Keys.validate(); err != nil {
		return nil, err
	}
	faults, err := cfg.Faults.normalize()
	if err != nil {
		return nil, err
	}
	setDefaults(&cfg)
	seed := cfg.Seed
	if seed == 0 {
		var b [8]byte
		if _, err := io.ReadFull(cfg.Random, b[:]); err != nil {
			return nil, fmt.Errorf("sandbox: seed: %w", err)
		}
		seed = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 | uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel, faults: faults,
		dice:   mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		orders: make(map[string]*order), nonces: nonceSet{seen: make(map[string]time.Time)},
		refunds: make(map[string]*refund), platform: append([]PlatformCert(nil), cfg.Keys.Platform...),
		queue: make(chan *delivery, cfg.MaxPending)}
	if cfg.SignWithPublicKey && !s.SignWithPublicKey(true) {
		cancel()
		return nil, fmt.Errorf("sandbox: public-key mode without a public key")
	}
	s.routes()
	for range cfg.Workers {
		s.workers.Add(1)
		go s.worker()
	}
	return s, nil
}

func setDefaults(cfg *Config) {
	if cfg.MaxOrders <= 0 {
		cfg.MaxOrders = 10_000
	}
	if cfg.NotifyTimeout <= 0 {
		cfg.NotifyTimeout = 5 * time.Second
	}
	if cfg.ReorderWindow <= 0 {
		cfg.ReorderWindow = 200 * time.Millisecond
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 1024
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
}

// Handler serves the aggregator API and the /sandbox endpoints.
func (s *Server) Handler() http.Handler { return s.mux }

// Close stops deliveries (pending ones are abandoned) and waits for the workers.
func (s *Server) Close() {
	s.cancel()
	s.workers.Wait()
}

// Faults returns the current faults.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	f.RetryLadder = append([]Duration(nil), f.RetryLadder...)
	return f
}

// SetFaults replaces the faults.
func (s *Server) SetFaults(f Faults) error {
	f, err := f.normalize()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
	return nil
}

// Stats returns the delivery counters.
func (s *Server) Stats() Stats {
	return Stats{Scheduled: s.stats.scheduled.Load(), Dropped: s.stats.dropped.Load(),
		Overflow: s.stats.overflow.Load(), Attempts: s.stats.attempts.Load(),
		Delivered: s.stats.delivered.Load(), GaveUp: s.stats.gaveUp.Load()}
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	for _, prefix := range []string{"/v3/pay/transactions", "/v3/pay/partner/transactions"} {
		s.mux.HandleFunc("POST "+prefix+"/{kind}", s.merchant(s.createOrder))
		s.mux.HandleFunc("GET "+prefix+"/out-trade-no/{no}", s.merchant(s.queryOrder))
		s.mux.HandleFunc("POST "+prefix+"/out-trade-no/{no}/close", s.merchant(s.closeOrder))
	}
	s.mux.HandleFunc("POST /v3/refund/domestic/refunds", s.merchant(s.refund))
	s.mux.HandleFunc("GET /v3/refund/domestic/refunds/{no}", s.merchant(s.queryRefund))
	s.mux.HandleFunc("GET /v3/certificates", s.merchant(s.certificates))
	s.mux.HandleFunc("GET /v3/bill/tradebill", s.merchant(s.tradeBill))
	s.mux.HandleFunc("GET /v3/billdownload/file", s.merchant(s.billFile))
	s.mux.HandleFunc("POST /sandbox/rotate", s.postRotate)
	s.mux.HandleFunc("POST /sandbox/signing", s.postSigning)
	s.mux.HandleFunc("GET /sandbox/pay/{no}", s.payPage)
	s.mux.HandleFunc("POST /sandbox/pay/{no}", s.pay)
	s.mux.HandleFunc("POST /sandbox/jsapi", s.postJSAPI)
	s.mux.HandleFunc("POST /sandbox/scan", s.postScan)
	s.mux.HandleFunc("GET /sandbox/faults", s.getFaults)
	s.mux.HandleFunc("POST /sandbox/faults", s.postFaults)
	s.mux.HandleFunc("GET /sandbox/stats", func(w http.ResponseWriter, _ *http.Request) { writePlainJSON(w, http.StatusOK, s.Stats()) })
}

// merchant wraps a /v3 handler: injected latency and failures, bounded body, and
// the merchant's signature (fresh timestamp, known serial, unseen nonce).
func (s *Server) merchant(h func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := s.Faults()
		if f.Latency > 0 {
			t := time.NewTimer(time.Duration(f.Latency))
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if s.roll(f.FailRate) {
			s.fail(w, http.StatusInternalServerError, aggregator.CodeSystemError, "injected failure")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, aggregator.MaxBody))
		if err != nil {
			s.fail(w, http.StatusRequestEntityTooLarge, aggregator.CodeParamError, "body larger than 64 KiB")
			return
		}
		if msg := s.authenticate(r, body); msg != "" {
			s.fail(w, http.StatusUnauthorized, aggregator.CodeSignError, msg)
			return
		}
		h(w, r, body)
	}
}

func (s *Server) authenticate(r *http.Request, body []byte) string {
	a, err := aggregator.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return err.Error()
	}
	if a.MchID != s.cfg.Keys.MchID || a.SerialNo != s.cfg.Keys.MerchantSerial() {
		return "unknown mchid or serial_no"
	}
	now := s.cfg.Now()
	if err := aggregator.VerifyRequest(s.cfg.Keys.MerchantCert.PublicKey.(*rsa.PublicKey), a, r.Method, r.RequestURI, body, now); err != nil {
		return err.Error()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.nonces.add(a.Nonce, now) {
		return "nonce replayed"
	}
	return ""
}

func (s *Server) roll(f Fraction) bool {
	if f == 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dice.IntN(1000) < int(f)
}

func (s *Server) getFaults(w http.ResponseWriter, _ *http.Request) {
	writePlainJSON(w, http.StatusOK, s.Faults())
}

// postFaults applies a partial update: fields absent from the JSON keep their value.
func (s *Server) postFaults(w http.ResponseWriter, r *http.Request) {
	f := s.Faults()
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		writePlainJSON(w, http.StatusBadRequest, aggregator.ErrorBody{Code: aggregator.CodeParamError, Message: err.Error()})
		return
	}
	if err := s.SetFaults(f); err != nil {
		writePlainJSON(w, http.StatusBadRequest, aggregator.ErrorBody{Code: aggregator.CodeParamError, Message: err.Error()})
		return
	}
	s.log.Info("sandbox faults set", "faults", s.Faults())
	writePlainJSON(w, http.StatusOK, s.Faults())
}
