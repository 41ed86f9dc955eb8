package aggregator

import (
	"fmt"
	"time"
)

// TradeState is WeChat Pay's trade_state of a transaction.
type TradeState string

// Trade states (query answers and TRANSACTION.* notifications).
const (
	StateSuccess    TradeState = "SUCCESS"    // paid
	StateRefund     TradeState = "REFUND"     // paid, then (partly) refunded
	StateNotPay     TradeState = "NOTPAY"     // not paid yet
	StateClosed     TradeState = "CLOSED"     // closed unpaid (by the merchant or on expiry)
	StateRevoked    TradeState = "REVOKED"    // revoked (micropay)
	StateUserPaying TradeState = "USERPAYING" // the payer is entering the password
	StatePayError   TradeState = "PAYERROR"   // payment failed (bank declined…)
)

// Known reports whether s is one of WeChat Pay's trade states.
func (s TradeState) Known() bool {
	switch s {
	case StateSuccess, StateRefund, StateNotPay, StateClosed, StateRevoked, StateUserPaying, StatePayError:
		return true
	}
	return false
}

// Trade types.
const (
	TradeJSAPI  = "JSAPI"
	TradeNative = "NATIVE"
	TradeH5     = "MWEB" // the trade_type of an H5 payment
)

// RefundStatus is the status (refund_status in notifications) of a refund.
type RefundStatus string

// Refund statuses.
const (
	RefundSuccess    RefundStatus = "SUCCESS"
	RefundClosed     RefundStatus = "CLOSED"
	RefundProcessing RefundStatus = "PROCESSING"
	RefundAbnormal   RefundStatus = "ABNORMAL"
)

// Error codes of WeChat Pay error answers ({"code","message"}); see errors.go for
// what each means to the caller.
const (
	CodeOrderPaid         = "ORDERPAID"
	CodeOrderClosed       = "ORDER_CLOSED"
	CodeOrderNotExist     = "ORDER_NOT_EXIST"
	CodeResourceNotExists = "RESOURCE_NOT_EXISTS"
	CodeNotEnough         = "NOT_ENOUGH"
	CodeFrequencyLimited  = "FREQUENCY_LIMITED"
	CodeSystemError       = "SYSTEM_ERROR"
	CodeSignError         = "SIGN_ERROR"
	CodeParamError        = "PARAM_ERROR"
	CodeInvalidRequest    = "INVALID_REQUEST"
	CodeOutTradeNoUsed    = "OUT_TRADE_NO_USED"
	CodeNoAuth            = "NO_AUTH"
	CodeUserPaying        = "USERPAYING"
)

// Event types and resource constants of notifications.
const (
	EventTransactionSuccess = "TRANSACTION.SUCCESS"
	EventRefundSuccess      = "REFUND.SUCCESS"
	EventRefundAbnormal     = "REFUND.ABNORMAL"
	EventRefundClosed       = "REFUND.CLOSED"
	AlgorithmAES256GCM      = "AEAD_AES_256_GCM"
	ResourceTransaction     = "transaction"
	ResourceRefund          = "refund"
	ResourceCertificate     = "certificate"
	ResourceTypeEncrypted   = "encrypt-resource"
)

// Protocol headers and the authorization scheme.
const (
	HeaderTimestamp = "Wechatpay-Timestamp"
	HeaderNonce     = "Wechatpay-Nonce"
	HeaderSignature = "Wechatpay-Signature"
	HeaderSerial    = "Wechatpay-Serial"
	AuthScheme      = "WECHATPAY2-SHA256-RSA2048"
	// PublicKeyIDPrefix starts the Wechatpay-Serial of an answer signed with the
	// platform public key (public-key mode) rather than a platform certificate.
	PublicKeyIDPrefix = "PUB_KEY_ID_"
	CurrencyCNY       = "CNY"
)

// Bounds of the protocol.
const (
	// MaxBody bounds every request, response and notification body.
	MaxBody = 64 << 10
	// MaxSkew is how far a signed timestamp may be from the receiver's clock.
	MaxSkew = 5 * time.Minute
)

// Beijing is UTC+08:00, the zone of every WeChat Pay time (time_expire, success_time).
var Beijing = time.FixedZone("CST", 8*3600)

// FormatTime renders t as WeChat Pay does: RFC 3339 at +08:00, whole seconds.
func FormatTime(t time.Time) string { return t.In(Beijing).Truncate(time.Second).Format(time.RFC3339) }

// ParseTime reads an RFC 3339 time of the API.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: time %q", ErrRejected, s)
	}
	return t, nil
}

// Amount is the amount of a prepay request.
type Amount struct {
	Total    int64  `json:"total"`
	Currency string `json:"currency,omitempty"`
}

// Payer identifies the payer: openid (direct), sp_openid or sub_openid (partner).
type Payer struct {
	OpenID    string `json:"openid,omitempty"`
	SpOpenID  string `json:"sp_openid,omitempty"`
	SubOpenID string `json:"sub_openid,omitempty"`
}

// H5Info is scene_info.h5_info of an H5 prepay.
type H5Info struct {
	Type string `json:"type"` // "Wap", "iOS", "Android"
}

// SceneInfo is the payer's scene.
type SceneInfo struct {
	PayerClientIP string  `json:"payer_client_ip"`
	DeviceID      string  `json:"device_id,omitempty"`
	H5Info        *H5Info `json:"h5_info,omitempty"`
}

// PrepayRequest is the body of POST /v3/pay/transactions/{jsapi|h5|native} (direct:
// appid, mchid) and /v3/pay/partner/transactions/… (partner: sp_appid, sp_mchid,
// sub_mchid, sub_appid).
type PrepayRequest struct {
	AppID       string     `json:"appid,omitempty"`
	MchID       string     `json:"mchid,omitempty"`
	SpAppID     string     `json:"sp_appid,omitempty"`
	SpMchID     string     `json:"sp_mchid,omitempty"`
	SubAppID    string     `json:"sub_appid,omitempty"`
	SubMchID    string     `json:"sub_mchid,omitempty"`
	Description string     `json:"description"`
	OutTradeNo  string     `json:"out_trade_no"`
	TimeExpire  string     `json:"time_expire,omitempty"`
	Attach      string     `json:"attach,omitempty"`
	NotifyURL   string     `json:"notify_url"`
	Amount      Amount     `json:"amount"`
	Payer       *Payer     `json:"payer,omitempty"`
	SceneInfo   *SceneInfo `json:"scene_info,omitempty"`
}

// PrepayResponse is the answer to a prepay: prepay_id (JSAPI), h5_url (H5) or
// code_url (Native).
type PrepayResponse struct {
	PrepayID string `json:"prepay_id,omitempty"`
	H5URL    string `json:"h5_url,omitempty"`
	CodeURL  string `json:"code_url,omitempty"`
}

// TransactionAmount is the amount of a transaction.
type TransactionAmount struct {
	Total         int64  `json:"total"`
	PayerTotal    int64  `json:"payer_total,omitempty"`
	Currency      string `json:"currency,omitempty"`
	PayerCurrency string `json:"payer_currency,omitempty"`
}

// Transaction is a query answer and the plaintext of a TRANSACTION.* resource.
type Transaction struct {
	AppID          string            `json:"appid,omitempty"`
	MchID          string            `json:"mchid,omitempty"`
	SpAppID        string            `json:"sp_appid,omitempty"`
	SpMchID        string            `json:"sp_mchid,omitempty"`
	SubAppID       string            `json:"sub_appid,omitempty"`
	SubMchID       string            `json:"sub_mchid,omitempty"`
	OutTradeNo     string            `json:"out_trade_no"`
	TransactionID  string            `json:"transaction_id,omitempty"`
	TradeType      string            `json:"trade_type,omitempty"`
	TradeState     TradeState        `json:"trade_state"`
	TradeStateDesc string            `json:"trade_state_desc,omitempty"`
	BankType       string            `json:"bank_type,omitempty"`
	Attach         string            `json:"attach,omitempty"`
	SuccessTime    string            `json:"success_time,omitempty"`
	Payer          *Payer            `json:"payer,omitempty"`
	Amount         TransactionAmount `json:"amount"`
}

// CloseRequest is the body of POST …/out-trade-no/{no}/close.
type CloseRequest struct {
	MchID    string `json:"mchid,omitempty"`
	SpMchID  string `json:"sp_mchid,omitempty"`
	SubMchID string `json:"sub_mchid,omitempty"`
}

// RefundAmount is the amount of a refund request and answer.
type RefundAmount struct {
	Refund      int64  `json:"refund"`
	Total       int64  `json:"total"`
	Currency    string `json:"currency,omitempty"`
	PayerTotal  int64  `json:"payer_total,omitempty"`
	PayerRefund int64  `json:"payer_refund,omitempty"`
}

// RefundRequest is the body of POST /v3/refund/domestic/refunds.
type RefundRequest struct {
	SubMchID      string       `json:"sub_mchid,omitempty"`
	TransactionID string       `json:"transaction_id,omitempty"`
	OutTradeNo    string       `json:"out_trade_no,omitempty"`
	OutRefundNo   string       `json:"out_refund_no"`
	Reason        string       `json:"reason,omitempty"`
	NotifyURL     string       `json:"notify_url,omitempty"`
	Amount        RefundAmount `json:"amount"`
}

// Refund is a refund answer (status) and the plaintext of a REFUND.* resource
// (refund_status; mchid or sp_mchid and sub_mchid).
type Refund struct {
	MchID               string       `json:"mchid,omitempty"`
	SpMchID             string       `json:"sp_mchid,omitempty"`
	SubMchID            string       `json:"sub_mchid,omitempty"`
	RefundID            string       `json:"refund_id"`
	OutRefundNo         string       `json:"out_refund_no"`
	TransactionID       string       `json:"transaction_id,omitempty"`
	OutTradeNo          string       `json:"out_trade_no"`
	Channel             string       `json:"channel,omitempty"`
	UserReceivedAccount string       `json:"user_received_account,omitempty"`
	SuccessTime         string       `json:"success_time,omitempty"`
	CreateTime          string       `json:"create_time,omitempty"`
	Status              RefundStatus `json:"status,omitempty"`
	RefundStatus        RefundStatus `json:"refund_status,omitempty"`
	Amount              RefundAmount `json:"amount"`
}

// State is the refund's status, whichever field carried it.
func (r Refund) State() RefundStatus {
	if r.Status != "" {
		return r.Status
	}
	return r.RefundStatus
}

// ErrorBody is the body of every error answer, and of a merchant's answer to a
// notification ({"code":"SUCCESS"} or {"code":"FAIL","message":…}).
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// NotificationBody is the JSON a notification carries.
type NotificationBody struct {
	ID           string   `json:"id"`
	CreateTime   string   `json:"create_time"`
	ResourceType string   `json:"resource_type"`
	EventType    string   `json:"event_type"`
	Summary      string   `json:"summary"`
	Resource     Resource `json:"resource"`
}

// Resource is an AEAD_AES_256_GCM-sealed object (notification resources and
// encrypt_certificate).
type Resource struct {
	OriginalType   string `json:"original_type,omitempty"`
	Algorithm      string `json:"algorithm"`
	Ciphertext     string `json:"ciphertext"`
	AssociatedData string `json:"associated_data"`
	Nonce          string `json:"nonce"`
}

// CertificateList is the answer to GET /v3/certificates.
type CertificateList struct {
	Data []CertificateEntry `json:"data"`
}

// CertificateEntry is one platform certificate, its PEM sealed under the APIv3 key.
type CertificateEntry struct {
	SerialNo           string   `json:"serial_no"`
	EffectiveTime      string   `json:"effective_time"`
	ExpireTime         string   `json:"expire_time"`
	EncryptCertificate Resource `json:"encrypt_certificate"`
}
