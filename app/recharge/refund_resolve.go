package recharge

import (
	"context"
	"errors"

	"github.com/onecode/onecode/persistence/orders"
)

// ResolveRefundsOnce runs one bounded round over the pending and processing refunds
// last written more than ResolveAfter ago: each is queried at its provider and
// settled (succeeded), released (closed, failed, or never sent) or sent again with
// the same fields (processing and unknown to the provider: the provider dedupes by
// refund number). It returns how many reached a final state.
func (s *Service) ResolveRefundsOnce(ctx context.Context) (int, error) {
	rs, err := s.refundStore()
	if err != nil {
		return 0, nil // no refunds in this store
	}
	list, err := rs.RefundsToResolve(ctx, s.cfg.Now().Add(-s.cfg.ResolveAfter), min(s.cfg.ResolveBatch, orders.MaxRefundBatch))
	if err != nil {
		return 0, err
	}
	settled := 0
	for _, r := range list {
		if err := ctx.Err(); err != nil {
			return settled, err
		}
		got, err := s.resolveRefund(ctx, rs, r)
		if got.State.Final() {
			settled++
		}
		if errors.Is(err, ErrAggregatorUnavailable) {
			return settled, err
		}
		if err != nil {
			s.log.Warn("refund not resolved this round", "refund", r.RefundNo, "err", err)
		}
	}
	return settled, nil
}

func (s *Service) resolveRefund(ctx context.Context, rs orders.RefundStore, r orders.Refund) (orders.Refund, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Step)
	defer cancel()
	o, err := s.cfg.Orders.Get(ctx, r.OrderID)
	if err != nil {
		return r, err
	}
	p, err := s.providerOf(o)
	if err != nil {
		return r, err
	}
	rr, err := p.QueryRefund(ctx, r.OrderID, r.RefundNo)
	switch {
	case err == nil:
		return s.refundAnswer(ctx, rs, r, rr)
	case !errors.Is(err, ErrRefundNotFound):
		return r, err
	case r.State == orders.RefundPending: // never sent: give the reservation (if any) back
		return s.settleRefund(ctx, rs, r, orders.RefundFailed, "")
	}
	rr, err = p.Refund(ctx, RefundRequest{OrderID: o.OrderID, RefundID: r.RefundNo, AmountFen: r.AmountFen, TotalFen: o.AmountFen,
		Reason: r.Reason, NotifyURL: s.notifyURL(o)})
	switch {
	case err == nil:
		return s.refundAnswer(ctx, rs, r, rr)
	case definiteFailure(err) || errors.Is(err, ErrRefundExceeded):
		return s.settleRefund(ctx, rs, r, orders.RefundFailed, "")
	}
	return r, err
}
