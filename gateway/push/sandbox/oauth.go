package sandbox

import (
	"net/http"
	"net/url"
	"time"

	"github.com/onecode/onecode/app/wxlink"
	"github.com/onecode/onecode/gateway/push/wechat"
)

// codeTTL is how long an OAuth code is good (WeChat: 5 minutes).
const codeTTL = 5 * time.Minute

// oauthCode is one issued web-page OAuth code.
type oauthCode struct {
	openID  string
	expires time.Time
}

// IssueCode issues a single-use OAuth code for openID, as WeChat does after its
// OAuth page (tests use it in place of a browser).
func (s *Sandbox) IssueCode(openID string) string {
	code := randomHex(16)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = oauthCode{openID: openID, expires: s.now().Add(codeTTL)}
	return code
}

// authorize is the OAuth page (scope snsapi_base: WeChat shows nothing and
// sends the browser straight back). The user is the openid query parameter (a
// sandbox extension), else a new one per call.
func (s *Sandbox) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("appid") != s.cfg.WeChatAppID || err != nil || (back.Scheme != "http" && back.Scheme != "https") || q.Get("response_type") != "code" {
		http.Error(w, "sandbox: bad appid, redirect_uri or response_type", http.StatusBadRequest)
		return
	}
	openID := q.Get("openid")
	if openID == "" {
		openID = "oSandbox" + randomHex(10)
	}
	bq := back.Query()
	bq.Set("code", s.IssueCode(openID))
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// oauthToken answers GET wechat.OAuthTokenPath: a code is good once, within codeTTL.
func (s *Sandbox) oauthToken(w http.ResponseWriter, r *http.Request) {
	if s.fault(w, r) {
		return
	}
	q := r.URL.Query()
	if q.Get("appid") != s.cfg.WeChatAppID || q.Get("secret") != s.cfg.WeChatSecret {
		writeJSON(w, http.StatusOK, wechat.OAuthTokenResponse{ErrCode: wechat.ErrInvalidSecret, ErrMsg: "invalid appsecret"})
		return
	}
	if q.Get("grant_type") != "authorization_code" || q.Get("code") == "" {
		writeJSON(w, http.StatusOK, wechat.OAuthTokenResponse{ErrCode: wechat.ErrMissingCode, ErrMsg: "missing code"})
		return
	}
	s.mu.Lock()
	c, ok := s.codes[q.Get("code")]
	delete(s.codes, q.Get("code"))
	s.mu.Unlock()
	switch {
	case !ok:
		writeJSON(w, http.StatusOK, wechat.OAuthTokenResponse{ErrCode: wechat.ErrInvalidCode, ErrMsg: "invalid code"})
	case !s.now().Before(c.expires):
		writeJSON(w, http.StatusOK, wechat.OAuthTokenResponse{ErrCode: wechat.ErrCodeUsed, ErrMsg: "code been used"})
	default:
		writeJSON(w, http.StatusOK, wechat.OAuthTokenResponse{AccessToken: randomHex(16), ExpiresIn: 7200,
			RefreshToken: randomHex(16), OpenID: c.openID, Scope: "snsapi_base"})
	}
}

// oauthRoutes adds the OAuth page and code exchange to mux.
func (s *Sandbox) oauthRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+wxlink.AuthorizePath, s.authorize)
	mux.HandleFunc("GET "+wechat.OAuthTokenPath, s.oauthToken)
}
