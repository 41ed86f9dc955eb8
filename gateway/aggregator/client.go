package aggregator

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Operation names a call to the aggregator; each has its own circuit breaker.
type Operation string

// Operations.
const (
	OpCreate Operation = "create"
	OpQuery  Operation = "query"
	OpClose  Operation = "close"
	OpRefund Operation = "refund"
)

var operations = []Operation{OpCreate, OpQuery, OpClose, OpRefund}

// BreakerSettings are passed explicitly to every gobreaker.CircuitBreaker.
type BreakerSettings struct {
	// MaxRequests is how many probes a half-open breaker lets through; that many
	// consecutive successes close it.
	MaxRequests uint32
	// Interval clears the closed-state counts cyclically.
	Interval time.Duration
	// Timeout is how long the breaker stays open before half-open.
	Timeout time.Duration
	// ConsecutiveFailures trips the breaker (must be ≥ 1).
	ConsecutiveFailures uint32
	// FailurePercent trips it when at least MinRequests were made in the interval and
	// this percentage of them failed; 0 disables the ratio rule.
	FailurePercent uint32
	MinRequests    uint32
}

// DefaultBreakerSettings are production defaults.
func DefaultBreakerSettings() BreakerSettings {
	return BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: 30 * time.Second,
		ConsecutiveFailures: 5, FailurePercent: 50, MinRequests: 20}
}

func (b BreakerSettings) validate() error {
	if b.MaxRequests == 0 || b.Interval <= 0 || b.Timeout <= 0 || b.ConsecutiveFailures == 0 || b.FailurePercent > 100 {
		return fmt.Errorf("aggregator: breaker settings %+v: MaxRequests, Interval, Timeout and ConsecutiveFailures must be positive, FailurePercent ≤ 100", b)
	}
	return nil
}

func (b BreakerSettings) readyToTrip(c gobreaker.Counts) bool {
	if c.ConsecutiveFailures >= b.ConsecutiveFailures {
		return true
	}
	return b.FailurePercent > 0 && c.Requests >= b.MinRequests &&
		uint64(c.TotalFailures)*100 >= uint64(c.Requests)*uint64(b.FailurePercent)
}

// Config configures a Client.
type Config struct {
	BaseURL string // e.g. https://pay.example.com (no trailing path)
	Keys    Keys
	// CallTimeout is the deadline of every call (a shorter caller deadline wins).
	CallTimeout time.Duration
	Breaker     BreakerSettings
	// HTTPClient defaults to a client that does not follow redirects.
	HTTPClient *http.Client
	Now        func() time.Time // default time.Now
	Random     io.Reader        // nonces; default crypto/rand.Reader
	// OnStateChange, if set, observes breaker transitions (logs, metrics).
	OnStateChange func(op Operation, from, to gobreaker.State)
}

// Client calls the aggregator. It is safe for concurrent use.
type Client struct {
	base     *url.URL
	keys     Keys
	verifier *Verifier
	timeout  time.Duration
	http     *http.Client
	now      func() time.Time
	random   io.Reader
	breakers map[Operation]*gobreaker.CircuitBreaker[reply]
}

// BreakerStates are the present states of the operations' breakers (metrics, ops).
func (c *Client) BreakerStates() map[Operation]gobreaker.State {
	out := make(map[Operation]gobreaker.State, len(c.breakers))
	for op, b := range c.breakers {
		out[op] = b.State()
	}
	return out
}

// reply is a raw aggregator answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// NewClient validates cfg and builds a Client.
func NewClient(cfg Config) (*Client, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("aggregator: base URL %q must be http(s)://host[:port]", cfg.BaseURL)
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	if err := cfg.Keys.Validate(); err != nil {
		return nil, err
	}
	if cfg.CallTimeout <= 0 {
		return nil, errors.New("aggregator: CallTimeout must be positive")
	}
	if err := cfg.Breaker.validate(); err != nil {
		return nil, err
	}
	verifier, err := NewVerifier(cfg.Keys)
	if err != nil {
		return nil, err
	}
	c := &Client{base: base, keys: cfg.Keys, verifier: verifier, timeout: cfg.CallTimeout,
		http: cfg.HTTPClient, now: cfg.Now, random: cfg.Random,
		breakers: make(map[Operation]*gobreaker.CircuitBreaker[reply], len(operations))}
	if c.http == nil {
		c.http = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.random == nil {
		c.random = rand.Reader
	}
	for _, op := range operations {
		c.breakers[op] = gobreaker.NewCircuitBreaker[reply](breakerSettings(op, cfg))
	}
	return c, nil
}

func breakerSettings(op Operation, cfg Config) gobreaker.Settings {
	s := gobreaker.Settings{
		Name:         "aggregator." + string(op),
		MaxRequests:  cfg.Breaker.MaxRequests,
		Interval:     cfg.Breaker.Interval,
		Timeout:      cfg.Breaker.Timeout,
		ReadyToTrip:  cfg.Breaker.readyToTrip,
		IsSuccessful: countsAsSuccess,
		IsExcluded:   callerCanceled,
	}
	if cfg.OnStateChange != nil {
		s.OnStateChange = func(_ string, from, to gobreaker.State) { cfg.OnStateChange(op, from, to) }
	}
	return s
}

// countsAsSuccess: only transport errors, timeouts, 5xx and 429 (all ErrTemporary)
// are breaker failures; business declines are answers, not failures.
func countsAsSuccess(err error) bool { return !errors.Is(err, ErrTemporary) }

// callerCanceled: the caller gave up; says nothing about the aggregator.
func callerCanceled(err error) bool { return errors.Is(err, context.Canceled) }

// BreakerState reports the state of an operation's breaker.
func (c *Client) BreakerState(op Operation) gobreaker.State { return c.breakers[op].State() }

// CreateOrder creates a payment order. On ErrOutcomeUnknown, resolve with QueryOrder
// (or repeat CreateOrder with identical fields, which the aggregator answers with the
// same prepay_id); never create an order under another out_trade_no.
func (c *Client) CreateOrder(ctx context.Context, req CreateOrderRequest) (CreateOrderResponse, error) {
	var out CreateOrderResponse
	if err := CheckTradeNo(req.OutTradeNo); err != nil {
		return out, err
	}
	if req.AmountFen <= 0 || req.NotifyURL == "" || req.ExpireAt.IsZero() {
		return out, fmt.Errorf("%w: amount_fen must be positive, notify_url and expire_at set", ErrInvalidRequest)
	}
	err := c.call(ctx, OpCreate, http.MethodPost, "/v3/orders", req, &out)
	return out, mutationError(err)
}

// QueryOrder returns the order's state at the aggregator.
func (c *Client) QueryOrder(ctx context.Context, outTradeNo string) (Order, error) {
	var out Order
	if err := CheckTradeNo(outTradeNo); err != nil {
		return out, err
	}
	err := c.call(ctx, OpQuery, http.MethodGet, "/v3/orders/"+url.PathEscape(outTradeNo), nil, &out)
	if err == nil && (out.OutTradeNo != outTradeNo || !out.State.Known()) {
		return Order{}, fmt.Errorf("%w: query of %q answered %q in state %q", ErrRejected, outTradeNo, out.OutTradeNo, out.State)
	}
	return out, err
}

// CloseOrder closes an unpaid order (closing a closed one succeeds; a paid one is
// ErrOrderPaid). Close before re-ordering.
func (c *Client) CloseOrder(ctx context.Context, outTradeNo string) error {
	if err := CheckTradeNo(outTradeNo); err != nil {
		return err
	}
	return mutationError(c.call(ctx, OpClose, http.MethodPost, "/v3/orders/"+url.PathEscape(outTradeNo)+"/close", nil, nil))
}

// Refund refunds part or all of a paid order; idempotent by OutRefundNo.
func (c *Client) Refund(ctx context.Context, req RefundRequest) (RefundResponse, error) {
	var out RefundResponse
	if err := CheckTradeNo(req.OutTradeNo); err != nil {
		return out, err
	}
	if err := CheckTradeNo(req.OutRefundNo); err != nil {
		return out, err
	}
	if req.AmountFen <= 0 {
		return out, fmt.Errorf("%w: refund amount_fen must be positive", ErrInvalidRequest)
	}
	err := c.call(ctx, OpRefund, http.MethodPost, "/v3/refunds", req, &out)
	return out, mutationError(err)
}

// mutationError marks temporary failures of state-changing calls as outcome-unknown.
func mutationError(err error) error {
	if errors.Is(err, ErrTemporary) {
		return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}
	return err
}

// CheckTradeNo accepts an out_trade_no or out_refund_no: 6–32 characters of
// [A-Za-z0-9_-|*@]; anything else is ErrInvalidRequest.
func CheckTradeNo(no string) error {
	if len(no) < 6 || len(no) > 32 {
		return fmt.Errorf("%w: order number %q must be 6–32 characters", ErrInvalidRequest, no)
	}
	for _, r := range no {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-|*@", r)) {
			return fmt.Errorf("%w: order number %q has character %q", ErrInvalidRequest, no, r)
		}
	}
	return nil
}

// call runs one signed request through the operation's breaker under the call
// deadline, verifies the answer's signature and decodes it into out.
func (c *Client) call(ctx context.Context, op Operation, method, uri string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("aggregator: encode %s: %w", op, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("aggregator: %s not sent: %w", op, err) // the caller's deadline, not the aggregator's fault
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	rep, err := c.breakers[op].Execute(func() (reply, error) { return c.send(ctx, method, uri, body) })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return fmt.Errorf("%w: %s: %v", ErrUnavailable, op, err)
	}
	if err != nil {
		return err
	}
	if _, err := c.verifier.verifySigned(rep.header, rep.body, c.now()); err != nil {
		return fmt.Errorf("aggregator: %s answer (HTTP %d): %w", op, rep.status, err)
	}
	if rep.status < 200 || rep.status > 299 {
		var eb ErrorBody
		_ = json.Unmarshal(rep.body, &eb) // a missing code still maps by status
		return &APIError{Status: rep.status, Code: eb.Code, Message: eb.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(rep.body, out); err != nil {
		return fmt.Errorf("%w: %s answer is not JSON: %v", ErrRejected, op, err)
	}
	return nil
}

// send signs and sends one request. Transport errors, timeouts, oversized bodies,
// 5xx and 429 come back as ErrTemporary errors (breaker failures).
func (c *Client) send(ctx context.Context, method, uri string, body []byte) (reply, error) {
	nonce, err := NewNonce(c.random, 32)
	if err != nil {
		return reply{}, err
	}
	auth, err := SignRequest(c.keys.MerchantKey, c.keys.MchID, c.keys.MerchantSerial, method, uri, c.now(), nonce, body)
	if err != nil {
		return reply{}, err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+uri, bytes.NewReader(body))
	if err != nil {
		return reply{}, fmt.Errorf("aggregator: %w", err)
	}
	req.Header.Set("Authorization", auth.String())
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%w: %s %s: %w", ErrTemporary, method, uri, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return reply{}, fmt.Errorf("%w: %s %s: read: %w", ErrTemporary, method, uri, err)
	}
	if len(b) > MaxBody {
		return reply{}, fmt.Errorf("%w: %s %s: answer larger than %d bytes", ErrTemporary, method, uri, MaxBody)
	}
	rep := reply{status: resp.StatusCode, header: resp.Header, body: b}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		var eb ErrorBody
		_ = json.Unmarshal(b, &eb)
		return rep, &APIError{Status: resp.StatusCode, Code: eb.Code, Message: eb.Message}
	}
	return rep, nil
}
