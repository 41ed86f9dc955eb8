package wxlink

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// Exchanger trades an OAuth code for the user's openid at the WeChat API
// (gateway/push/wechat.Client). A code WeChat refuses (used, expired, forged)
// is an error wrapping ErrCodeRefused; any other error is temporary.
type Exchanger interface {
	ExchangeCode(ctx context.Context, code string) (openID string, err error)
}

// ErrCodeRefused is wrapped by an Exchanger's error for a code WeChat refused.
var ErrCodeRefused = errors.New("wxlink: WeChat refused the authorization code")

// Errors of the use case.
var (
	ErrDisabled     = reason.New(reason.KindFailedPrecondition, reason.WeChatDisabled, "no WeChat official account is configured")
	ErrNotLinked    = reason.New(reason.KindFailedPrecondition, reason.WeChatNotLinked, "no WeChat account is linked")
	ErrStateInvalid = reason.New(reason.KindFailedPrecondition, reason.WeChatStateInvalid, "the link state is invalid, expired or used: start again")
	ErrCodeInvalid  = reason.New(reason.KindFailedPrecondition, reason.WeChatCodeInvalid, "WeChat refused the authorization code: start again")
	errUnavailable  = reason.New(reason.KindUnavailable, reason.Unavailable, "the WeChat API did not answer: try again")
)

// Link is a parent's WeChat link.
type Link = directory.WeChatLink

// Config configures a Service.
type Config struct {
	Links     directory.WeChatLinks
	Exchanger Exchanger
	AppID     string // the official account's app id
	// AuthorizeBase is the OAuth page's origin: https://open.weixin.qq.com, or the
	// push sandbox.
	AuthorizeBase string
	// RedirectURL is where WeChat sends the browser back with code and state (the
	// parent's H5 page, which calls Link).
	RedirectURL string
	Key         []byte        // signs states (≥ 32 bytes)
	TTL         time.Duration // a state's lifetime; default 10 minutes
	// Linked, when set, runs after a link is stored with its openid: the
	// notices' router forgets that WeChat said the address cannot be reached
	// (notify.ClearUnreachable). Its failure answers "try again".
	Linked func(ctx context.Context, openID string) error
	Now    func() time.Time
	Rand   io.Reader
}

// Service is the use case; safe for concurrent use.
type Service struct{ cfg Config }

// New validates cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Links == nil || cfg.Exchanger == nil || cfg.AppID == "" || len(cfg.Key) < 32 {
		return nil, errors.New("wxlink: links store, exchanger, app id and a key of ≥ 32 bytes are needed")
	}
	for _, u := range []string{cfg.AuthorizeBase, cfg.RedirectURL} {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("wxlink: %q is not an http(s) URL", u)
		}
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Service{cfg: cfg}, nil
}

const (
	nonceLen = 12
	macLen   = 16
	stateLen = 4 + nonceLen + macLen
)

// AuthorizeURL starts a link for parentID: the official account's OAuth URL
// (scope snsapi_base) with a fresh state, and when that state expires. An
// earlier unfinished link of the parent no longer completes.
func (s *Service) AuthorizeURL(ctx context.Context, parentID string) (string, time.Time, error) {
	if s == nil {
		return "", time.Time{}, ErrDisabled
	}
	raw := make([]byte, stateLen)
	exp := s.cfg.Now().Add(s.cfg.TTL).Truncate(time.Second)
	binary.BigEndian.PutUint32(raw, uint32(exp.Unix()))
	if _, err := io.ReadFull(s.cfg.Rand, raw[4:4+nonceLen]); err != nil {
		return "", time.Time{}, fmt.Errorf("wxlink: nonce: %w", err)
	}
	copy(raw[4+nonceLen:], s.mac(parentID, raw[:4+nonceLen]))
	if err := s.cfg.Links.BeginWeChatLink(ctx, parentID, hex.EncodeToString(raw[4:4+nonceLen])); err != nil {
		return "", time.Time{}, err
	}
	q := url.Values{"appid": {s.cfg.AppID}, "redirect_uri": {s.cfg.RedirectURL}, "response_type": {"code"},
		"scope": {"snsapi_base"}, "state": {base64.RawURLEncoding.EncodeToString(raw)}}
	u, _ := url.Parse(s.cfg.AuthorizeBase)
	u = u.JoinPath(AuthorizePath)
	// WeChat wants its parameters in this order and the #wechat_redirect fragment.
	u.RawQuery = "appid=" + url.QueryEscape(q.Get("appid")) + "&redirect_uri=" + url.QueryEscape(q.Get("redirect_uri")) +
		"&response_type=code&scope=snsapi_base&state=" + q.Get("state")
	u.Fragment = "wechat_redirect"
	return u.String(), exp, nil
}

// AuthorizePath is the path of WeChat's OAuth page on AuthorizeBase.
const AuthorizePath = "/connect/oauth2/authorize"

func (s *Service) mac(parentID string, payload []byte) []byte {
	m := hmac.New(sha256.New, s.cfg.Key)
	m.Write([]byte("onecode-wxlink-state\x00" + parentID + "\x00"))
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// Link finishes parentID's link with WeChat's code and the state it came back
// with: the state must be signed for this parent, unexpired and their pending
// one (ErrStateInvalid otherwise, nothing changed). It is used before the code
// is exchanged, so it never serves twice.
func (s *Service) Link(ctx context.Context, parentID, code, state string) (Link, error) {
	if s == nil {
		return Link{}, ErrDisabled
	}
	if code == "" || len(code) > 128 {
		return Link{}, ErrCodeInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(state)
	if err != nil || len(raw) != stateLen || !hmac.Equal(raw[4+nonceLen:], s.mac(parentID, raw[:4+nonceLen])) {
		return Link{}, ErrStateInvalid
	}
	if exp := time.Unix(int64(binary.BigEndian.Uint32(raw)), 0); !s.cfg.Now().Before(exp) {
		return Link{}, ErrStateInvalid
	}
	err = s.cfg.Links.ConsumeWeChatState(ctx, parentID, hex.EncodeToString(raw[4:4+nonceLen]))
	if errors.Is(err, directory.ErrNotFound) {
		return Link{}, ErrStateInvalid
	} else if err != nil {
		return Link{}, err
	}
	openID, err := s.cfg.Exchanger.ExchangeCode(ctx, code)
	switch {
	case errors.Is(err, ErrCodeRefused):
		return Link{}, ErrCodeInvalid
	case err != nil:
		return Link{}, errUnavailable
	}
	if directory.ValidateOpenID(openID) != nil {
		return Link{}, errUnavailable
	}
	l, err := s.cfg.Links.LinkWeChat(ctx, parentID, openID)
	if err != nil || s.cfg.Linked == nil {
		return l, err
	}
	if err := s.cfg.Linked(ctx, openID); err != nil {
		return Link{}, errUnavailable
	}
	return l, nil
}

// Unlink drops parentID's link (ErrNotLinked when none).
func (s *Service) Unlink(ctx context.Context, parentID string) error {
	if s == nil {
		return ErrDisabled
	}
	err := s.cfg.Links.UnlinkWeChat(ctx, parentID)
	if errors.Is(err, directory.ErrNotFound) {
		return ErrNotLinked
	}
	return err
}

// Status is parentID's link (ErrNotLinked when none).
func (s *Service) Status(ctx context.Context, parentID string) (Link, error) {
	if s == nil {
		return Link{}, ErrDisabled
	}
	l, err := s.cfg.Links.WeChatLinkOf(ctx, parentID)
	if errors.Is(err, directory.ErrNotFound) {
		return Link{}, ErrNotLinked
	}
	return l, err
}
