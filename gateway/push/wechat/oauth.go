package wechat

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/onecode/onecode/app/wxlink"
)

// OAuthTokenPath trades a web-page OAuth code for the user's openid.
const OAuthTokenPath = "/sns/oauth2/access_token"

// OAuthTokenResponse answers GET OAuthTokenPath (the OAuth access token is not
// the API's access token: it is not kept, only the openid is).
type OAuthTokenResponse struct {
	AccessToken  string `json:"access_token,omitempty"`
	ExpiresIn    int64  `json:"expires_in,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	OpenID       string `json:"openid,omitempty"`
	Scope        string `json:"scope,omitempty"`
	ErrCode      int    `json:"errcode,omitempty"`
	ErrMsg       string `json:"errmsg,omitempty"`
}

// OAuth error codes: the code is no good (no retry helps).
const (
	ErrInvalidCode = 40029
	ErrCodeUsed    = 40163
	ErrMissingCode = 41008
)

var _ wxlink.Exchanger = (*Client)(nil)

// ExchangeCode implements wxlink.Exchanger: GET OAuthTokenPath with the app's
// id and secret. A refused code wraps wxlink.ErrCodeRefused; the code and the
// secret are never in an error.
func (c *Client) ExchangeCode(ctx context.Context, code string) (string, error) {
	var a OAuthTokenResponse
	q := url.Values{"appid": {c.appID}, "secret": {c.secret}, "code": {code}, "grant_type": {"authorization_code"}}
	if err := c.call(ctx, http.MethodGet, OAuthTokenPath, q, nil, &a); err != nil {
		return "", err
	}
	switch {
	case a.ErrCode == ErrInvalidCode || a.ErrCode == ErrCodeUsed || a.ErrCode == ErrMissingCode:
		return "", fmt.Errorf("%w (errcode %d)", wxlink.ErrCodeRefused, a.ErrCode)
	case a.ErrCode != 0 || a.OpenID == "":
		return "", fmt.Errorf("wechat: oauth answered errcode %s", strconv.Itoa(a.ErrCode))
	}
	return a.OpenID, nil
}
