package recharge

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/onecode/onecode/domain/order"
)

// Provider is one merchant at one payment provider: WeChat Pay API v3 (a direct
// merchant, or a school as sub-merchant of OneCode's service-provider account) or the
// Alipay open platform. Adapters at the edge (gateway/aggregator for WeChat Pay,
// gateway/alipay for Alipay) implement it on the standard library, marking their
// errors with the sentinels below; any other error is an outcome not known (a timeout,
// a 5xx, an answer that did not verify): the order or refund may exist.
type Provider interface {
	Aggregator
	// Name is the provider ("wechatpay" or "alipay").
	Name() string
	// Refund refunds part or all of a paid order. The same RefundID with the same
	// fields is the same refund (idempotent); the answer may still be processing.
	Refund(ctx context.Context, req RefundRequest) (RemoteRefund, error)
	// QueryRefund says where a refund is (ErrRefundNotFound when the provider has
	// no such refund).
	QueryRefund(ctx context.Context, orderID, refundID string) (RemoteRefund, error)
	// VerifyNotification verifies a notification (signature, freshness, decryption)
	// and parses it; it returns an error wrapping ErrBadNotification for a forged,
	// stale, tampered or malformed one. Nothing is trusted before it returns nil.
	VerifyNotification(h http.Header, body []byte, now time.Time) (Notice, error)
	// Ack writes the provider's answer to a notification: processed (err == nil) or
	// not (the provider notifies again).
	Ack(w http.ResponseWriter, err error)
}

// Aggregator is the part of Provider the recharges use today (transitional: the
// online-payment use case moves to Provider and Providers).
type Aggregator interface {
	// Place asks the provider for the order; the same request always gets the
	// same order (and pay URL) back.
	Place(ctx context.Context, req PlaceRequest) (Placed, error)
	// Query says where the order is at the provider (RemoteUnknown when it has
	// no such order).
	Query(ctx context.Context, orderID string) (RemoteOrder, error)
	// Close closes an unpaid order (ErrOrderPaid if it was paid meanwhile).
	Close(ctx context.Context, orderID string) error
}

// Providers finds the merchant of a school (configuration per school, set by an
// operator and validated at start).
type Providers interface {
	// For is the provider merchant that school is paid through (ErrNoProvider when
	// the school has none).
	For(schoolID string) (Provider, error)
	// ByKey is the provider merchant recorded on an order by its key (MerchantKey):
	// an order is always queried, closed and refunded where it was placed, even if
	// the school has changed merchant since.
	ByKey(key string) (Provider, error)
	// MerchantKey is the stable key of p, recorded on each order placed through it.
	MerchantKey(p Provider) string
}

// Channel is how the payer pays.
type Channel uint8

// Channels. The zero value is ChannelH5.
const (
	// ChannelH5: a mobile browser outside WeChat (WeChat Pay h5_url; Alipay
	// alipay.trade.wap.pay). PlaceRequest.ClientIP is required.
	ChannelH5 Channel = iota
	// ChannelJSAPI: inside WeChat (WeChat Pay only); PlaceRequest.OpenID is required
	// and Placed.JSAPI carries the signed WeixinJSBridge parameters.
	ChannelJSAPI
	// ChannelNative: a QR code shown on a screen (WeChat Pay code_url; Alipay
	// alipay.trade.precreate qr_code), in Placed.CodeURL.
	ChannelNative
)

// PlaceRequest is an order as the provider gets it.
type PlaceRequest struct {
	OrderID     string // ours; the provider's out_trade_no
	AmountFen   int64
	Description string
	NotifyURL   string
	ExpiresAt   time.Time // UTC
	Channel     Channel
	ClientIP    string // the payer's IP (H5)
	OpenID      string // the payer's openid under the (sub_)appid (JSAPI)
}

// Placed is the provider's answer to PlaceRequest.
type Placed struct {
	// PayURL is where the payer's browser goes to pay (WeChat h5_url, Alipay wap URL).
	PayURL string
	// CodeURL is the text of the QR code to show (Native / precreate).
	CodeURL string
	// PrepayID is WeChat Pay's prepay_id (JSAPI, H5, Native).
	PrepayID string
	// JSAPI are the parameters for WeixinJSBridge.invoke('getBrandWCPayRequest').
	JSAPI *JSAPIParams
}

// JSAPIParams are the signed parameters of a JSAPI payment, as the page passes them.
type JSAPIParams struct {
	AppID     string `json:"appId"`
	TimeStamp string `json:"timeStamp"`
	NonceStr  string `json:"nonceStr"`
	Package   string `json:"package"`  // "prepay_id=…"
	SignType  string `json:"signType"` // "RSA"
	PaySign   string `json:"paySign"`
}

// RemoteOrder is what the provider says of an order.
type RemoteOrder struct {
	State         order.Remote
	AmountFen     int64
	TransactionID string // set when paid
	// ProviderState is the provider's own state word (USERPAYING, TRADE_FINISHED…),
	// for logs and operators.
	ProviderState string
}

// RefundRequest is a refund as the provider gets it.
type RefundRequest struct {
	OrderID   string // the paid order (out_trade_no)
	RefundID  string // ours, idempotent (out_refund_no / out_request_no)
	AmountFen int64  // refunded now
	TotalFen  int64  // the order's amount
	Reason    string
	NotifyURL string
}

// RefundState is where a refund is at the provider.
type RefundState uint8

// Refund states.
const (
	RefundProcessing RefundState = iota + 1
	RefundSucceeded
	RefundClosed   // failed for good; nothing was refunded
	RefundAbnormal // the provider could not pay it back (e.g. a closed card); an operator must act
)

// RemoteRefund is what the provider says of a refund.
type RemoteRefund struct {
	OrderID          string
	RefundID         string
	ProviderRefundID string
	AmountFen        int64
	State            RefundState
	SuccessTime      time.Time // when succeeded
}

// Notice is a verified notification: a payment or a refund.
type Notice struct {
	ID      string // the provider's notification id, for the logs
	Payment *Payment
	Refund  *RemoteRefund
}

// Errors of a Provider. Check them with errors.Is.
var (
	// ErrAggregatorUnavailable: nothing was sent (the breaker is open): the
	// provider has no order from this call. Try again later.
	ErrAggregatorUnavailable = errors.New("recharge: aggregator unavailable, nothing sent")
	// ErrAggregatorRefused: the provider answered no (a business decline or an
	// invalid request): it has no order from this call.
	ErrAggregatorRefused = errors.New("recharge: aggregator refused the request")
	// ErrOrderPaid: the order was paid (never a refusal: the money is real).
	ErrOrderPaid = errors.New("recharge: order paid at the aggregator")
	// ErrOrderClosed: the order is closed at the provider.
	ErrOrderClosed = errors.New("recharge: order closed at the aggregator")
	// ErrOrderConflict: the order number was used with other fields.
	ErrOrderConflict = errors.New("recharge: order number used with other fields")
	// ErrRefundNotFound: the provider has no such refund.
	ErrRefundNotFound = errors.New("recharge: no such refund at the provider")
	// ErrRefundExceeded: the refund would exceed what was paid.
	ErrRefundExceeded = errors.New("recharge: refund exceeds what was paid")
	// ErrBadNotification: a notification did not verify or parse; nothing in it
	// is trusted.
	ErrBadNotification = errors.New("recharge: notification did not verify")
	// ErrNoProvider: the school has no payment merchant configured.
	ErrNoProvider = errors.New("recharge: no payment merchant for the school")
)

// definiteFailure: the provider has no such order and will not get one (nothing
// was sent, or it refused the request). A timeout, a 5xx or an unverifiable answer is
// not definite: the order may exist.
func definiteFailure(err error) bool {
	if errors.Is(err, ErrOrderPaid) {
		return false
	}
	return errors.Is(err, ErrAggregatorUnavailable) || errors.Is(err, ErrAggregatorRefused)
}
