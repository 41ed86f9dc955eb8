package recharge

import (
	"context"
	"errors"
	"time"

	"github.com/onecode/onecode/domain/order"
)

// Aggregator is what the recharges need of the payment aggregator. An adapter
// (gateway/aggregator) implements it over the real client, marking its errors with
// the sentinels below; any other error is an outcome not known (a timeout, a 5xx, an
// answer that did not verify): the order may exist.
type Aggregator interface {
	// Place asks the aggregator for the order; the same request always gets the
	// same order (and pay URL) back.
	Place(ctx context.Context, req PlaceRequest) (Placed, error)
	// Query says where the order is at the aggregator (RemoteUnknown when it has
	// no such order).
	Query(ctx context.Context, orderID string) (RemoteOrder, error)
	// Close closes an unpaid order (ErrOrderPaid if it was paid meanwhile).
	Close(ctx context.Context, orderID string) error
}

// PlaceRequest is an order as the aggregator gets it.
type PlaceRequest struct {
	OrderID     string // ours; the aggregator's out_trade_no
	AmountFen   int64
	Description string
	NotifyURL   string
	ExpiresAt   time.Time // UTC
}

// Placed is the aggregator's answer to PlaceRequest.
type Placed struct {
	PayURL string
}

// RemoteOrder is what the aggregator says of an order.
type RemoteOrder struct {
	State         order.Remote
	AmountFen     int64
	TransactionID string // set when paid
}

// Errors of an Aggregator. Check them with errors.Is.
var (
	// ErrAggregatorUnavailable: nothing was sent (the breaker is open): the
	// aggregator has no order from this call. Try again later.
	ErrAggregatorUnavailable = errors.New("recharge: aggregator unavailable, nothing sent")
	// ErrAggregatorRefused: the aggregator answered no (a business decline or an
	// invalid request): it has no order from this call.
	ErrAggregatorRefused = errors.New("recharge: aggregator refused the request")
	// ErrOrderPaid: the order was paid (never a refusal: the money is real).
	ErrOrderPaid = errors.New("recharge: order paid at the aggregator")
	// ErrOrderClosed: the order is closed at the aggregator.
	ErrOrderClosed = errors.New("recharge: order closed at the aggregator")
	// ErrOrderConflict: the order number was used with other fields.
	ErrOrderConflict = errors.New("recharge: order number used with other fields")
)

// definiteFailure: the aggregator has no such order and will not get one (nothing
// was sent, or it refused the request). A timeout, a 5xx or an unverifiable answer is
// not definite: the order may exist.
func definiteFailure(err error) bool {
	if errors.Is(err, ErrOrderPaid) {
		return false
	}
	return errors.Is(err, ErrAggregatorUnavailable) || errors.Is(err, ErrAggregatorRefused)
}
