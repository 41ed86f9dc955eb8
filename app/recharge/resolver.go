package recharge

import (
	"context"
	"errors"
	"time"

	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/persistence/orders"
)

// RunResolver settles open orders every interval until ctx ends (run it in one
// goroutine per process; several members may run it: every step is idempotent).
func (s *Service) RunResolver(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return errors.New("recharges: resolver interval must be positive")
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.ResolveOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("recharge resolver round stopped early", "err", err)
		}
		if _, err := s.ResolveRefundsOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("refund resolver round stopped early", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// ResolveOnce runs one bounded round over the open orders last written more than
// ResolveAfter ago and returns how many it settled (credited, closed, failed or now
// awaiting payment), as order.Resolve decides. A temporary error leaves the order for
// the next round; an aggregator that is unavailable ends the round.
func (s *Service) ResolveOnce(ctx context.Context) (int, error) {
	list, err := s.cfg.Orders.ListToResolve(ctx, s.cfg.Now().Add(-s.cfg.ResolveAfter), s.cfg.ResolveBatch)
	if err != nil {
		return 0, err
	}
	settled := 0
	for _, o := range list {
		if err := ctx.Err(); err != nil {
			return settled, err
		}
		done, err := s.resolve(ctx, o)
		if done {
			settled++
		}
		if errors.Is(err, ErrAggregatorUnavailable) {
			return settled, err
		}
		if err != nil {
			s.log.Warn("recharge order not resolved this round", "order", o.OrderID, "err", err)
		}
	}
	return settled, nil
}

func (s *Service) resolve(ctx context.Context, o orders.Order) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Step)
	defer cancel()
	expired := !s.cfg.Now().Before(o.ExpiresAt)
	p, err := s.providerOf(o)
	if err != nil {
		return false, err
	}
	q, err := p.Query(ctx, o.OrderID)
	if err != nil {
		return false, err
	}
	action := order.Resolve(o.State, q.State, expired)
	switch {
	case q.State == order.RemoteUnknown:
		s.log.Warn("recharge order unknown to the aggregator", "order", o.OrderID, "state", o.State, "expired", expired)
	case q.State == order.RemoteRefunded:
		s.log.Error("recharge order refunded at the aggregator before it was credited", "order", o.OrderID)
	case action == order.ActionCredit && q.AmountFen != o.AmountFen:
		s.log.Error("RECHARGE AMOUNT MISMATCH at query: not credited", "order", o.OrderID, "order_fen", o.AmountFen, "paid_fen", q.AmountFen)
		action = order.ActionTouch
	}
	switch action {
	case order.ActionCredit:
		err := s.credit(ctx, o, q.TransactionID)
		return err == nil, err
	case order.ActionClose:
		return s.close(ctx, p, o)
	case order.ActionReplace:
		return s.replace(ctx, p, o)
	case order.ActionMarkClosed:
		return s.move(ctx, o, order.StateClosed, orders.Fields{})
	case order.ActionMarkFailed:
		return s.move(ctx, o, order.StateFailed, orders.Fields{})
	}
	return false, s.touch(ctx, o)
}

// close closes an expired unpaid order at the aggregator, then here.
func (s *Service) close(ctx context.Context, p Provider, o orders.Order) (bool, error) {
	err := p.Close(ctx, o.OrderID)
	switch {
	case err == nil, errors.Is(err, ErrOrderClosed):
		return s.move(ctx, o, order.StateClosed, orders.Fields{})
	case errors.Is(err, ErrOrderPaid):
		return false, nil // paid at the last moment: the next query credits it
	}
	return false, err
}

// replace asks the aggregator again, with identical fields, for an order whose create
// answer was lost: it answers with the same order and pay URL (no second order).
func (s *Service) replace(ctx context.Context, p Provider, o orders.Order) (bool, error) {
	resp, err := p.Place(ctx, s.placeRequest(o))
	switch {
	case err == nil:
		return s.move(ctx, o, order.StateAwaitingPayment, recordedPay(channelOf(o.Channel), resp))
	case errors.Is(err, ErrOrderPaid):
		return false, nil
	case errors.Is(err, ErrOrderClosed):
		return s.move(ctx, o, order.StateClosed, orders.Fields{})
	case errors.Is(err, ErrOrderConflict): // our fields changed (notify URL): close it, the parent orders again
		return s.close(ctx, p, o)
	}
	return false, err
}

// move settles o into state to; someone else settling it first is not an error.
func (s *Service) move(ctx context.Context, o orders.Order, to order.State, f orders.Fields) (bool, error) {
	_, err := s.cfg.Orders.Transition(ctx, o.OrderID, []order.State{o.State}, to, f)
	if errors.Is(err, orders.ErrConflict) {
		return false, nil
	}
	if err == nil {
		s.log.Info("recharge order resolved", "order", o.OrderID, "from", o.State, "to", to)
	}
	return err == nil, err
}

// touch records that o was looked at, so the next rounds take other orders first.
func (s *Service) touch(ctx context.Context, o orders.Order) error {
	_, err := s.cfg.Orders.Transition(ctx, o.OrderID, []order.State{o.State}, o.State, orders.Fields{})
	if errors.Is(err, orders.ErrConflict) {
		return nil
	}
	return err
}
