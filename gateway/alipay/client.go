package alipay

import (
	"context"
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

// DefaultGatewayURL is Alipay's production gateway.
const DefaultGatewayURL = "https://openapi.alipay.com/gateway.do"

// Operation names a remote call; each has its own circuit breaker.
type Operation string

// Operations (alipay.trade.wap.pay makes no call: it is a URL for the payer).
const (
	OpPrecreate   Operation = "precreate"
	OpQuery       Operation = "query"
	OpClose       Operation = "close"
	OpRefund      Operation = "refund"
	OpRefundQuery Operation = "refund_query"
	// OpStatement is the bill download URL query and the bill's download.
	OpStatement Operation = "statement"
)

var operations = []Operation{OpPrecreate, OpQuery, OpClose, OpRefund, OpRefundQuery, OpStatement}

// Methods of the Alipay open platform used here.
const (
	MethodWapPay      = "alipay.trade.wap.pay"
	MethodPrecreate   = "alipay.trade.precreate"
	MethodQuery       = "alipay.trade.query"
	MethodClose       = "alipay.trade.close"
	MethodRefund      = "alipay.trade.refund"
	MethodRefundQuery = "alipay.trade.fastpay.refund.query"
	MethodBillURL     = "alipay.data.dataservice.bill.downloadurl.query"
)

// BreakerSettings are passed explicitly to every gobreaker.CircuitBreaker.
type BreakerSettings struct {
	MaxRequests         uint32        // probes let through half-open
	Interval            time.Duration // closed-state counts are cleared this often
	Timeout             time.Duration // open this long before half-open
	ConsecutiveFailures uint32        // trips the breaker (≥ 1)
}

// DefaultBreakerSettings are production defaults.
func DefaultBreakerSettings() BreakerSettings {
	return BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: 30 * time.Second, ConsecutiveFailures: 5}
}

// Config configures a Client.
type Config struct {
	// GatewayURL defaults to DefaultGatewayURL (the sandbox: its /gateway.do).
	GatewayURL string
	Keys       Keys
	// AuthAppID is the school merchant's app_id in service-provider mode (required
	// with Keys.AppAuthToken): a notification must carry it as auth_app_id.
	AuthAppID string
	// CallTimeout is every call's deadline (a shorter caller deadline wins).
	CallTimeout time.Duration
	Breaker     BreakerSettings
	// MaxNotifyAge rejects notifications whose notify_time is older (default 48 h:
	// Alipay retries a notification for about 25 hours).
	MaxNotifyAge time.Duration
	HTTPClient   *http.Client     // default: a client that does not follow redirects
	Now          func() time.Time // default time.Now
	// OnStateChange, if set, observes breaker transitions (logs, metrics).
	OnStateChange func(op Operation, from, to gobreaker.State)
}

// Client is one Alipay merchant app (or one school's, through app_auth_token). It
// implements recharge.Provider and is safe for concurrent use.
type Client struct {
	gateway  string
	keys     Keys
	authApp  string
	timeout  time.Duration
	maxAge   time.Duration
	http     *http.Client
	now      func() time.Time
	breakers map[Operation]*gobreaker.CircuitBreaker[json.RawMessage]
}

// Errors of the transport, before the port's marks.
var (
	// ErrTemporary: a transport error, a timeout, a 5xx or 429, code 20000 or
	// ACQ.SYSTEM_ERROR: a breaker failure, outcome not known.
	ErrTemporary = errors.New("alipay: temporary failure")
	// ErrUnavailable: the breaker is open; nothing was sent.
	ErrUnavailable = errors.New("alipay: unavailable, nothing sent")
)

// APIError is an Alipay answer with code other than 10000.
type APIError struct {
	Method  string
	Code    string // 20000, 20001, 40001, 40002, 40004…
	SubCode string // ACQ.TRADE_NOT_EXIST, isv.invalid-signature…
	Msg     string
	SubMsg  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("alipay: %s answered %s %s (%s: %s)", e.Method, e.Code, e.SubCode, e.Msg, e.SubMsg)
}

// New validates cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	if cfg.GatewayURL == "" {
		cfg.GatewayURL = DefaultGatewayURL
	}
	u, err := url.Parse(cfg.GatewayURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("alipay: gateway URL %q must be http(s)://host/path", cfg.GatewayURL)
	}
	if err := cfg.Keys.Validate(); err != nil {
		return nil, err
	}
	if cfg.Keys.AppAuthToken != "" && cfg.AuthAppID == "" {
		return nil, errors.New("alipay: service-provider mode (app_auth_token) needs AuthAppID, the school merchant's app_id")
	}
	b := cfg.Breaker
	if cfg.CallTimeout <= 0 || b.MaxRequests == 0 || b.Interval <= 0 || b.Timeout <= 0 || b.ConsecutiveFailures == 0 {
		return nil, errors.New("alipay: CallTimeout and the breaker settings must be positive")
	}
	c := &Client{gateway: cfg.GatewayURL, keys: cfg.Keys, authApp: cfg.AuthAppID, timeout: cfg.CallTimeout,
		maxAge: cfg.MaxNotifyAge, http: cfg.HTTPClient, now: cfg.Now,
		breakers: make(map[Operation]*gobreaker.CircuitBreaker[json.RawMessage], len(operations))}
	if c.maxAge <= 0 {
		c.maxAge = 48 * time.Hour
	}
	if c.http == nil {
		c.http = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if c.now == nil {
		c.now = time.Now
	}
	for _, op := range operations {
		s := gobreaker.Settings{Name: "alipay." + string(op), MaxRequests: b.MaxRequests, Interval: b.Interval,
			Timeout:      b.Timeout,
			ReadyToTrip:  func(n gobreaker.Counts) bool { return n.ConsecutiveFailures >= b.ConsecutiveFailures },
			IsSuccessful: func(err error) bool { return !errors.Is(err, ErrTemporary) },
			IsExcluded:   func(err error) bool { return errors.Is(err, context.Canceled) }}
		if cfg.OnStateChange != nil {
			s.OnStateChange = func(_ string, from, to gobreaker.State) { cfg.OnStateChange(op, from, to) }
		}
		c.breakers[op] = gobreaker.NewCircuitBreaker[json.RawMessage](s)
	}
	return c, nil
}

// BreakerState reports the state of an operation's breaker.
func (c *Client) BreakerState(op Operation) gobreaker.State { return c.breakers[op].State() }

// Params are the signed parameters of a request to method: the common ones, the
// certificate SNs in certificate mode, app_auth_token in service-provider mode,
// notify_url if set, biz_content, and sign.
func (c *Client) Params(method string, biz any, notifyURL string) (url.Values, error) {
	content, err := json.Marshal(biz)
	if err != nil {
		return nil, fmt.Errorf("alipay: encode %s biz_content: %w", method, err)
	}
	v := url.Values{
		"app_id": {c.keys.AppID}, "method": {method}, "format": {"JSON"}, "charset": {"utf-8"},
		"sign_type": {"RSA2"}, "timestamp": {c.now().In(Shanghai).Format(TimeLayout)}, "version": {"1.0"},
		"biz_content": {string(content)},
	}
	for k, s := range map[string]string{"notify_url": notifyURL, "app_auth_token": c.keys.AppAuthToken,
		"app_cert_sn": c.keys.AppCertSN, "alipay_root_cert_sn": c.keys.RootCertSN} {
		if s != "" {
			v.Set(k, s)
		}
	}
	sign, err := Sign(c.keys.AppKey, []byte(SigningString(v, "sign")))
	if err != nil {
		return nil, err
	}
	v.Set("sign", sign)
	return v, nil
}

// call sends one signed request through the operation's breaker under the call
// deadline and returns the verified *_response object of a code 10000 answer; any
// other code is an *APIError.
func (c *Client) call(ctx context.Context, op Operation, method string, biz any) (json.RawMessage, error) {
	params, err := c.Params(method, biz, "")
	if err != nil {
		return nil, err
	}
	return c.callParams(ctx, op, method, params)
}

var (
	gobreakerOpen    = gobreaker.ErrOpenState
	gobreakerTooMany = gobreaker.ErrTooManyRequests
)

// maxAnswer bounds an answer's body.
const maxAnswer = 1 << 20

func (c *Client) send(ctx context.Context, method string, params url.Values) (json.RawMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.gateway, strings.NewReader(params.Encode()))
	if err != nil {
		return nil, fmt.Errorf("alipay: %s request: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrTemporary, method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %s: read answer: %w", ErrTemporary, method, err)
	case len(body) > maxAnswer:
		return nil, fmt.Errorf("%w: %s: answer larger than %d bytes", ErrTemporary, method, maxAnswer)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: %s: HTTP %d", ErrTemporary, method, resp.StatusCode)
	}
	return c.open(method, body)
}

// common are the fields of every answer.
type common struct {
	Code    string `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code"`
	SubMsg  string `json:"sub_msg"`
}

// open verifies and reads an answer. A signature, when present, must verify. It
// may be absent only from gateway-level errors (codes other than 10000 and 40004:
// Alipay does not sign isv.* and aop.* answers); a success or a business answer
// without one is not trusted (outcome not known).
func (c *Client) open(method string, body []byte) (json.RawMessage, error) {
	env, err := SplitResponse(body, method)
	if err != nil {
		return nil, err
	}
	var cm common
	if err := json.Unmarshal(env.Raw, &cm); err != nil {
		return nil, fmt.Errorf("alipay: %s answer: %w", method, err)
	}
	if env.Sign != "" {
		pub, err := c.keys.verifier(env.CertSN)
		if err != nil {
			return nil, fmt.Errorf("alipay: %s answer: %w", method, err)
		}
		if err := Verify(pub, env.Raw, env.Sign); err != nil {
			return nil, fmt.Errorf("alipay: %s answer: %w", method, err)
		}
	} else if cm.Code == "10000" || cm.Code == "40004" || cm.Code == "" {
		return nil, fmt.Errorf("alipay: %s answer (code %q) is not signed: %w", method, cm.Code, ErrSignature)
	}
	switch {
	case cm.Code == "10000":
		return env.Raw, nil
	case cm.Code == "20000" || cm.SubCode == "ACQ.SYSTEM_ERROR" || strings.HasPrefix(cm.SubCode, "isp."):
		return nil, fmt.Errorf("%w: %w", ErrTemporary, &APIError{Method: method, Code: cm.Code, SubCode: cm.SubCode, Msg: cm.Msg, SubMsg: cm.SubMsg})
	}
	return nil, &APIError{Method: method, Code: cm.Code, SubCode: cm.SubCode, Msg: cm.Msg, SubMsg: cm.SubMsg}
}
