package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/onecode/onecode/app/notify"
)

// Config configures a Client.
type Config struct {
	BaseURL    string // https://api.weixin.qq.com, or the sandbox
	AppID      string
	Secret     string
	HTTPClient *http.Client     // default: follows no redirects
	Now        func() time.Time // default time.Now
}

// Client is the WeChat Channel. It is safe for concurrent use.
type Client struct {
	base   *url.URL
	appID  string
	secret string
	http   *http.Client
	now    func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
	fetches int
}

var _ notify.Channel = (*Client)(nil)

const maxAnswer = 64 << 10

// NewClient validates cfg.
func NewClient(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("wechat: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.AppID == "" || cfg.Secret == "" {
		return nil, errors.New("wechat: an app id and a secret are needed")
	}
	c := &Client{base: u, appID: cfg.AppID, secret: cfg.Secret, http: cfg.HTTPClient, now: cfg.Now}
	if c.http == nil {
		c.http = &http.Client{Transport: keepAliveTransport(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Name implements notify.Channel.
func (c *Client) Name() notify.ChannelName { return notify.WeChat }

// TokenFetches is how many access tokens the client fetched.
func (c *Client) TokenFetches() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fetches
}

// Send implements notify.Channel: one template message to d.To (an openid). A
// token the API refuses is fetched again once within the call.
func (c *Client) Send(ctx context.Context, d notify.Delivery) (notify.Receipt, error) {
	// The official account's template data: first, keyword1…N, remark.
	fields := notify.OfficialAccountData(d.Topic, d.Params)
	data := make(map[string]Value, len(fields))
	for k, v := range fields {
		data[k] = Value{Value: v}
	}
	body, err := json.Marshal(SendRequest{ToUser: d.To, TemplateID: d.Template.ID, Data: data})
	if err != nil {
		return notify.Receipt{}, notify.Permanent("encode", err)
	}
	for try := 0; ; try++ {
		token, err := c.accessToken(ctx)
		if err != nil {
			return notify.Receipt{}, err
		}
		var a SendResponse
		if err := c.call(ctx, http.MethodPost, SendPath, url.Values{"access_token": {token}}, body, &a); err != nil {
			return notify.Receipt{}, err
		}
		switch {
		case a.ErrCode == 0:
			return notify.Receipt{ProviderID: strconv.FormatInt(a.MsgID, 10)}, nil
		case tokenErrors[a.ErrCode] && try == 0:
			c.forget(token)
			continue
		case unreachableErrors[a.ErrCode]:
			// The guardian left the official account or the openid is not its
			// own: the router sends by SMS instead.
			return notify.Receipt{}, notify.Permanent(strconv.Itoa(a.ErrCode), notify.ErrUnreachable)
		case permanentErrors[a.ErrCode]:
			return notify.Receipt{}, notify.Permanent(strconv.Itoa(a.ErrCode), nil)
		default:
			return notify.Receipt{}, notify.Transient(strconv.Itoa(a.ErrCode), nil)
		}
	}
}

// accessToken returns the cached token, fetching one when there is none or it
// is about to expire (the lock is held across the fetch: one fetch at a time).
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	var a TokenResponse
	q := url.Values{"grant_type": {"client_credential"}, "appid": {c.appID}, "secret": {c.secret}}
	if err := c.call(ctx, http.MethodGet, TokenPath, q, nil, &a); err != nil {
		return "", err
	}
	if a.ErrCode != 0 || a.AccessToken == "" || a.ExpiresIn <= 0 {
		return "", notify.Transient("token_"+strconv.Itoa(a.ErrCode), nil)
	}
	ttl := time.Duration(a.ExpiresIn) * time.Second
	margin := min(5*time.Minute, ttl/10) // refresh a little before the API would refuse it
	c.token, c.expires, c.fetches = a.AccessToken, c.now().Add(ttl-margin), c.fetches+1
	return c.token, nil
}

// forget drops token if it is still the cached one.
func (c *Client) forget(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == token {
		c.token = ""
	}
}

// call does one request and decodes the JSON answer; the query holds secrets
// (app secret, token), so no error quotes the URL.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, body []byte, out any) error {
	u := c.base.JoinPath(path)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return notify.Permanent("request", errors.New("bad request"))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return notify.Transient("network", errors.New("the WeChat API did not answer"))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode != http.StatusOK {
		return notify.Transient("http_"+strconv.Itoa(resp.StatusCode), nil)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return notify.Transient("bad_answer", nil)
	}
	return nil
}

// maxIdlePerHost keeps as many connections to the provider open as the
// notices' runner sends at once (notify.MaxWorkers): the default transport
// keeps 2, so concurrent sends would open and close a connection each.
const maxIdlePerHost = notify.MaxWorkers

func keepAliveTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxIdlePerHost
	return t
}
