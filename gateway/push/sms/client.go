package sms

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/onecode/onecode/app/notify"
)

// Config configures a Client.
type Config struct {
	BaseURL     string // the gateway, e.g. https://sms.example.com
	Credentials Credentials
	SignName    string // the approved signature (签名) shown before the text, e.g. 一码通
	// HTTPClient defaults to one that follows no redirects; the per-call timeout
	// comes from the caller's context (notify.Guard).
	HTTPClient *http.Client
	Now        func() time.Time // default time.Now
}

// Client is the SMS Channel. It is safe for concurrent use.
type Client struct {
	send  string
	creds Credentials
	sign  string
	http  *http.Client
	now   func() time.Time
}

var _ notify.Channel = (*Client)(nil)

// maxAnswer bounds what is read of an answer.
const maxAnswer = 64 << 10

// NewClient validates cfg.
func NewClient(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sms: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if err := cfg.Credentials.validate(); err != nil {
		return nil, err
	}
	if cfg.SignName == "" {
		return nil, errors.New("sms: a sign name is needed")
	}
	c := &Client{send: u.JoinPath(SendPath).String(), creds: cfg.Credentials, sign: cfg.SignName, http: cfg.HTTPClient, now: cfg.Now}
	if c.http == nil {
		c.http = &http.Client{Transport: keepAliveTransport(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// OutID is the provider's client message id of the notice id to a phone: the
// same on every attempt, so that a gateway that de-duplicates on it (as the
// push sandbox and the common Chinese gateways do) sends a notice re-sent after
// a crash (accepted, not yet marked sent) once. One notice to two guardians
// has two out ids. The suffix is a hash of the id and the phone, not the phone.
func OutID(messageID int64, phone string) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(messageID, 10) + ":" + phone))
	return strconv.FormatInt(messageID, 10) + "-" + hex.EncodeToString(sum[:6])
}

// MessageIDOf is the notice id of an out id (OutID, or a bare id).
func MessageIDOf(outID string) (int64, bool) {
	if i := strings.IndexByte(outID, '-'); i >= 0 {
		outID = outID[:i]
	}
	id, err := strconv.ParseInt(outID, 10, 64)
	return id, err == nil && id > 0
}

// Name implements notify.Channel.
func (c *Client) Name() notify.ChannelName { return notify.SMS }

// Send implements notify.Channel. Errors carry codes only, never the phone or
// the parameters.
func (c *Client) Send(ctx context.Context, d notify.Delivery) (notify.Receipt, error) {
	body, err := json.Marshal(SendRequest{Phone: d.To, SignName: c.sign, TemplateID: d.Template.ID,
		TemplateParams: d.Params, OutID: OutID(d.MessageID, d.To)})
	if err != nil {
		return notify.Receipt{}, notify.Permanent("encode", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.send, bytes.NewReader(body))
	if err != nil {
		return notify.Receipt{}, notify.Permanent("request", err)
	}
	req.Header.Set("Content-Type", "application/json")
	var nonce [12]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return notify.Receipt{}, notify.Transient("nonce", err)
	}
	c.creds.Sign(req, body, c.now(), hex.EncodeToString(nonce[:]))
	resp, err := c.http.Do(req)
	if err != nil {
		return notify.Receipt{}, notify.Transient("network", errors.New("the SMS gateway did not answer"))
	}
	defer resp.Body.Close()
	var a SendResponse
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	jerr := json.Unmarshal(raw, &a)
	switch {
	case resp.StatusCode == http.StatusOK && jerr == nil && a.Code == CodeOK && a.MessageID != "":
		return notify.Receipt{ProviderID: a.MessageID}, nil
	case jerr == nil && permanentCodes[a.Code]:
		return notify.Receipt{}, notify.Permanent(a.Code, nil)
	case jerr == nil && a.Code != "":
		return notify.Receipt{}, notify.Transient(a.Code, fmt.Errorf("HTTP %d", resp.StatusCode))
	default:
		return notify.Receipt{}, notify.Transient("http_"+strconv.Itoa(resp.StatusCode), nil)
	}
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
