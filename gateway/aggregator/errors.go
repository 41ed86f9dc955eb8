package aggregator

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors of calls to the aggregator. Check them with errors.Is; *APIError carries the
// status and code of a business decline.
var (
	// ErrUnavailable: the operation's breaker is open (or half-open and busy); nothing
	// was sent. Try again later.
	ErrUnavailable = errors.New("aggregator: temporarily unavailable")
	// ErrTemporary: transport error, timeout, 5xx or 429 — what the breakers count.
	ErrTemporary = errors.New("aggregator: temporary failure")
	// ErrOutcomeUnknown: a create, close or refund may or may not have taken effect
	// (timeout, transport error after sending, 5xx). Resolve by QueryOrder; never by
	// creating a second order. Always comes with ErrTemporary.
	ErrOutcomeUnknown = errors.New("aggregator: outcome unknown, resolve by query")

	ErrOrderPaid      = errors.New("aggregator: order already paid")
	ErrOrderClosed    = errors.New("aggregator: order closed")
	ErrNotFound       = errors.New("aggregator: order not found")
	ErrNotPaid        = errors.New("aggregator: order not paid")
	ErrRefundExceeded = errors.New("aggregator: refund exceeds the paid amount")
	ErrConflict       = errors.New("aggregator: out_trade_no or out_refund_no reused with other fields")
	ErrInvalidRequest = errors.New("aggregator: invalid request")
	ErrRejected       = errors.New("aggregator: request rejected") // other 4xx, SIGN_ERROR included

	// Verification errors (notifications and signed responses).
	ErrStale        = errors.New("aggregator: timestamp outside the 5-minute window")
	ErrBadSignature = errors.New("aggregator: bad signature")
	ErrBadResource  = errors.New("aggregator: bad notification resource")
)

// APIError is a non-2xx answer of the aggregator. It unwraps to the sentinel of its
// code (ErrOrderPaid, …) and, for 5xx and 429, to ErrTemporary.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("aggregator: HTTP %d %s: %s", e.Status, e.Code, e.Message)
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
	case CodeNotFound:
		return ErrNotFound
	case CodeNotPaid:
		return ErrNotPaid
	case CodeRefundExceeded:
		return ErrRefundExceeded
	case CodeConflict:
		return ErrConflict
	case CodeInvalidRequest:
		return ErrInvalidRequest
	}
	if e.Status == http.StatusNotFound {
		return ErrNotFound
	}
	return ErrRejected
}

// Temporary reports a 5xx or 429: a failure the breaker counts.
func (e *APIError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}
