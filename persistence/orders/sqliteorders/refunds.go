package sqliteorders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onecode/onecode/persistence/orders"
)

var _ orders.RefundStore = (*Store)(nil)

const refundColumns = `refund_no, request_id, school_id, order_id, account_id, item_id, amount_fen, reason, staff_id,
	state, provider_refund_id, created_at, updated_at`

func scanRefund(r row) (orders.Refund, error) {
	var f orders.Refund
	var state string
	var created, updated int64
	err := r.Scan(&f.RefundNo, &f.RequestID, &f.SchoolID, &f.OrderID, &f.AccountID, &f.ItemID, &f.AmountFen, &f.Reason,
		&f.StaffID, &state, &f.ProviderRefundID, &created, &updated)
	f.State = orders.RefundState(state)
	f.CreatedAt, f.UpdatedAt = fromMicro(created), fromMicro(updated)
	return f, err
}

func refundByRequest(ctx context.Context, q querier, schoolID, requestID string) (orders.Refund, error) {
	r, err := scanRefund(q.QueryRowContext(ctx, "SELECT "+refundColumns+" FROM order_refunds WHERE school_id = ? AND request_id = ?",
		schoolID, requestID))
	return r, mapErr("refund of request "+requestID, err)
}

// CreateRefund implements orders.RefundStore.
func (s *Store) CreateRefund(ctx context.Context, r orders.Refund, check func(int64) error) (orders.Refund, bool, error) {
	if err := orders.ValidateRefund(&r); err != nil {
		return orders.Refund{}, false, err
	}
	var got orders.Refund
	created := false
	err := s.tx(ctx, func(tx *sql.Tx) error { // BEGIN IMMEDIATE: one writer, so the check sees every refund
		existing, err := refundByRequest(ctx, tx, r.SchoolID, r.RequestID)
		if err == nil {
			got = existing
			return nil
		}
		if !errors.Is(err, orders.ErrNotFound) {
			return err
		}
		if check != nil {
			var sum int64
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(sum(amount_fen), 0) FROM order_refunds
				WHERE order_id = ? AND state NOT IN ('failed', 'closed')`, r.OrderID).Scan(&sum); err != nil {
				return mapErr("refunded sum of "+r.OrderID, err)
			}
			if err := check(sum); err != nil {
				return err
			}
		}
		got, err = scanRefund(tx.QueryRowContext(ctx, `INSERT INTO order_refunds (`+refundColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?) RETURNING `+refundColumns,
			r.RefundNo, r.RequestID, r.SchoolID, r.OrderID, r.AccountID, r.ItemID, r.AmountFen, r.Reason, r.StaffID,
			string(r.State), r.CreatedAt.UnixMicro(), s.clock()))
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
	r, err := scanRefund(s.db.QueryRowContext(ctx, "SELECT "+refundColumns+" FROM order_refunds WHERE refund_no = ?", refundNo))
	return r, mapErr("refund "+refundNo, err)
}

// MoveRefund implements orders.RefundStore.
func (s *Store) MoveRefund(ctx context.Context, refundNo string, from []orders.RefundState, to orders.RefundState, providerID string) (orders.Refund, error) {
	if err := orders.ValidateMoveRefund(refundNo, from, to, providerID); err != nil {
		return orders.Refund{}, err
	}
	args := []any{string(to), providerID, providerID, s.clock(), refundNo}
	for _, st := range from {
		args = append(args, string(st))
	}
	r, err := scanRefund(s.db.QueryRowContext(ctx, `UPDATE order_refunds SET state = ?,
			provider_refund_id = CASE WHEN ? = '' THEN provider_refund_id ELSE ? END, updated_at = ?
		WHERE refund_no = ? AND state IN (?`+strings.Repeat(", ?", len(from)-1)+`) RETURNING `+refundColumns, args...))
	if !errors.Is(err, sql.ErrNoRows) {
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
	rows, err := s.db.QueryContext(ctx, "SELECT "+refundColumns+` FROM order_refunds WHERE school_id = ?
		ORDER BY created_at DESC, refund_no LIMIT ?`, schoolID, limit)
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
	rows, err := s.db.QueryContext(ctx, "SELECT "+refundColumns+` FROM order_refunds
		WHERE state IN ('pending', 'processing') AND updated_at < ? ORDER BY updated_at, refund_no LIMIT ?`,
		olderThan.UnixMicro(), limit)
	if err != nil {
		return nil, mapErr("refunds to resolve", err)
	}
	return collectRefunds(rows)
}

func collectRefunds(rows *sql.Rows) ([]orders.Refund, error) {
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
	rows, err := s.db.QueryContext(ctx, "SELECT "+columns+` FROM recharge_orders
		WHERE account_id = ? AND purpose = 'fee' AND item_id = ? AND state = 'credited'
		ORDER BY created_at, order_id LIMIT ?`, accountID, itemID, orders.MaxBatch)
	if err != nil {
		return nil, mapErr("paid orders of a bill", err)
	}
	return collect(rows, "paid orders of a bill")
}
