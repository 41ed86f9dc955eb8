package gateway_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/app/wxlink"
	pushsandbox "github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/gateway/push/wechat"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// startWeChat serves a push sandbox for the WeChat API and answers the link
// service over it (its state key derived from key).
func (e *switchEnv) startWeChat(t *testing.T, key []byte) *wxlink.Service {
	t.Helper()
	sb, err := pushsandbox.New(pushsandbox.Config{SMS: sms.Credentials{KeyID: "t", Secret: bytes.Repeat([]byte{7}, 32)},
		WeChatAppID: "wx-test", WeChatSecret: "wx-test-secret"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	e.pushSB = sb
	if e.wx, err = wechat.NewClient(wechat.Config{BaseURL: srv.URL, AppID: "wx-test", Secret: "wx-test-secret"}); err != nil {
		t.Fatal(err)
	}
	links, ok := e.dir.(directory.WeChatLinks)
	if !ok {
		t.Fatal("the directory keeps no WeChat links")
	}
	svc, err := wxlink.New(wxlink.Config{Links: links, Exchanger: e.wx, AppID: "wx-test", AuthorizeBase: srv.URL,
		RedirectURL: "https://h5.example.edu.cn/h5/wechat-link", Key: append(bytes.Repeat([]byte{1}, 32), key...)})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// linkWeChat starts a link for the parent and follows the sandbox's OAuth page
// as WeChat would, answering the code and state it sends back.
func (e *switchEnv) oauthRoundTrip(t *testing.T, parent context.Context, openID string) (code, state string) {
	t.Helper()
	a, err := e.wechat.GetWeChatAuthorizeUrl(parent, &apiv1.GetWeChatAuthorizeUrlRequest{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(a.GetUrl())
	if err != nil || u.Fragment != "wechat_redirect" || u.Query().Get("scope") != "snsapi_base" {
		t.Fatalf("authorize URL %q: %v", a.GetUrl(), err)
	}
	q := u.Query()
	q.Set("openid", openID)
	u.RawQuery, u.Fragment = q.Encode(), ""
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || back.Host != "h5.example.edu.cn" {
		t.Fatalf("OAuth page answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return back.Query().Get("code"), back.Query().Get("state")
}

func wantWireReason(t *testing.T, what string, err error, want string) {
	t.Helper()
	if err == nil || reasonOf(err) != want {
		t.Errorf("%s: got %v, want %s", what, err, want)
	}
}

func TestWeChatOAuthLink(t *testing.T) {
	e := newSwitchEnv(t)
	parent := bearer(e.parentToken(t, "par_wx", 21))
	st, err := e.wechat.GetWeChatLink(parent, &apiv1.GetWeChatLinkRequest{})
	if err != nil || !st.GetLink().GetEnabled() || st.GetLink().GetLinked() {
		t.Fatalf("status before linking: %v %v", st, err)
	}
	_, err = e.wechat.UnlinkWeChat(parent, &apiv1.UnlinkWeChatRequest{})
	wantWireReason(t, "unlink before linking", err, "WECHAT_NOT_LINKED")

	code, state := e.oauthRoundTrip(t, parent, "oParentWx0001")
	linked, err := e.wechat.LinkWeChat(parent, &apiv1.LinkWeChatRequest{Code: code, State: state})
	if err != nil || !linked.GetLink().GetLinked() || linked.GetLink().GetLinkedAt() == nil {
		t.Fatalf("link: %v %v", linked, err)
	}
	if got, err := e.dir.(directory.WeChatLinks).WeChatLinkOf(context.Background(), "par_wx"); err != nil || got.OpenID != "oParentWx0001" {
		t.Fatalf("stored link %+v %v", got, err)
	}
	// The same state again, even with a fresh code: refused.
	_, err = e.wechat.LinkWeChat(parent, &apiv1.LinkWeChatRequest{Code: e.pushSB.IssueCode("oOther"), State: state})
	wantWireReason(t, "replayed state", err, "WECHAT_STATE_INVALID")
	// A forged state (one byte flipped, or made up): refused.
	_, state2 := e.oauthRoundTrip(t, parent, "oParentWx0002")
	forged := []byte(state2)
	forged[len(forged)-2] ^= 1
	for _, s := range []string{string(forged), "bm90IGEgc3RhdGU", ""} {
		_, err = e.wechat.LinkWeChat(parent, &apiv1.LinkWeChatRequest{Code: e.pushSB.IssueCode("oOther"), State: s})
		wantWireReason(t, "forged state", err, "WECHAT_STATE_INVALID")
	}
	// A code WeChat does not know: WECHAT_CODE_INVALID (and the state is used).
	_, err = e.wechat.LinkWeChat(parent, &apiv1.LinkWeChatRequest{Code: "nosuchcode", State: state2})
	wantWireReason(t, "unknown code", err, "WECHAT_CODE_INVALID")
	if got, _ := e.dir.(directory.WeChatLinks).WeChatLinkOf(context.Background(), "par_wx"); got.OpenID != "oParentWx0001" {
		t.Fatalf("refused links changed the link to %q", got.OpenID)
	}
	// Unlink, then the status says so.
	if _, err := e.wechat.UnlinkWeChat(parent, &apiv1.UnlinkWeChatRequest{}); err != nil {
		t.Fatal(err)
	}
	st, err = e.wechat.GetWeChatLink(parent, &apiv1.GetWeChatLinkRequest{})
	if err != nil || st.GetLink().GetLinked() {
		t.Fatalf("status after unlink: %v %v", st, err)
	}
}

// TestWeChatLinkBOLA: a parent cannot finish another parent's link, nor unlink
// theirs; staff and anonymous callers reach no link.
func TestWeChatLinkBOLA(t *testing.T) {
	e := newSwitchEnv(t)
	alice := bearer(e.parentToken(t, "par_alice", 31))
	mallory := bearer(e.parentToken(t, "par_mallory", 32))
	code, state := e.oauthRoundTrip(t, alice, "oAlice")
	// Mallory's session with Alice's code and state: refused, Alice's link still completes.
	_, err := e.wechat.LinkWeChat(mallory, &apiv1.LinkWeChatRequest{Code: code, State: state})
	wantWireReason(t, "another parent's state", err, "WECHAT_STATE_INVALID")
	if _, err := e.wechat.LinkWeChat(alice, &apiv1.LinkWeChatRequest{Code: code, State: state}); err != nil {
		t.Fatalf("alice's own link after mallory's try: %v", err)
	}
	// Mallory's unlink touches only Mallory.
	_, err = e.wechat.UnlinkWeChat(mallory, &apiv1.UnlinkWeChatRequest{})
	wantWireReason(t, "mallory unlinks", err, "WECHAT_NOT_LINKED")
	if st, err := e.wechat.GetWeChatLink(alice, &apiv1.GetWeChatLinkRequest{}); err != nil || !st.GetLink().GetLinked() {
		t.Fatalf("alice after mallory's unlink: %v %v", st, err)
	}
	e.school(t, "36001", "C1", "T1", "3-1")
	staff := bearer(e.staffToken(t, "36001", "adm_wx", directory.RoleSchoolAdmin, ""))
	for name, ctx := range map[string]context.Context{"staff": staff, "anonymous": context.Background()} {
		_, err := e.wechat.GetWeChatAuthorizeUrl(ctx, &apiv1.GetWeChatAuthorizeUrlRequest{})
		_, err2 := e.wechat.UnlinkWeChat(ctx, &apiv1.UnlinkWeChatRequest{})
		for _, err := range []error{err, err2} {
			if c := status.Code(err); c != codes.PermissionDenied && c != codes.Unauthenticated {
				t.Errorf("%s: got %v", name, err)
			}
		}
	}
}
