package aggregator

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
)

func TestPortErrorMarks(t *testing.T) {
	marks := []error{recharge.ErrAggregatorUnavailable, recharge.ErrAggregatorRefused, recharge.ErrOrderPaid,
		recharge.ErrOrderClosed, recharge.ErrOrderConflict}
	for _, tc := range []struct {
		name string
		err  error
		want []error // the marks err carries; none is an outcome not known
	}{
		{"breaker open", fmt.Errorf("%w: create: open", ErrUnavailable), []error{recharge.ErrAggregatorUnavailable}},
		{"timeout", fmt.Errorf("%w: %w: deadline", ErrOutcomeUnknown, ErrTemporary), nil},
		{"5xx", fmt.Errorf("%w: %w", ErrOutcomeUnknown, &APIError{Status: 500, Code: CodeSystemError}), nil},
		{"429", &APIError{Status: 429, Code: CodeRateLimited}, nil},
		{"answer not verified", fmt.Errorf("aggregator: create answer: %w", ErrBadSignature), nil},
		{"answer not JSON", fmt.Errorf("%w: not JSON", ErrRejected), nil},
		{"paid", &APIError{Status: 400, Code: CodeOrderPaid}, []error{recharge.ErrOrderPaid}},
		{"closed", &APIError{Status: 400, Code: CodeOrderClosed}, []error{recharge.ErrOrderClosed, recharge.ErrAggregatorRefused}},
		{"conflict", &APIError{Status: 400, Code: CodeConflict}, []error{recharge.ErrOrderConflict, recharge.ErrAggregatorRefused}},
		{"sign error", &APIError{Status: 401, Code: CodeSignError}, []error{recharge.ErrAggregatorRefused}},
		{"invalid request", fmt.Errorf("%w: bad number", ErrInvalidRequest), []error{recharge.ErrAggregatorRefused}},
	} {
		got := portError(tc.err)
		if !errors.Is(got, tc.err) {
			t.Errorf("%s: %v lost its cause", tc.name, got)
		}
		for _, m := range marks {
			want := false
			for _, w := range tc.want {
				want = want || w == m
			}
			if errors.Is(got, m) != want {
				t.Errorf("%s: errors.Is(%v, %v) = %v, want %v", tc.name, got, m, !want, want)
			}
		}
	}
	if portError(nil) != nil {
		t.Error("portError(nil) is not nil")
	}
}

type stubOrders struct {
	q   Order
	err error
}

func (s stubOrders) CreateOrder(context.Context, CreateOrderRequest) (CreateOrderResponse, error) {
	return CreateOrderResponse{PayURL: "https://pay/1"}, s.err
}
func (s stubOrders) QueryOrder(context.Context, string) (Order, error) { return s.q, s.err }
func (s stubOrders) CloseOrder(context.Context, string) error          { return s.err }

func TestRechargePortQuery(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    stubOrders
		want order.Remote
	}{
		{"not found", stubOrders{err: &APIError{Status: 404, Code: CodeNotFound}}, order.RemoteUnknown},
		{"not paid", stubOrders{q: Order{State: StateNotPay}}, order.RemoteNotPaid},
		{"paid", stubOrders{q: Order{State: StateSuccess, AmountFen: 5, TransactionID: "42"}}, order.RemotePaid},
		{"closed", stubOrders{q: Order{State: StateClosed}}, order.RemoteClosed},
		{"refunded", stubOrders{q: Order{State: StateRefund}}, order.RemoteRefunded},
	} {
		got, err := NewRechargePort(tc.o).Query(context.Background(), "R1234567")
		if err != nil || got.State != tc.want {
			t.Errorf("%s: Query = %+v, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}
