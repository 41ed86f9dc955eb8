package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/sony/gobreaker/v2"

	appnotify "github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/app/wxlink"
	"github.com/onecode/onecode/gateway/push/wechat"
	"github.com/onecode/onecode/persistence/directory"
)

// WeChatConfig is the school's WeChat official account (push.wechat): template
// messages to guardians who linked WeChat, and the OAuth link itself
// (app/wxlink). Without app_id WeChat is off (with --demo, the push sandbox's
// WeChat API stands in). The secret is read from secret_file at start and never
// logged.
type WeChatConfig struct {
	AppID      string `yaml:"app_id"`
	SecretFile string `yaml:"secret_file"`
	// APIURL is the WeChat API (access tokens, template messages, the OAuth code
	// exchange); default https://api.weixin.qq.com.
	APIURL string `yaml:"api_url"`
	// AuthorizeURL is the origin of WeChat's OAuth page; default https://open.weixin.qq.com.
	AuthorizeURL string `yaml:"authorize_url"`
	// RedirectURL is the parent H5's /h5/wechat-link page as WeChat reaches it
	// (its domain registered as the official account's OAuth domain).
	RedirectURL string `yaml:"redirect_url"`
	// Templates are the template ids registered with the official account per
	// notice kind (low_balance: "…"); a kind without one goes by SMS. The
	// templates' keywords are the kind's placeholders ({{name.DATA}}, {{amount.DATA}}…).
	Templates map[string]string `yaml:"templates"`
}

// Defaults of WeChatConfig.
const (
	defaultWeChatAPI       = "https://api.weixin.qq.com"
	defaultWeChatAuthorize = "https://open.weixin.qq.com"
	// wechatLinkPath is the parent H5 page that completes a link (web/h5).
	wechatLinkPath = "/h5/wechat-link"
)

func (w WeChatConfig) enabled() bool { return w.AppID != "" }

var wechatAppID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// validate reports every problem of push.wechat.
func (w WeChatConfig) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	if !w.enabled() {
		check(w.SecretFile == "" && w.RedirectURL == "" && len(w.Templates) == 0,
			"push.wechat.secret_file, redirect_url and templates need push.wechat.app_id")
		return errors.Join(errs...)
	}
	check(wechatAppID.MatchString(w.AppID), "push.wechat.app_id must be 1..32 letters, digits, _ or -")
	check(w.SecretFile != "", "push.wechat.app_id needs push.wechat.secret_file")
	for key, u := range map[string]string{"api_url": w.APIURL, "authorize_url": w.AuthorizeURL, "redirect_url": w.RedirectURL} {
		p, err := url.Parse(u)
		check(err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != "" && p.User == nil,
			"push.wechat.%s %q is not an http(s) URL", key, u)
		if key == "redirect_url" && err == nil {
			check(p.Path == wechatLinkPath && p.RawQuery == "" && p.Fragment == "",
				"push.wechat.redirect_url must be the H5's %s page (no query)", wechatLinkPath)
		}
	}
	kinds := wechatKinds()
	for kind, id := range w.Templates {
		check(slices.Contains(kinds, appnotify.Kind(kind)), "push.wechat.templates: %q is not a guardian's notice kind (login codes go by SMS only)", kind)
		check(id != "" && len(id) <= 64 && !strings.ContainsAny(id, " \t\r\n"), "push.wechat.templates.%s: a template id of 1..64 bytes, no spaces", kind)
	}
	return errors.Join(errs...)
}

// wechatKinds are the notice kinds that may go by WeChat template message: a
// guardian's kinds but the login code.
func wechatKinds() []appnotify.Kind {
	return slices.DeleteFunc(slices.Clone(appnotify.GuardianKinds), func(k appnotify.Kind) bool { return k == appnotify.KindLoginCode })
}

// demoWeChatTemplates are the demo's template ids: WX_<KIND> for each kind.
func demoWeChatTemplates() map[string]string {
	out := map[string]string{}
	for _, k := range wechatKinds() {
		out[string(k)] = "WX_" + strings.ToUpper(string(k))
	}
	return out
}

// wechatSetup is the WeChat official account of this switch: its guarded
// template-message channel and what app/wxlink needs to link parents.
type wechatSetup struct {
	client    *wechat.Client
	guarded   *appnotify.Guarded
	appID     string
	authorize string // OAuth page origin
	redirect  string // the H5's link page
	templates map[string]appnotify.Template
	// linked clears a relinked openid's unreachable mark (nil without the
	// outbox store's marks).
	linked func(ctx context.Context, openID string) error
}

// setupWeChat builds p.wechat from push.wechat, or in the demo (without it)
// over the push sandbox's WeChat API; nothing when neither.
func (p *pushSetup) setupWeChat(cfg Config, demo bool, logger *slog.Logger) error {
	wc := cfg.Push.WeChat
	var secret string
	switch {
	case wc.enabled():
		b, err := os.ReadFile(wc.SecretFile)
		if err != nil {
			return fmt.Errorf("push.wechat.secret_file: %w", err) // the path, never the content
		}
		if secret = strings.TrimSpace(string(b)); secret == "" {
			return errors.New("push.wechat.secret_file is empty")
		}
	case demo && p.sb != nil:
		wc = WeChatConfig{AppID: demoWeChatAppID, APIURL: p.sandboxAt, AuthorizeURL: p.sandboxAt,
			RedirectURL: publicBase(cfg) + wechatLinkPath, Templates: demoWeChatTemplates()}
		secret = demoWeChatSecret
	default:
		return nil
	}
	client, err := wechat.NewClient(wechat.Config{BaseURL: wc.APIURL, AppID: wc.AppID, Secret: secret})
	if err != nil {
		return err
	}
	limits := appnotify.DefaultLimits()
	limits.CallTimeout, limits.Rate = cfg.Push.CallTimeout, cfg.Push.Rate
	guarded, err := appnotify.Guard(client, limits, p.stats, func(ch appnotify.ChannelName, from, to gobreaker.State) {
		logger.Warn("push breaker", slog.String("channel", string(ch)), slog.String("from", from.String()), slog.String("to", to.String()))
	})
	if err != nil {
		return err
	}
	ids := map[appnotify.Kind]string{}
	for k, id := range wc.Templates {
		ids[appnotify.Kind(k)] = id
	}
	p.wechat = &wechatSetup{client: client, guarded: guarded, appID: wc.AppID, authorize: wc.AuthorizeURL,
		redirect: wc.RedirectURL, templates: appnotify.KindTemplates(ids)}
	logger.Info("push: WeChat template messages", slog.String("app_id", wc.AppID), slog.Int("templates", len(ids)))
	return nil
}

// The demo's official account in the push sandbox.
const (
	demoWeChatAppID  = "demo"
	demoWeChatSecret = "demo-secret"
)

// publicBase is this switch's base URL as browsers and providers reach it.
func publicBase(cfg Config) string {
	if cfg.Aggregator.PublicURL != "" {
		return strings.TrimRight(cfg.Aggregator.PublicURL, "/")
	}
	return "http://" + cfg.Server.HTTPAddr
}

// wechatLinks is the WeChat link use case over the directory (nil, so the
// routes answer WECHAT_DISABLED, without an official account). Its states are
// signed with a key derived from the phone seal key, which every member shares.
func wechatLinks(p *pushSetup, dir directory.Store, sealKey []byte) (*wxlink.Service, error) {
	links, ok := dir.(directory.WeChatLinks)
	if p == nil || p.wechat == nil || !ok {
		return nil, nil
	}
	m := hmac.New(sha256.New, sealKey)
	m.Write([]byte("onecode wxlink state key v1"))
	return wxlink.New(wxlink.Config{Links: links, Exchanger: p.wechat.client, AppID: p.wechat.appID,
		AuthorizeBase: p.wechat.authorize, RedirectURL: p.wechat.redirect, Key: m.Sum(nil), Linked: p.wechat.linked})
}
