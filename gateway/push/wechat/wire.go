package wechat

// Paths of the WeChat API (the sandbox serves the same).
const (
	TokenPath = "/cgi-bin/token"
	SendPath  = "/cgi-bin/message/template/send"
)

// TokenResponse answers GET TokenPath.
type TokenResponse struct {
	AccessToken string `json:"access_token,omitempty"`
	ExpiresIn   int64  `json:"expires_in,omitempty"` // seconds
	ErrCode     int    `json:"errcode,omitempty"`
	ErrMsg      string `json:"errmsg,omitempty"`
}

// Value is one template field.
type Value struct {
	Value string `json:"value"`
}

// SendRequest is the body of POST SendPath?access_token=….
type SendRequest struct {
	ToUser     string           `json:"touser"`
	TemplateID string           `json:"template_id"`
	Data       map[string]Value `json:"data"`
}

// SendResponse answers it.
type SendResponse struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
	MsgID   int64  `json:"msgid,omitempty"`
}

// Error codes of the API that the channel tells apart.
const (
	ErrBusy            = -1
	ErrInvalidToken    = 40001 // invalid credential: fetch a new token
	ErrInvalidOpenID   = 40003
	ErrInvalidToken2   = 40014 // invalid access_token
	ErrInvalidTemplate = 40037
	ErrTokenExpired    = 42001
	ErrUnsubscribed    = 43004 // require subscribe: the user left the official account
	ErrAPILimit        = 45009
	ErrInvalidSecret   = 40125
)

// tokenErrors mean the cached token is no good.
var tokenErrors = map[int]bool{ErrInvalidToken: true, ErrInvalidToken2: true, ErrTokenExpired: true}

// unreachableErrors are about the address: another channel may reach the user.
var unreachableErrors = map[int]bool{ErrUnsubscribed: true, ErrInvalidOpenID: true}

// permanentErrors are about the address or the template: no retry helps.
var permanentErrors = map[int]bool{ErrUnsubscribed: true, ErrInvalidOpenID: true, ErrInvalidTemplate: true, 47003: true /* argument invalid */}
