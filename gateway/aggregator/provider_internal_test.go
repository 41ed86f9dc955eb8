package aggregator

import (
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
		{"429", &APIError{Status: 429, Code: CodeFrequencyLimited}, nil},
		{"answer not verified", fmt.Errorf("aggregator: create answer: %w", ErrBadSignature), nil},
		{"answer not JSON", fmt.Errorf("%w: not JSON", ErrRejected), nil},
		{"paid", &APIError{Status: 400, Code: CodeOrderPaid}, []error{recharge.ErrOrderPaid}},
		{"closed", &APIError{Status: 400, Code: CodeOrderClosed}, []error{recharge.ErrOrderClosed, recharge.ErrAggregatorRefused}},
		{"conflict", &APIError{Status: 403, Code: CodeOutTradeNoUsed}, []error{recharge.ErrOrderConflict, recharge.ErrAggregatorRefused}},
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

func TestRemoteStateCoversEveryTradeState(t *testing.T) {
	for s, want := range map[TradeState]order.Remote{
		StateNotPay: order.RemoteNotPaid, StateUserPaying: order.RemoteNotPaid, StateSuccess: order.RemotePaid,
		StateRefund: order.RemoteRefunded, StateClosed: order.RemoteClosed, StateRevoked: order.RemoteClosed,
		StatePayError: order.RemoteClosed, "SOMETHING_NEW": 0,
	} {
		if got := RemoteState(s); got != want {
			t.Errorf("RemoteState(%s) = %d, want %d", s, got, want)
		}
		if s.Known() != (want != 0) {
			t.Errorf("%s.Known() = %v", s, s.Known())
		}
	}
}
