package aggregator

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
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
	// OpRefundQuery is GET /v3/refund/domestic/refunds/{out_refund_no}.
	OpRefundQuery Operation = "refund_query"
	// OpCertificates is GET /v3/certificates.
	OpCertificates Operation = "certificates"
	// OpStatement is GET /v3/bill/tradebill and the bill's download.
	OpStatement Operation = "statement"
)

var operations = []Operation{OpCreate, OpQuery, OpClose, OpRefund, OpRefundQuery, OpCertificates, OpStatement}

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
		return fmt.Errorf("wechatpay: breaker settings %+v: MaxRequests, Interval, Timeout and ConsecutiveFailures must be positive, FailurePercent ≤ 100", b)
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
	// HTTPClient defaults to a client that does not follow redirects and keeps
	// MaxIdlePerHost connections to the aggregator open.
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
	platform *platform
	verifier *Verifier
	timeout  time.Duration
	http     *http.Client
	now      func() time.Time
	random   io.Reader
	breakers map[Operation]*gobreaker.CircuitBreaker[reply]
}

// MaxIdlePerHost is how many idle connections to the aggregator the default
// client keeps: as many as parents paying at once in an evening rush place
// orders. http.DefaultTransport keeps 2, so concurrent calls beyond the second
// each opened (and closed) a TCP connection: a connect, an accept on the other
// side and a TIME_WAIT per call.
const MaxIdlePerHost = 64

func keepAliveTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = MaxIdlePerHost
	t.MaxIdleConns = max(t.MaxIdleConns, MaxIdlePerHost)
	return t
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
		return nil, fmt.Errorf("wechatpay: base URL %q must be http(s)://host[:port]", cfg.BaseURL)
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	if err := cfg.Keys.Validate(); err != nil {
		return nil, err
	}
	if cfg.CallTimeout <= 0 {
		return nil, errors.New("wechatpay: CallTimeout must be positive")
	}
	if err := cfg.Breaker.validate(); err != nil {
		return nil, err
	}
	plat := newPlatform(cfg.Keys)
	c := &Client{base: base, keys: cfg.Keys, platform: plat, verifier: &Verifier{platform: plat, apiV3Key: cfg.Keys.APIv3Key}, timeout: cfg.CallTimeout,
		http: cfg.HTTPClient, now: cfg.Now, random: cfg.Random,
		breakers: make(map[Operation]*gobreaker.CircuitBreaker[reply], len(operations))}
	if c.http == nil {
		c.http = &http.Client{Transport: keepAliveTransport(),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
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
	plat.download, plat.timeout = c.downloadCertificates, cfg.CallTimeout
	return c, nil
}

// Verifier verifies notifications with the client's platform keys (certificates
// downloaded by the client, and the public key of public-key mode).
func (c *Client) Verifier() *Verifier { return c.verifier }

// RefreshCertificates downloads the platform certificates now (it also happens on its
// own: every RefreshEvery, and when an answer names an unknown serial).
func (c *Client) RefreshCertificates(ctx context.Context) error {
	certs, err := c.downloadCertificates(ctx)
	if err != nil {
		return err
	}
	c.platform.add(certs, c.now())
	return nil
}

// PlatformSerials are the platform certificate serials known now.
func (c *Client) PlatformSerials() []string { return c.platform.serials() }

// downloadCertificates fetches GET /v3/certificates, decrypts every certificate and
// verifies the answer with one of them (or a key already known): the GCM seal under
// the APIv3 key, shared only with WeChat Pay, is what makes them trusted.
func (c *Client) downloadCertificates(ctx context.Context) ([]*x509.Certificate, error) {
	rep, err := c.exchange(ctx, OpCertificates, http.MethodGet, "/v3/certificates", nil)
	if err != nil {
		return nil, err
	}
	certs, err := OpenCertificates(c.keys.APIv3Key, rep.body)
	if err != nil {
		return nil, err
	}
	v := &Verifier{platform: newPlatform(Keys{APIv3Key: c.keys.APIv3Key, PublicKeyID: c.keys.PublicKeyID,
		PublicKey: c.keys.PublicKey, Certificates: append(certs, c.keys.Certificates...)})}
	if _, err := v.verifySigned(rep.header, rep.body, c.now()); err != nil {
		return nil, fmt.Errorf("wechatpay: certificates answer: %w", err)
	}
	return certs, nil
}

func breakerSettings(op Operation, cfg Config) gobreaker.Settings {
	s := gobreaker.Settings{
		Name:         "wechatpay." + string(op),
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

// call runs one signed request through the operation's breaker under the call
// deadline, verifies a 2xx answer's signature and decodes it into out. Error answers
// are not signed (WeChat Pay signs 2xx answers only): they come back as *APIError.
func (c *Client) call(ctx context.Context, op Operation, method, uri string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("wechatpay: encode %s: %w", op, err)
		}
	}
	rep, err := c.exchange(ctx, op, method, uri, body)
	if err != nil {
		return err
	}
	if _, err := c.verifier.verifySigned(rep.header, rep.body, c.now()); err != nil {
		return fmt.Errorf("wechatpay: %s answer (HTTP %d): %w", op, rep.status, err)
	}
	if out == nil || rep.status == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(rep.body, out); err != nil {
		return fmt.Errorf("%w: %s answer is not JSON: %v", ErrRejected, op, err)
	}
	return nil
}

// exchange sends one request through op's breaker under the call deadline; a 2xx
// answer comes back unverified, anything else as an error.
func (c *Client) exchange(ctx context.Context, op Operation, method, uri string, body []byte) (reply, error) {
	if err := ctx.Err(); err != nil {
		return reply{}, fmt.Errorf("wechatpay: %s not sent: %w", op, err) // the caller's deadline, not WeChat Pay's fault
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	rep, err := c.breakers[op].Execute(func() (reply, error) { return c.send(ctx, method, uri, body) })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return reply{}, fmt.Errorf("%w: %s: %v", ErrUnavailable, op, err)
	}
	if err != nil {
		return reply{}, err
	}
	if rep.status < 200 || rep.status > 299 {
		return reply{}, apiError(rep.status, rep.body)
	}
	return rep, nil
}

func apiError(status int, body []byte) *APIError {
	var eb ErrorBody
	_ = json.Unmarshal(body, &eb) // a missing code still maps by status
	if len(eb.Message) > 256 {
		eb.Message = eb.Message[:256]
	}
	return &APIError{Status: status, Code: eb.Code, Message: eb.Message}
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
		return reply{}, fmt.Errorf("wechatpay: %w", err)
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
	if ae := apiError(resp.StatusCode, b); resp.StatusCode > 299 && ae.Temporary() {
		return rep, ae
	}
	return rep, nil
}
