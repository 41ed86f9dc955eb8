package sqliteoutbox

import (
	"context"
	"database/sql"
	"errors"

	"github.com/onecode/onecode/persistence/outbox"
)

// RecordDeliveries implements outbox.Store: one transaction for the batch.
func (s *Store) RecordDeliveries(ctx context.Context, rs []outbox.Receipt) (outbox.ReceiptsLeft, error) {
	rs, err := outbox.ValidateReceipts(rs)
	if err != nil {
		return outbox.ReceiptsLeft{}, err
	}
	var left outbox.ReceiptsLeft
	now := s.clock()
	err = errs.SQLiteTx(ctx, s.db, func(tx *sql.Tx) error {
		left = outbox.ReceiptsLeft{}
		for _, r := range rs {
			res, err := tx.ExecContext(ctx, `UPDATE notices SET delivery = ?, delivery_detail = ?, delivered_at = ? WHERE id = ? AND state = 'sent'`,
				string(r.Delivery()), r.Detail, now, r.ID)
			if err != nil {
				return mapErr("record deliveries", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				continue
			}
			var state string
			switch err := tx.QueryRowContext(ctx, "SELECT state FROM notices WHERE id = ?", r.ID).Scan(&state); {
			case errors.Is(err, sql.ErrNoRows):
				left.Unknown = append(left.Unknown, r.ID)
			case err != nil:
				return mapErr("record deliveries", err)
			default:
				left.NotSent = append(left.NotSent, r.ID)
			}
		}
		return nil
	})
	if err != nil {
		return outbox.ReceiptsLeft{}, err
	}
	return left, nil
}
