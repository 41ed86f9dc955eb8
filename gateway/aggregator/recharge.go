package aggregator

import (
	"context"
	"errors"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
)

// Orders is what the recharge port needs of the aggregator (*Client).
type Orders interface {
	CreateOrder(ctx context.Context, req CreateOrderRequest) (CreateOrderResponse, error)
	QueryOrder(ctx context.Context, outTradeNo string) (Order, error)
	CloseOrder(ctx context.Context, outTradeNo string) error
}

// RechargePort adapts the aggregator client to the port app/recharge declares:
// its own request and answer types, and errors marked with the port's sentinels.
type RechargePort struct{ orders Orders }

var _ recharge.Aggregator = RechargePort{}

// NewRechargePort returns the port over c (usually a *Client).
func NewRechargePort(c Orders) RechargePort { return RechargePort{orders: c} }

// Place implements recharge.Aggregator.
func (p RechargePort) Place(ctx context.Context, req recharge.PlaceRequest) (recharge.Placed, error) {
	resp, err := p.orders.CreateOrder(ctx, CreateOrderRequest{OutTradeNo: req.OrderID, AmountFen: req.AmountFen,
		Description: req.Description, NotifyURL: req.NotifyURL, ExpireAt: req.ExpiresAt})
	if err != nil {
		return recharge.Placed{}, portError(err)
	}
	return recharge.Placed{PayURL: resp.PayURL}, nil
}

// Query implements recharge.Aggregator: an order the aggregator does not know is
// order.RemoteUnknown, not an error.
func (p RechargePort) Query(ctx context.Context, orderID string) (recharge.RemoteOrder, error) {
	q, err := p.orders.QueryOrder(ctx, orderID)
	if errors.Is(err, ErrNotFound) {
		return recharge.RemoteOrder{State: order.RemoteUnknown}, nil
	}
	if err != nil {
		return recharge.RemoteOrder{}, portError(err)
	}
	return recharge.RemoteOrder{State: remoteStates[q.State], AmountFen: q.AmountFen, TransactionID: q.TransactionID}, nil
}

// Close implements recharge.Aggregator.
func (p RechargePort) Close(ctx context.Context, orderID string) error {
	return portError(p.orders.CloseOrder(ctx, orderID))
}

// remoteStates: QueryOrder answers only known trade states; an unknown one would be
// the zero Remote, which order.Resolve leaves alone.
var remoteStates = map[TradeState]order.Remote{
	StateNotPay:  order.RemoteNotPaid,
	StateSuccess: order.RemotePaid,
	StateClosed:  order.RemoteClosed,
	StateRefund:  order.RemoteRefunded,
}

// portError marks err with the port's sentinels, keeping it in the chain. A
// temporary failure (timeout, 5xx, 429) and an answer that did not verify stay
// unmarked: their outcome is not known.
func portError(err error) error {
	if err == nil {
		return nil
	}
	var marks []error
	switch {
	case errors.Is(err, ErrUnavailable):
		marks = append(marks, recharge.ErrAggregatorUnavailable)
	case errors.Is(err, ErrTemporary):
		return err
	case errors.Is(err, ErrOrderPaid):
		marks = append(marks, recharge.ErrOrderPaid)
	case errors.Is(err, ErrOrderClosed):
		marks = append(marks, recharge.ErrOrderClosed)
	case errors.Is(err, ErrConflict):
		marks = append(marks, recharge.ErrOrderConflict)
	}
	var ae *APIError
	if !errors.Is(err, ErrOrderPaid) && (errors.As(err, &ae) || errors.Is(err, ErrInvalidRequest)) {
		marks = append(marks, recharge.ErrAggregatorRefused)
	}
	if len(marks) == 0 {
		return err
	}
	return &markedError{err: err, marks: marks}
}

// markedError is err, also matching each of marks with errors.Is.
type markedError struct {
	err   error
	marks []error
}

func (e *markedError) Error() string   { return e.err.Error() }
func (e *markedError) Unwrap() []error { return append([]error{e.err}, e.marks...) }
