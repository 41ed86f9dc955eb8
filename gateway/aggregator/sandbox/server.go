package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// Config configures a Server.
type Config struct {
	Keys   Keys
	Faults Faults
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

	queue   chan *delivery
	pending atomic.Int64
	held    []*delivery // reorder buffer
	workers sync.WaitGroup
	stats   struct{ scheduled, dropped, overflow, attempts, delivered, gaveUp atomic.Int64 }
}

type order struct {
	req           aggregator.CreateOrderRequest
	prepayID      string
	state         aggregator.TradeState
	transactionID string
	successTime   time.Time
	refundedFen   int64
	refunds       map[string]aggregator.RefundResponse // by out_refund_no
	refundReqs    map[string]aggregator.RefundRequest
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
		queue: make(chan *delivery, cfg.MaxPending)}
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
	s.mux.HandleFunc("POST /v3/orders", s.merchant(s.createOrder))
	s.mux.HandleFunc("GET /v3/orders/{no}", s.merchant(s.queryOrder))
	s.mux.HandleFunc("POST /v3/orders/{no}/close", s.merchant(s.closeOrder))
	s.mux.HandleFunc("POST /v3/refunds", s.merchant(s.refund))
	s.mux.HandleFunc("GET /sandbox/pay/{no}", s.payPage)
	s.mux.HandleFunc("POST /sandbox/pay/{no}", s.pay)
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
			writePlainJSON(w, http.StatusInternalServerError, aggregator.ErrorBody{Code: aggregator.CodeSystemError, Message: "injected failure"})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, aggregator.MaxBody))
		if err != nil {
			s.fail(w, http.StatusRequestEntityTooLarge, aggregator.CodeInvalidRequest, "body larger than 64 KiB")
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
	if a.MchID != s.cfg.Keys.MchID || a.SerialNo != s.cfg.Keys.MerchantSerial {
		return "unknown mchid or serial_no"
	}
	now := s.cfg.Now()
	if err := aggregator.VerifyRequest(s.cfg.Keys.MerchantPub, a, r.Method, r.RequestURI, body, now); err != nil {
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

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request, body []byte) {
	var req aggregator.CreateOrderRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.fail(w, http.StatusBadRequest, aggregator.CodeInvalidRequest, "body is not a create-order request")
		return
	}
	now := s.cfg.Now()
	if msg := checkCreate(req, now); msg != "" {
		s.fail(w, http.StatusBadRequest, aggregator.CodeInvalidRequest, msg)
		return
	}
	payURL := s.payURL(r, req.OutTradeNo)
	s.mu.Lock()
	o := s.lookup(req.OutTradeNo, now)
	if o != nil {
		status, code, msg := existingOrder(o, req)
		prepay := o.prepayID
		s.mu.Unlock()
		if status != http.StatusOK {
			s.fail(w, status, code, msg)
			return
		}
		s.writeSigned(w, http.StatusOK, aggregator.CreateOrderResponse{PrepayID: prepay, PayURL: payURL})
		return
	}
	if msg := checkExpiry(req, now); msg != "" {
		s.mu.Unlock()
		s.fail(w, http.StatusBadRequest, aggregator.CodeInvalidRequest, msg)
		return
	}
	o = &order{req: req, prepayID: "wx" + s.randomHex(14), state: aggregator.StateNotPay}
	s.insert(req.OutTradeNo, o)
	s.mu.Unlock()
	s.writeSigned(w, http.StatusOK, aggregator.CreateOrderResponse{PrepayID: o.prepayID, PayURL: payURL})
}

func checkCreate(req aggregator.CreateOrderRequest, now time.Time) string {
	if err := aggregator.CheckTradeNo(req.OutTradeNo); err != nil {
		return err.Error()
	}
	if req.AmountFen <= 0 || req.AmountFen > maxAmountFen {
		return fmt.Sprintf("amount_fen must be within 1…%d", maxAmountFen)
	}
	if len(req.Description) > maxDescription {
		return "description longer than 127 bytes"
	}
	if u, err := url.Parse(req.NotifyURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "notify_url must be an absolute http(s) URL"
	}
	if req.ExpireAt.IsZero() {
		return "expire_at missing"
	}
	return ""
}

// checkExpiry applies to new orders only: an existing one is answered by its state.
func checkExpiry(req aggregator.CreateOrderRequest, now time.Time) string {
	if !req.ExpireAt.After(now) || req.ExpireAt.After(now.Add(maxExpiry)) {
		return "expire_at must be in the next 30 days"
	}
	return ""
}

// existingOrder answers a create for an out_trade_no already known.
func existingOrder(o *order, req aggregator.CreateOrderRequest) (int, string, string) {
	switch o.state {
	case aggregator.StateSuccess, aggregator.StateRefund:
		return http.StatusBadRequest, aggregator.CodeOrderPaid, "order already paid"
	case aggregator.StateClosed:
		return http.StatusBadRequest, aggregator.CodeOrderClosed, "order closed"
	}
	same := o.req.AmountFen == req.AmountFen && o.req.Description == req.Description &&
		o.req.NotifyURL == req.NotifyURL && o.req.ExpireAt.Equal(req.ExpireAt)
	if !same {
		return http.StatusBadRequest, aggregator.CodeConflict, "out_trade_no used with other fields"
	}
	return http.StatusOK, "", ""
}

func (s *Server) payURL(r *http.Request, no string) string {
	base := s.cfg.PublicURL
	if base == "" {
		base = "http://" + r.Host
	}
	return base + "/sandbox/pay/" + url.PathEscape(no)
}

func (s *Server) queryOrder(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.mu.Lock()
	o := s.lookup(r.PathValue("no"), s.cfg.Now())
	if o == nil {
		s.mu.Unlock()
		s.fail(w, http.StatusNotFound, aggregator.CodeNotFound, "no such order")
		return
	}
	view := o.view()
	s.mu.Unlock()
	s.writeSigned(w, http.StatusOK, view)
}

func (s *Server) closeOrder(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.mu.Lock()
	o := s.lookup(r.PathValue("no"), s.cfg.Now())
	var status int
	var code string
	switch {
	case o == nil:
		status, code = http.StatusNotFound, aggregator.CodeNotFound
	case o.state == aggregator.StateSuccess || o.state == aggregator.StateRefund:
		status, code = http.StatusBadRequest, aggregator.CodeOrderPaid
	default:
		o.state = aggregator.StateClosed
		status = http.StatusNoContent
	}
	s.mu.Unlock()
	if status != http.StatusNoContent {
		s.fail(w, status, code, "cannot close")
		return
	}
	s.writeSignedBytes(w, http.StatusNoContent, nil)
}

func (s *Server) refund(w http.ResponseWriter, r *http.Request, body []byte) {
	var req aggregator.RefundRequest
	if err := json.Unmarshal(body, &req); err != nil || aggregator.CheckTradeNo(req.OutTradeNo) != nil ||
		aggregator.CheckTradeNo(req.OutRefundNo) != nil || req.AmountFen <= 0 {
		s.fail(w, http.StatusBadRequest, aggregator.CodeInvalidRequest, "bad refund request")
		return
	}
	s.mu.Lock()
	resp, status, code := s.applyRefund(req)
	s.mu.Unlock()
	if status != http.StatusOK {
		s.fail(w, status, code, "refund declined")
		return
	}
	s.writeSigned(w, http.StatusOK, resp)
}

// applyRefund runs under s.mu.
func (s *Server) applyRefund(req aggregator.RefundRequest) (aggregator.RefundResponse, int, string) {
	o := s.lookup(req.OutTradeNo, s.cfg.Now())
	if o == nil {
		return aggregator.RefundResponse{}, http.StatusNotFound, aggregator.CodeNotFound
	}
	if prev, ok := o.refunds[req.OutRefundNo]; ok {
		if o.refundReqs[req.OutRefundNo] != req {
			return aggregator.RefundResponse{}, http.StatusBadRequest, aggregator.CodeConflict
		}
		return prev, http.StatusOK, ""
	}
	switch {
	case o.state != aggregator.StateSuccess && o.state != aggregator.StateRefund:
		return aggregator.RefundResponse{}, http.StatusBadRequest, aggregator.CodeNotPaid
	case req.AmountFen > o.req.AmountFen-o.refundedFen || len(o.refunds) >= maxRefundsPerOrder:
		return aggregator.RefundResponse{}, http.StatusBadRequest, aggregator.CodeRefundExceeded
	}
	resp := aggregator.RefundResponse{RefundID: "50" + s.randomHex(14), OutRefundNo: req.OutRefundNo,
		OutTradeNo: req.OutTradeNo, AmountFen: req.AmountFen, Status: "SUCCESS"}
	if o.refunds == nil {
		o.refunds = make(map[string]aggregator.RefundResponse)
		o.refundReqs = make(map[string]aggregator.RefundRequest)
	}
	o.refunds[req.OutRefundNo] = resp
	o.refundReqs[req.OutRefundNo] = req
	o.refundedFen += req.AmountFen
	o.state = aggregator.StateRefund
	return resp, http.StatusOK, ""
}

// lookup finds an order and closes it if it expired unpaid. Runs under s.mu.
func (s *Server) lookup(no string, now time.Time) *order {
	o := s.orders[no]
	if o != nil && o.state == aggregator.StateNotPay && now.After(o.req.ExpireAt) {
		o.state = aggregator.StateClosed
	}
	return o
}

// insert adds an order, forgetting the oldest beyond MaxOrders. Runs under s.mu.
func (s *Server) insert(no string, o *order) {
	for len(s.orders) >= s.cfg.MaxOrders && len(s.fifo) > 0 {
		delete(s.orders, s.fifo[0])
		s.fifo = s.fifo[1:]
	}
	s.orders[no] = o
	s.fifo = append(s.fifo, no)
}

func (o *order) view() aggregator.Order {
	v := aggregator.Order{OutTradeNo: o.req.OutTradeNo, State: o.state, AmountFen: o.req.AmountFen,
		RefundedFen: o.refundedFen, TransactionID: o.transactionID}
	if !o.successTime.IsZero() {
		t := o.successTime
		v.SuccessTime = &t
	}
	return v
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
		writePlainJSON(w, http.StatusBadRequest, aggregator.ErrorBody{Code: aggregator.CodeInvalidRequest, Message: err.Error()})
		return
	}
	if err := s.SetFaults(f); err != nil {
		writePlainJSON(w, http.StatusBadRequest, aggregator.ErrorBody{Code: aggregator.CodeInvalidRequest, Message: err.Error()})
		return
	}
	s.log.Info("sandbox faults set", "faults", s.Faults())
	writePlainJSON(w, http.StatusOK, s.Faults())
}

// fail writes a signed error body.
func (s *Server) fail(w http.ResponseWriter, status int, code, msg string) {
	s.writeSigned(w, status, aggregator.ErrorBody{Code: code, Message: msg})
}

func (s *Server) writeSigned(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sandbox: marshal %T: %v", v, err)) // our own types always marshal
	}
	s.writeSignedBytes(w, status, b)
}

// writeSignedBytes signs the answer with the platform key (Wechatpay-* headers).
func (s *Server) writeSignedBytes(w http.ResponseWriter, status int, body []byte) {
	h, err := s.signHeaders(body)
	if err != nil {
		http.Error(w, "sign", http.StatusInternalServerError)
		return
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	if body != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) signHeaders(body []byte) (http.Header, error) {
	nonce, err := aggregator.NewNonce(s.cfg.Random, 32)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(s.cfg.Now().Unix(), 10)
	sig, err := aggregator.Sign(s.cfg.Keys.PlatformKey, aggregator.ResponseMessage(ts, nonce, body))
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set(aggregator.HeaderTimestamp, ts)
	h.Set(aggregator.HeaderNonce, nonce)
	h.Set(aggregator.HeaderSignature, sig)
	h.Set(aggregator.HeaderSerial, s.cfg.Keys.PlatformSerial)
	return h, nil
}

func (s *Server) randomHex(n int) string {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.cfg.Random, b); err != nil {
		panic(fmt.Sprintf("sandbox: random: %v", err)) // crypto/rand does not fail
	}
	return hex.EncodeToString(b)
}

func writePlainJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// nonceSet remembers request nonces for twice the skew window, bounded.
type nonceSet struct {
	seen  map[string]time.Time
	order []string
}

func (n *nonceSet) add(nonce string, now time.Time) bool {
	for len(n.order) > 0 && (len(n.order) >= maxNonces || now.Sub(n.seen[n.order[0]]) > 2*aggregator.MaxSkew) {
		delete(n.seen, n.order[0])
		n.order = n.order[1:]
	}
	if _, dup := n.seen[nonce]; dup {
		return false
	}
	n.seen[nonce] = now
	n.order = append(n.order, nonce)
	return true
}
