package aggregator

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors of calls to WeChat Pay. Check them with errors.Is; *APIError carries the
// status and code of an error answer.
var (
	// ErrUnavailable: the operation's breaker is open (or half-open and busy); nothing
	// was sent. Try again later.
	ErrUnavailable = errors.New("wechatpay: temporarily unavailable")
	// ErrTemporary: transport error, timeout, 5xx or 429 — what the breakers count.
	ErrTemporary = errors.New("wechatpay: temporary failure")
	// ErrOutcomeUnknown: a prepay, close or refund may or may not have taken effect
	// (timeout, transport error after sending, 5xx, an answer that did not verify).
	// Resolve by query; never by creating a second order.
	ErrOutcomeUnknown = errors.New("wechatpay: outcome unknown, resolve by query")

	ErrOrderPaid      = errors.New("wechatpay: order already paid")             // ORDERPAID
	ErrOrderClosed    = errors.New("wechatpay: order closed")                   // ORDER_CLOSED
	ErrNotFound       = errors.New("wechatpay: no such order or refund")        // ORDER_NOT_EXIST, RESOURCE_NOT_EXISTS
	ErrNotEnough      = errors.New("wechatpay: merchant balance not enough")    // NOT_ENOUGH
	ErrConflict       = errors.New("wechatpay: out_trade_no used")              // OUT_TRADE_NO_USED
	ErrInvalidRequest = errors.New("wechatpay: invalid request")                // PARAM_ERROR, INVALID_REQUEST, local checks
	ErrRejected       = errors.New("wechatpay: request rejected or answer bad") // other 4xx (SIGN_ERROR, NO_AUTH…), malformed answers

	// Verification errors (notifications and signed answers).
	ErrStale        = errors.New("wechatpay: timestamp outside the 5-minute window")
	ErrBadSignature = errors.New("wechatpay: bad signature")
	ErrBadResource  = errors.New("wechatpay: bad notification resource")
)

// APIError is a non-2xx answer. It unwraps to the sentinel of its code (ErrOrderPaid,
// …) and, for 5xx and 429, to ErrTemporary. Error answers are not signed by WeChat
// Pay, so nothing in one is trusted beyond "no"; a 404 ORDER_NOT_EXIST to a query is
// "no such order", which a forger could also say, and which query-based resolution
// treats as nothing more than "not paid yet, as far as we know".
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wechatpay: HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// Unwrap maps the code (or the status) to a sentinel error.
func (e *APIError) Unwrap() error {
	if e.Temporary() {
		return ErrTemporary
	}
	switch e.Code {
	case CodeOrderPaid:
		return ErrOrderPaid
	case CodeOrderClosed:
		return ErrOrderClosed
	case CodeOrderNotExist, CodeResourceNotExists:
		return ErrNotFound
	case CodeNotEnough:
		return ErrNotEnough
	case CodeOutTradeNoUsed:
		return ErrConflict
	case CodeParamError, CodeInvalidRequest:
		return ErrInvalidRequest
	}
	if e.Status == http.StatusNotFound {
		return ErrNotFound
	}
	return ErrRejected
}

// Temporary reports a 5xx, a 429 or a FREQUENCY_LIMITED/SYSTEM_ERROR code: a failure
// the breaker counts.
func (e *APIError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests ||
		e.Code == CodeFrequencyLimited || e.Code == CodeSystemError
}
