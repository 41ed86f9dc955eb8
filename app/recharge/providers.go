package recharge

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/onecode/onecode/persistence/orders"
)

// SingleKey is the merchant key of Single: the one merchant of every school. Orders
// written before merchant keys existed (an empty key) were placed there too.
const SingleKey = "default"

// Single is the Providers of one merchant for every school: today's single
// aggregator merchant, until merchants are configured per school.
func Single(p Provider) Providers { return single{p: p} }

type single struct{ p Provider }

func (s single) For(string) (Provider, error) { return s.p, nil }

func (s single) ByKey(key string) (Provider, error) {
	if key != "" && key != SingleKey {
		return nil, fmt.Errorf("%w: merchant key %q", ErrNoProvider, key)
	}
	return s.p, nil
}

func (s single) MerchantKey(Provider) string { return SingleKey }

// AggregatorProvider makes a Provider of an Aggregator that has no refunds and
// verifies no notifications itself (today's gateway/aggregator port, whose
// notifications the edge verifies with its own Verifier): Refund answers
// ErrAggregatorRefused, QueryRefund ErrRefundNotFound, VerifyNotification
// ErrBadNotification. Transitional, until the adapters implement Provider.
func AggregatorProvider(a Aggregator) Provider { return aggregatorProvider{a} }

type aggregatorProvider struct{ Aggregator }

func (aggregatorProvider) Name() string { return "aggregator" }

func (aggregatorProvider) Refund(context.Context, RefundRequest) (RemoteRefund, error) {
	return RemoteRefund{}, fmt.Errorf("%w: this merchant's adapter has no refunds", ErrAggregatorRefused)
}

func (aggregatorProvider) QueryRefund(context.Context, string, string) (RemoteRefund, error) {
	return RemoteRefund{}, ErrRefundNotFound
}

func (aggregatorProvider) VerifyNotification(http.Header, []byte, time.Time) (Notice, error) {
	return Notice{}, fmt.Errorf("%w: this merchant's notifications are verified at the edge", ErrBadNotification)
}

func (aggregatorProvider) Ack(w http.ResponseWriter, err error) {
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// providerOf is the merchant an order was placed with.
func (s *Service) providerOf(o orders.Order) (Provider, error) {
	p, err := s.cfg.Providers.ByKey(o.MerchantKey)
	if err != nil {
		s.log.Error("ORDER OF AN UNKNOWN MERCHANT: not queried", "order", o.OrderID, "merchant", o.MerchantKey, "err", err)
		return nil, err
	}
	return p, nil
}

// providerFor is the merchant of a school and its key (ErrDisabled when the school
// has none).
func (s *Service) providerFor(schoolID string) (Provider, string, error) {
	p, err := s.cfg.Providers.For(schoolID)
	if err != nil {
		s.log.Warn("no payment merchant for the school", "school", schoolID, "err", err)
		return nil, "", ErrDisabled
	}
	return p, s.cfg.Providers.MerchantKey(p), nil
}
