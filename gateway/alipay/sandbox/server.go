package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onecode/onecode/gateway/alipay"
)

// Config configures a Server.
type Config struct {
	AppID string
	// AppKey verifies the app's request signatures.
	AppKey *rsa.PublicKey
	// AlipayKey signs answers and notifications.
	AlipayKey *rsa.PrivateKey
	// Certificate mode: when AppCertSN is set, requests must carry app_cert_sn and
	// alipay_root_cert_sn equal to these, and answers carry alipay_cert_sn.
	AppCertSN, RootCertSN, AlipayCertSN string
	// AppAuthTokens are the 第三方应用授权 tokens accepted (token → the authorising
	// merchant's app_id); a request with another token is aop.invalid-app-auth-token.
	AppAuthTokens map[string]string
	Faults        Faults
	// PublicURL is the base of qr_code and pay-page links; default http://<Host>.
	PublicURL string
	// MaxTrades bounds the trades kept (default 10,000); the oldest goes first.
	MaxTrades int
	// NotifyTimeout bounds each delivery attempt (default 5 s).
	NotifyTimeout time.Duration
	// MaxPending bounds notification copies waiting or in flight (default 1,024).
	MaxPending int
	Now        func() time.Time // default time.Now
	Seed       uint64           // fault dice; 0 seeds from crypto/rand
	Logger     *slog.Logger     // default discards
	HTTPClient *http.Client     // for notifications
}

// ConfigFromKeySet is the sandbox side of a generated key set.
func ConfigFromKeySet(ks alipay.KeySet, certMode bool) Config {
	c := Config{AppID: ks.AppID, AppKey: &ks.AppKey.PublicKey, AlipayKey: ks.AlipayKey}
	if certMode {
		c.AppCertSN, c.RootCertSN, c.AlipayCertSN = alipay.CertSN(ks.AppCert), alipay.CertSN(ks.RootCert), alipay.CertSN(ks.AlipayCert)
	}
	return c
}

// LoadConfig reads the sandbox's side from a directory written by KeySet.Write
// (app_id, the app's public key, the sandbox's Alipay private key): certificate mode
// when it holds the app certificate.
func LoadConfig(dir string) (Config, error) {
	var c Config
	b, err := os.ReadFile(filepath.Join(dir, alipay.AppIDFile))
	if c.AppID = strings.TrimSpace(string(b)); err != nil || c.AppID == "" {
		return Config{}, fmt.Errorf("sandbox: %s missing or empty", alipay.AppIDFile)
	}
	if c.AlipayKey, err = alipay.ReadPrivateKey(filepath.Join(dir, alipay.AlipayPrivateKeyFile)); err != nil {
		return Config{}, err
	}
	if c.AppKey, err = alipay.ReadPublicKey(filepath.Join(dir, alipay.AppPublicKeyFile)); err != nil {
		return Config{}, err
	}
	if _, err := os.Stat(filepath.Join(dir, alipay.AppCertFile)); err != nil {
		return c, nil // public-key mode
	}
	app, err := alipay.ReadCerts(filepath.Join(dir, alipay.AppCertFile))
	if err != nil {
		return Config{}, err
	}
	ali, err := alipay.ReadCerts(filepath.Join(dir, alipay.AlipayCertFile))
	if err != nil {
		return Config{}, err
	}
	root, err := os.ReadFile(filepath.Join(dir, alipay.AlipayRootCertFile))
	if err != nil {
		return Config{}, fmt.Errorf("sandbox: %w", err)
	}
	if c.RootCertSN, err = alipay.RootCertSN(root); err != nil {
		return Config{}, err
	}
	c.AppCertSN, c.AlipayCertSN = alipay.CertSN(app[0]), alipay.CertSN(ali[0])
	return c, nil
}

// Stats counts notification deliveries.
type Stats struct {
	Scheduled int64 `json:"scheduled"` // copies scheduled (dup_notify counts each)
	Dropped   int64 `json:"dropped"`   // notifications dropped by drop_notify
	Overflow  int64 `json:"overflow"`  // copies dropped because MaxPending was reached
	Attempts  int64 `json:"attempts"`  // HTTP attempts
	Delivered int64 `json:"delivered"` // copies answered "success"
	GaveUp    int64 `json:"gave_up"`   // copies whose ladder ran out
}

// Server is the sandbox Alipay gateway.
type Server struct {
	cfg    Config
	log    *slog.Logger
	mux    *http.ServeMux
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	faults Faults
	dice   *mrand.Rand
	trades map[string]*trade // merchant + "/" + out_trade_no
	fifo   []string

	pending sync.WaitGroup
	npend   atomic.Int64
	stats   struct{ scheduled, dropped, overflow, attempts, delivered, gaveUp atomic.Int64 }
}

// New validates cfg and builds a Server; Close stops its deliveries.
func New(cfg Config) (*Server, error) {
	if cfg.AppID == "" || cfg.AppKey == nil || cfg.AlipayKey == nil {
		return nil, errors.New("sandbox: AppID, AppKey and AlipayKey are required")
	}
	f, err := cfg.Faults.normalize()
	if err != nil {
		return nil, err
	}
	setDefaults(&cfg)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), ctx: ctx, cancel: cancel, faults: f,
		dice: mrand.New(mrand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)), trades: map[string]*trade{}}
	s.routes()
	return s, nil
}

func setDefaults(cfg *Config) {
	if cfg.MaxTrades <= 0 {
		cfg.MaxTrades = 10_000
	}
	if cfg.NotifyTimeout <= 0 {
		cfg.NotifyTimeout = 5 * time.Second
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 1024
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		cfg.Seed = binary.LittleEndian.Uint64(b[:])
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
}

// Handler serves /gateway.do, the pay page and the /sandbox control endpoints.
func (s *Server) Handler() http.Handler { return s.mux }

// Close stops pending deliveries and waits for them.
func (s *Server) Close() {
	s.cancel()
	s.pending.Wait()
}

// Faults are the present fault flags.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// SetFaults replaces the fault flags.
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

// Stats are the delivery counters.
func (s *Server) Stats() Stats {
	return Stats{Scheduled: s.stats.scheduled.Load(), Dropped: s.stats.dropped.Load(), Overflow: s.stats.overflow.Load(),
		Attempts: s.stats.attempts.Load(), Delivered: s.stats.delivered.Load(), GaveUp: s.stats.gaveUp.Load()}
}

func (s *Server) routes() {
	s.mux.HandleFunc("/gateway.do", s.gateway)
	s.mux.HandleFunc("GET /sandbox/pay", s.payPage)
	s.mux.HandleFunc("POST /sandbox/pay", s.pay)
	s.mux.HandleFunc("GET /sandbox/bill/{merchant}/{day}", s.billFile)
	s.mux.HandleFunc("GET /sandbox/faults", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.Faults()) })
	s.mux.HandleFunc("POST /sandbox/faults", s.postFaults)
	s.mux.HandleFunc("GET /sandbox/stats", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.Stats()) })
}

func (s *Server) postFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		http.Error(w, fmt.Sprintf("faults: %v", err), http.StatusBadRequest)
		return
	}
	if err := s.SetFaults(f); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, http.StatusOK, s.Faults())
}

// roll says whether an event of probability p happens.
func (s *Server) roll(p PerMille) bool {
	if p == 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dice.IntN(1000) < int(p)
}

// digits are n random decimal digits (trade numbers, buyer ids, notify ids).
func (s *Server) digits(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.digitsLocked(n)
}

func (s *Server) digitsLocked(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + s.dice.IntN(10))
	}
	return string(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
