package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appnotify "github.com/onecode/onecode/app/notify"
	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
)

// TestWeChatConfigValidated: push.wechat is off without an app id (and then
// takes no other key); on, it needs a secret file, http(s) URLs, the H5's link
// page as redirect and template ids of guardians' kinds only (never the login
// code). The secret is read at start and is in no error and no log line.
func TestWeChatConfigValidated(t *testing.T) {
	on := func() Config {
		c := DefaultConfig()
		c.Push.WeChat.AppID, c.Push.WeChat.SecretFile = "wx1234567890abcdef", "/run/secrets/wechat"
		c.Push.WeChat.RedirectURL = "https://pay.school.example.cn/h5/wechat-link"
		c.Push.WeChat.Templates = map[string]string{"arrears": "TmArrears", "low_balance": "TmLow"}
		return c
	}
	if err := on().Validate(); err != nil {
		t.Fatalf("complete push.wechat refused: %v", err)
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("WeChat off refused: %v", err)
	}
	for _, tc := range []struct {
		what string
		edit func(*WeChatConfig)
		want string
	}{
		{"no secret file", func(w *WeChatConfig) { w.SecretFile = "" }, "push.wechat.secret_file"},
		{"bad app id", func(w *WeChatConfig) { w.AppID = "wx 1" }, "push.wechat.app_id"},
		{"api url not http", func(w *WeChatConfig) { w.APIURL = "ftp://api.weixin.qq.com" }, "push.wechat.api_url"},
		{"authorize url empty", func(w *WeChatConfig) { w.AuthorizeURL = "" }, "push.wechat.authorize_url"},
		{"no redirect", func(w *WeChatConfig) { w.RedirectURL = "" }, "push.wechat.redirect_url"},
		{"redirect elsewhere", func(w *WeChatConfig) { w.RedirectURL = "https://pay.school.example.cn/h5/" }, "/h5/wechat-link"},
		{"login code template", func(w *WeChatConfig) { w.Templates["login_code"] = "TmCode" }, "login codes go by SMS only"},
		{"unknown kind", func(w *WeChatConfig) { w.Templates["weather"] = "TmX" }, `"weather"`},
		{"empty template id", func(w *WeChatConfig) { w.Templates["arrears"] = "" }, "push.wechat.templates.arrears"},
		{"keys without app id", func(w *WeChatConfig) { w.AppID = "" }, "need push.wechat.app_id"},
	} {
		c := on()
		tc.edit(&c.Push.WeChat)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %s", tc.what, err, tc.want)
		}
	}

	// At start: a missing or empty secret file is an error; a good one serves,
	// and the secret appears in no error and no log line.
	const secret = "wechat-app-secret-do-not-log"
	sb, api := wechatSandbox(t, "wx1234567890abcdef", secret)
	_ = sb
	c := on()
	c.Server.DataDir = t.TempDir()
	c.Push.WeChat.APIURL = api
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c.Push.WeChat.SecretFile = filepath.Join(t.TempDir(), "missing")
	if _, err := setupPush(c, false, nil, nil, nil, logger); err == nil || !strings.Contains(err.Error(), "push.wechat.secret_file") {
		t.Errorf("missing secret file: %v", err)
	}
	c.Push.WeChat.SecretFile = filepath.Join(t.TempDir(), "secret")
	mustWrite(t, c.Push.WeChat.SecretFile, "  \n")
	if _, err := setupPush(c, false, nil, nil, nil, logger); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty secret file: %v", err)
	}
	mustWrite(t, c.Push.WeChat.SecretFile, secret+"\n")
	p, err := setupPush(c, false, nil, nil, nil, logger)
	if err != nil || p.wechat == nil {
		t.Fatalf("setupPush with push.wechat: %v (wechat %v)", err, p)
	}
	defer p.Close()
	d := appnotify.Delivery{MessageID: 1, Topic: "arrears", To: "unsub-1", Template: appnotify.Template{ID: "TmArrears"}}
	if _, err := p.wechat.guarded.Send(context.Background(), d); appnotify.FailureCode(err) != "wechat:43004" || strings.Contains(err.Error(), secret) {
		t.Errorf("send to an unsubscribed user: %v", err)
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the WeChat secret is in the log:\n%s", logs.String())
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// wechatSandbox serves a push sandbox whose WeChat API takes appID and secret.
func wechatSandbox(t *testing.T, appID, secret string) (*sandbox.Sandbox, string) {
	t.Helper()
	sb, err := sandbox.New(sandbox.Config{SMS: sms.Credentials{KeyID: "k", Secret: bytes.Repeat([]byte{3}, 32)},
		WeChatAppID: appID, WeChatSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	return sb, srv.URL
}

// wechatFamily is a school with one pupil and two guardians with phones: the
// mother linked WeChat as openid, the father did not.
type wechatFamily struct {
	dir     *sqlitedirectory.Store
	sealKey []byte
	acc     string
}

func newWeChatFamily(t *testing.T, openID string) wechatFamily {
	t.Helper()
	ctx := context.Background()
	dir := schoolDir(t)
	f := wechatFamily{dir: dir, sealKey: bytes.Repeat([]byte{7}, 32), acc: "acc_35001_0000000001"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(dir.BulkImportPupils(ctx, "35001", []directory.Pupil{{AccountID: f.acc, SchoolID: "35001", StudentNo: "0000000001",
		Name: "张小明", ClassID: "3-1", IDNumberHash: bytes.Repeat([]byte{9}, 32), CardRandom: "07", CardExpiry: 20300831, Status: directory.PupilActive}}))
	for i, phone := range []string{"13900000001", "13900000002"} {
		sealed, err := policy.SealPhone(f.sealKey, phone, rand.Reader)
		must(err)
		id := []string{"par_mum", "par_dad"}[i]
		_, err = dir.PutParent(ctx, directory.Parent{ID: id, PhoneHash: bytes.Repeat([]byte{byte(i + 1)}, 32), PhoneMasked: "139****000" + phone[10:], PhoneSealed: sealed})
		must(err)
		must(dir.Bind(ctx, directory.Guardianship{ParentID: id, AccountID: f.acc, Relation: []string{"mother", "father"}[i]}))
	}
	if openID != "" {
		_, err := dir.LinkWeChat(ctx, "par_mum", openID)
		must(err)
	}
	return f
}

// demoPush is the demo's push setup (SMS and WeChat over its push sandbox) on f.
func (f wechatFamily) demoPush(t *testing.T) *pushSetup {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Server.DataDir = t.TempDir()
	cfg.Push.SandboxAddr = "127.0.0.1:0"
	p, err := setupPush(cfg, true, f.dir, nil, f.sealKey, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	if p.wechat == nil {
		t.Fatal("the demo has no WeChat channel")
	}
	return p
}

func lowBalance(id int64, acc string) appnotify.Message {
	return appnotify.Message{ID: id, Topic: string(appnotify.KindLowBalance), Recipient: acc,
		Payload: []byte(`{"params":{"name":"张*明","balance":"3.00","threshold":"10.00"}}`)}
}

// sandboxTo is what the sandbox received on channel, by address.
func sandboxTo(sb *sandbox.Sandbox, channel string) map[string][]sandbox.Message {
	out := map[string][]sandbox.Message{}
	for _, m := range sb.Messages() {
		if m.Channel == channel {
			out[m.To] = append(out[m.To], m)
		}
	}
	return out
}

// TestPushWeChatTemplateToLinkedGuardian: a low-balance notice reaches the
// mother, who linked WeChat, as template message WX_LOW_BALANCE with the
// notice's data, and the father by SMS; nobody gets both.
func TestPushWeChatTemplateToLinkedGuardian(t *testing.T) {
	f := newWeChatFamily(t, "oMumOpenID0001")
	p := f.demoPush(t)
	if err := p.send(context.Background(), lowBalance(51, f.acc)); err != nil {
		t.Fatal(err)
	}
	wx, sm := sandboxTo(p.sb, "wechat"), sandboxTo(p.sb, "sms")
	mum := wx["oMumOpenID0001"]
	if len(wx) != 1 || len(mum) != 1 || mum[0].TemplateID != "WX_LOW_BALANCE" || mum[0].Params["keyword2"] != "3.00元" || mum[0].Params["keyword1"] != "张*明" {
		t.Fatalf("wechat messages %+v: want WX_LOW_BALANCE once to the mother", wx)
	}
	if len(sm) != 1 || len(sm["13900000002"]) != 1 {
		t.Fatalf("sms messages %+v: want the father's phone only", sm)
	}
	if got := p.stats.Get(appnotify.WeChat, appnotify.OutcomeSent); got != 1 {
		t.Errorf("wechat sent counter %d, want 1", got)
	}
}

// TestPushWeChatUnsubscribedFallsBackToSMS: the WeChat API answers 43004
// (unsubscribed), then 40003 (bad openid): each time the mother's notice goes to
// her phone instead, once, and the message counts as sent; a busy API (-1) is
// transient: no SMS, the notice stays in the outbox.
func TestPushWeChatUnsubscribedFallsBackToSMS(t *testing.T) {
	f := newWeChatFamily(t, "oMumOpenID0001")
	p := f.demoPush(t)
	ctx := context.Background()
	for i, code := range []int{43004, 40003} {
		if err := p.sb.SetFaults(sandbox.Faults{WeChatErrCode: code}); err != nil {
			t.Fatal(err)
		}
		if err := p.send(ctx, lowBalance(int64(60+i), f.acc)); err != nil {
			t.Fatalf("errcode %d: %v, want nil (SMS instead)", code, err)
		}
		sm := sandboxTo(p.sb, "sms")
		if len(sandboxTo(p.sb, "wechat")) != 0 || len(sm["13900000001"]) != i+1 || len(sm["13900000002"]) != i+1 {
			t.Fatalf("errcode %d: sms %+v: want each parent's phone once per notice", code, sm)
		}
	}
	if err := p.sb.SetFaults(sandbox.Faults{WeChatErrCode: -1}); err != nil {
		t.Fatal(err)
	}
	before := len(p.sb.Messages())
	err := p.send(ctx, lowBalance(70, f.acc))
	if err == nil || appnotify.IsPermanent(err) {
		t.Errorf("busy WeChat API: %v, want a transient failure", err)
	}
	if sm := sandboxTo(p.sb, "sms"); len(sm["13900000001"]) != 2 || len(p.sb.Messages()) != before+1 {
		t.Errorf("busy WeChat API: the mother got an SMS, or the father none: %+v", p.sb.Messages()[before:])
	}
}

// TestPushWeChatTokenRefreshed: the access token is fetched once and cached;
// revoked (40001) or expired (42001), it is fetched again within the same send
// and the notice still arrives.
func TestPushWeChatTokenRefreshed(t *testing.T) {
	f := newWeChatFamily(t, "oMumOpenID0001")
	p := f.demoPush(t)
	ctx := context.Background()
	for i := range 2 {
		if err := p.send(ctx, lowBalance(int64(80+i), f.acc)); err != nil {
			t.Fatal(err)
		}
	}
	if got := p.wechat.client.TokenFetches(); got != 1 {
		t.Fatalf("token fetches %d after two sends, want 1 (cached)", got)
	}
	p.sb.RevokeTokens()
	if err := p.send(ctx, lowBalance(82, f.acc)); err != nil {
		t.Fatal(err)
	}
	p.sb.ExpireTokens()
	if err := p.send(ctx, lowBalance(83, f.acc)); err != nil {
		t.Fatal(err)
	}
	if got := p.wechat.client.TokenFetches(); got != 3 {
		t.Errorf("token fetches %d after a revocation and an expiry, want 3", got)
	}
	if got := len(sandboxTo(p.sb, "wechat")["oMumOpenID0001"]); got != 4 {
		t.Errorf("%d template messages reached the mother, want 4", got)
	}
	if n := p.stats.Get(appnotify.WeChat, appnotify.OutcomeRetried); n != 0 {
		t.Errorf("%d retries: a refused token is refreshed within the attempt", n)
	}
}

// TestDemoWeChatLinkEnabled: `serve --demo` links parents through the push
// sandbox's OAuth page (app id demo, back to /h5/wechat-link of this switch);
// after the link the parent's notices go by WeChat. Without the demo or
// push.wechat, linking is disabled.
func TestDemoWeChatLinkEnabled(t *testing.T) {
	f := newWeChatFamily(t, "")
	p := f.demoPush(t)
	svc, err := wechatLinks(p, f.dir, f.sealKey)
	if err != nil || svc == nil {
		t.Fatalf("demo link service: %v, %v", svc, err)
	}
	ctx := context.Background()
	authURL, _, err := svc.AuthorizeURL(ctx, "par_mum")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(authURL)
	if err != nil || !strings.HasPrefix(authURL, p.sandboxAt+"/connect/oauth2/authorize?appid=demo&") ||
		u.Query().Get("redirect_uri") != "http://"+DefaultConfig().Server.HTTPAddr+"/h5/wechat-link" {
		t.Fatalf("authorize URL %q", authURL)
	}
	u.Fragment = ""
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || back.Path != "/h5/wechat-link" {
		t.Fatalf("OAuth page answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	l, err := svc.Link(ctx, "par_mum", back.Query().Get("code"), back.Query().Get("state"))
	if err != nil || l.OpenID == "" {
		t.Fatalf("link: %+v, %v", l, err)
	}
	if err := p.send(ctx, lowBalance(90, f.acc)); err != nil {
		t.Fatal(err)
	}
	if got := sandboxTo(p.sb, "wechat")[l.OpenID]; len(got) != 1 {
		t.Errorf("after the link the sandbox's WeChat list holds %+v for the mother", sandboxTo(p.sb, "wechat"))
	}

	cfg := DefaultConfig()
	cfg.Server.DataDir = t.TempDir()
	off, err := setupPush(cfg, false, f.dir, nil, f.sealKey, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if svc, err := wechatLinks(off, f.dir, f.sealKey); svc != nil || err != nil {
		t.Errorf("without the demo or push.wechat: link service %v, %v; want none", svc, err)
	}
}
