package sqliteorders

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
	rows, err := s.db.QueryContext(ctx, "SELECT "+columns+` FROM recharge_orders
		WHERE merchant_key = ? AND state = 'credited' AND updated_at >= ? AND updated_at < ?
		ORDER BY order_id LIMIT ?`, merchantKey, from.UnixMicro(), to.UnixMicro(), orders.MaxSettled)
	if err != nil {
		return nil, nil, mapErr("settled orders", err)
	}
	paid, err := collect(rows, "settled orders")
	if err != nil {
		return nil, nil, err
	}
	rows, err = s.db.QueryContext(ctx, "SELECT "+refundColumns+` FROM order_refunds
		WHERE state = 'succeeded' AND updated_at >= ? AND updated_at < ?
		AND order_id IN (SELECT order_id FROM recharge_orders WHERE merchant_key = ?)
		ORDER BY refund_no LIMIT ?`, from.UnixMicro(), to.UnixMicro(), merchantKey, orders.MaxSettled)
	if err != nil {
		return nil, nil, mapErr("settled refunds", err)
	}
	refunds, err := collectRefunds(rows)
	if err != nil {
		return nil, nil, err
	}
	return paid, refunds, nil
}
