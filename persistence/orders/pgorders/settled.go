package pgorders

import (
	"context"
	"time"

	"github.com/onecode/onecode/persistence/orders"
)

// Settled implements orders.Settlements.
func (s *Store) Settled(ctx context.Context, merchantKey string, from, to time.Time) ([]orders.Order, []orders.Refund, error) {
	if err := orders.ValidateSettled(merchantKey, from, to); err != nil {
		return nil, nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+columns+` FROM recharge_orders
		WHERE merchant_key = $1 AND state = 'credited' AND updated_at >= $2 AND updated_at < $3
		ORDER BY order_id LIMIT $4`, merchantKey, orders.Micro(from), orders.Micro(to), orders.MaxSettled)
	if err != nil {
		return nil, nil, mapErr("settled orders", err)
	}
	paid, err := collect(rows, "settled orders")
	if err != nil {
		return nil, nil, err
	}
	rows, err = s.pool.Query(ctx, "SELECT "+refundColumns+` FROM order_refunds
		WHERE state = 'succeeded' AND updated_at >= $1 AND updated_at < $2
		AND order_id IN (SELECT order_id FROM recharge_orders WHERE merchant_key = $3)
		ORDER BY refund_no LIMIT $4`, orders.Micro(from), orders.Micro(to), merchantKey, orders.MaxSettled)
	if err != nil {
		return nil, nil, mapErr("settled refunds", err)
	}
	refunds, err := collectRefunds(rows)
	if err != nil {
		return nil, nil, err
	}
	return paid, refunds, nil
}
