package pgorders

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/orders"
)

var _ orders.RefundStore = (*Store)(nil)

const refundColumns = `refund_no, request_id, school_id, order_id, account_id, item_id, amount_fen, reason, staff_id,
	state, provider_refund_id, created_at, updated_at`

func scanRefund(row pgx.Row) (orders.Refund, error) {
	var r orders.Refund
	var state string
	err := row.Scan(&r.RefundNo, &r.RequestID, &r.SchoolID, &r.OrderID, &r.AccountID, &r.ItemID, &r.AmountFen, &r.Reason,
		&r.StaffID, &state, &r.ProviderRefundID, &r.CreatedAt, &r.UpdatedAt)
	r.State = orders.RefundState(state)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

// CreateRefund implements orders.RefundStore.
func (s *Store) CreateRefund(ctx context.Context, r orders.Refund, check func(int64) error) (orders.Refund, bool, error) {
	if err := orders.ValidateRefund(&r); err != nil {
		return orders.Refund{}, false, err
	}
	var got orders.Refund
	created := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Serialise the refunds of one order: the check sees every refund of it.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "order_refunds:"+r.OrderID); err != nil {
			return mapErr("lock order "+r.OrderID, err)
		}
		existing, err := scanRefund(tx.QueryRow(ctx, "SELECT "+refundColumns+" FROM order_refunds WHERE school_id = $1 AND request_id = $2",
			r.SchoolID, r.RequestID))
		if err == nil {
			got = existing
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return mapErr("refund of request", err)
		}
		if check != nil {
			var sum int64
			if err := tx.QueryRow(ctx, `SELECT COALESCE(sum(amount_fen), 0)::bigint FROM order_refunds
				WHERE order_id = $1 AND state NOT IN ('failed', 'closed')`, r.OrderID).Scan(&sum); err != nil {
				return mapErr("refunded sum of "+r.OrderID, err)
			}
			if err := check(sum); err != nil {
				return err
			}
		}
		got, err = scanRefund(tx.QueryRow(ctx, `INSERT INTO order_refunds (`+refundColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', $11, $12)
			ON CONFLICT (school_id, request_id) DO NOTHING RETURNING `+refundColumns,
			r.RefundNo, r.RequestID, r.SchoolID, r.OrderID, r.AccountID, r.ItemID, r.AmountFen, r.Reason, r.StaffID,
			string(r.State), r.CreatedAt, s.clock()))
		if errors.Is(err, pgx.ErrNoRows) { // the same request, for another order, won the race
			got, err = scanRefund(tx.QueryRow(ctx, "SELECT "+refundColumns+" FROM order_refunds WHERE school_id = $1 AND request_id = $2",
				r.SchoolID, r.RequestID))
			return mapErr("refund of request", err)
		}
		if err != nil {
			return mapErr("create refund "+r.RefundNo, err)
		}
		created = true
		return nil
	})
	if err != nil {
		return orders.Refund{}, false, err
	}
	return got, created, nil
}

// GetRefund implements orders.RefundStore.
func (s *Store) GetRefund(ctx context.Context, refundNo string) (orders.Refund, error) {
	if err := orders.ValidateOrderID(refundNo); err != nil {
		return orders.Refund{}, err
	}
	r, err := scanRefund(s.pool.QueryRow(ctx, "SELECT "+refundColumns+" FROM order_refunds WHERE refund_no = $1", refundNo))
	return r, mapErr("refund "+refundNo, err)
}

// MoveRefund implements orders.RefundStore.
func (s *Store) MoveRefund(ctx context.Context, refundNo string, from []orders.RefundState, to orders.RefundState, providerID string) (orders.Refund, error) {
	if err := orders.ValidateMoveRefund(refundNo, from, to, providerID); err != nil {
		return orders.Refund{}, err
	}
	r, err := scanRefund(s.pool.QueryRow(ctx, `UPDATE order_refunds SET state = $2,
			provider_refund_id = CASE WHEN $3 = '' THEN provider_refund_id ELSE $3 END, updated_at = $4
		WHERE refund_no = $1 AND state = ANY($5) RETURNING `+refundColumns,
		refundNo, string(to), providerID, s.clock(), orders.RefundStrings(from)))
	if !errors.Is(err, pgx.ErrNoRows) {
		return r, mapErr("move refund "+refundNo, err)
	}
	cur, err := s.GetRefund(ctx, refundNo)
	if err != nil {
		return orders.Refund{}, err
	}
	return orders.Refund{}, fmt.Errorf("%w: refund %s is %s, not one of %v", orders.ErrConflict, refundNo, cur.State, from)
}

// ListRefunds implements orders.RefundStore.
func (s *Store) ListRefunds(ctx context.Context, schoolID string, limit int) ([]orders.Refund, error) {
	if err := orders.ValidateRefundLimit(limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+refundColumns+` FROM order_refunds WHERE school_id = $1
		ORDER BY created_at DESC, refund_no LIMIT $2`, schoolID, limit)
	if err != nil {
		return nil, mapErr("refunds of a school", err)
	}
	return collectRefunds(rows)
}

// RefundsToResolve implements orders.RefundStore.
func (s *Store) RefundsToResolve(ctx context.Context, olderThan time.Time, limit int) ([]orders.Refund, error) {
	if err := orders.ValidateRefundLimit(limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+refundColumns+` FROM order_refunds
		WHERE state IN ('pending', 'processing') AND updated_at < $1 ORDER BY updated_at, refund_no LIMIT $2`,
		orders.Micro(olderThan), limit)
	if err != nil {
		return nil, mapErr("refunds to resolve", err)
	}
	return collectRefunds(rows)
}

func collectRefunds(rows pgx.Rows) ([]orders.Refund, error) {
	defer rows.Close()
	var out []orders.Refund
	for rows.Next() {
		r, err := scanRefund(rows)
		if err != nil {
			return nil, mapErr("refunds", err)
		}
		out = append(out, r)
	}
	return out, mapErr("refunds", rows.Err())
}

// PaidForBill implements orders.RefundStore.
func (s *Store) PaidForBill(ctx context.Context, accountID, itemID string) ([]orders.Order, error) {
	if err := orders.ValidateBill(accountID, itemID); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+columns+` FROM recharge_orders
		WHERE account_id = $1 AND purpose = 'fee' AND item_id = $2 AND state = 'credited'
		ORDER BY created_at, order_id LIMIT $3`, accountID, itemID, orders.MaxBatch)
	if err != nil {
		return nil, mapErr("paid orders of a bill", err)
	}
	return collect(rows, "paid orders of a bill")
}
