package aggregator

import "time"

// TradeState is the state of an order at the aggregator.
type TradeState string

// Trade states.
const (
	StateNotPay  TradeState = "NOTPAY"
	StateSuccess TradeState = "SUCCESS"
	StateClosed  TradeState = "CLOSED"
	StateRefund  TradeState = "REFUND"
)

// Known reports whether s is one of the four trade states.
func (s TradeState) Known() bool {
	switch s {
	case StateNotPay, StateSuccess, StateClosed, StateRefund:
		return true
	}
	return false
}

// Error codes in aggregator error bodies.
const (
	CodeOrderPaid      = "ORDER_PAID"
	CodeOrderClosed    = "ORDER_CLOSED"
	CodeNotFound       = "ORDER_NOT_EXIST"
	CodeNotPaid        = "ORDER_NOT_PAID"
	CodeRefundExceeded = "REFUND_EXCEEDED"
	CodeConflict       = "OUT_TRADE_NO_USED"
	CodeInvalidRequest = "INVALID_REQUEST"
	CodeSignError      = "SIGN_ERROR"
	CodeSystemError    = "SYSTEM_ERROR"
	CodeRateLimited    = "RATE_LIMITED"
)

// Event types and resource constants of notifications.
const (
	EventTransactionSuccess = "TRANSACTION.SUCCESS"
	AlgorithmAES256GCM      = "AEAD_AES_256_GCM"
	ResourceTransaction     = "transaction"
)

// Protocol headers.
const (
	HeaderTimestamp = "Wechatpay-Timestamp"
	HeaderNonce     = "Wechatpay-Nonce"
	HeaderSignature = "Wechatpay-Signature"
	HeaderSerial    = "Wechatpay-Serial"
	AuthScheme      = "ONECODE-SHA256-RSA2048"
)

// Bounds of the protocol.
const (
	// MaxBody bounds every request, response and notification body.
	MaxBody = 64 << 10
	// MaxSkew is how far a signed timestamp may be from the receiver's clock.
	MaxSkew = 5 * time.Minute
)

// CreateOrderRequest is the body of POST /v3/orders.
type CreateOrderRequest struct {
	OutTradeNo  string    `json:"out_trade_no"`
	AmountFen   int64     `json:"amount_fen"`
	Description string    `json:"description"`
	NotifyURL   string    `json:"notify_url"`
	ExpireAt    time.Time `json:"expire_at"`
}

// CreateOrderResponse is the answer to POST /v3/orders.
type CreateOrderResponse struct {
	PrepayID string `json:"prepay_id"`
	PayURL   string `json:"pay_url"`
}

// Order is the answer to GET /v3/orders/{out_trade_no}.
type Order struct {
	OutTradeNo    string     `json:"out_trade_no"`
	State         TradeState `json:"state"`
	AmountFen     int64      `json:"amount_fen"`
	RefundedFen   int64      `json:"refunded_fen"`
	TransactionID string     `json:"transaction_id,omitempty"`
	SuccessTime   *time.Time `json:"success_time,omitempty"`
}

// RefundRequest is the body of POST /v3/refunds.
type RefundRequest struct {
	OutTradeNo  string `json:"out_trade_no"`
	OutRefundNo string `json:"out_refund_no"`
	AmountFen   int64  `json:"amount_fen"`
}

// RefundResponse is the answer to POST /v3/refunds.
type RefundResponse struct {
	RefundID    string `json:"refund_id"`
	OutRefundNo string `json:"out_refund_no"`
	OutTradeNo  string `json:"out_trade_no"`
	AmountFen   int64  `json:"amount_fen"`
	Status      string `json:"status"`
}

// ErrorBody is the body of every 4xx/5xx answer, and of a merchant's answer to a
// notification ({"code":"SUCCESS"} or {"code":"FAIL"}).
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// NotificationBody is the JSON a notification carries.
type NotificationBody struct {
	ID           string    `json:"id"`
	CreateTime   time.Time `json:"create_time"`
	EventType    string    `json:"event_type"`
	ResourceType string    `json:"resource_type"`
	Resource     Resource  `json:"resource"`
}

// Resource is the encrypted part of a notification.
type Resource struct {
	Algorithm      string `json:"algorithm"`
	Ciphertext     string `json:"ciphertext"`
	Nonce          string `json:"nonce"`
	AssociatedData string `json:"associated_data"`
	OriginalType   string `json:"original_type"`
}

// Transaction is the plaintext of a TRANSACTION.* resource.
type Transaction struct {
	OutTradeNo    string     `json:"out_trade_no"`
	TransactionID string     `json:"transaction_id"`
	AmountFen     int64      `json:"amount_fen"`
	TradeState    TradeState `json:"trade_state"`
	SuccessTime   time.Time  `json:"success_time"`
}
