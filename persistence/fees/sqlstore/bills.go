package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/fees"
)

// PutBill implements fees.Store.
func (s *Store) PutBill(ctx context.Context, b fees.Bill) (bool, error) {
	if err := fees.ValidateBill(b); err != nil {
		return false, err
	}
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO fee_bills (item_id, account_id, school_id, class_id,
			due_fen, paid_fen, exempted_fen, status, seq, updated_at, refunded_fen)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (item_id, account_id) DO UPDATE SET class_id = excluded.class_id, due_fen = excluded.due_fen,
			paid_fen = excluded.paid_fen, exempted_fen = excluded.exempted_fen, status = excluded.status,
			seq = excluded.seq, updated_at = excluded.updated_at, refunded_fen = excluded.refunded_fen
		WHERE fee_bills.seq < excluded.seq AND fee_bills.school_id = excluded.school_id`),
		b.ItemID, b.AccountID, b.SchoolID, b.ClassID, b.DueFen, b.PaidFen, b.ExemptedFen, string(b.Status), b.Seq, s.clock(), b.RefundedFen)
	if err != nil {
		return false, s.mapErr("put bill "+b.ItemID+"/"+b.AccountID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, s.mapErr("put bill", err)
}

// UpdateBill implements fees.Store.
func (s *Store) UpdateBill(ctx context.Context, b fees.Bill) (bool, error) {
	if err := fees.ValidateBillUpdate(b); err != nil {
		return false, err
	}
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE fee_bills SET due_fen = ?, paid_fen = ?, exempted_fen = ?, status = ?,
			seq = ?, updated_at = ?, refunded_fen = ?
		WHERE item_id = ? AND account_id = ? AND seq < ?`),
		b.DueFen, b.PaidFen, b.ExemptedFen, string(b.Status), b.Seq, s.clock(), b.RefundedFen, b.ItemID, b.AccountID, b.Seq)
	if err != nil {
		return false, s.mapErr("update bill "+b.ItemID+"/"+b.AccountID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, s.mapErr("update bill", err)
}

// PutBills implements fees.Store.
func (s *Store) PutBills(ctx context.Context, bs []fees.Bill) (int, error) {
	if len(bs) == 0 || len(bs) > fees.MaxListLimit {
		return 0, fmt.Errorf("%w: %d bills, want 1..%d", fees.ErrInvalid, len(bs), fees.MaxListLimit)
	}
	// One row per bill (a statement may not upsert a row twice), at its highest seq.
	latest := map[[2]string]int{}
	var rows []fees.Bill
	for _, b := range bs {
		if err := fees.ValidateBill(b); err != nil {
			return 0, err
		}
		k := [2]string{b.ItemID, b.AccountID}
		if i, ok := latest[k]; ok {
			if b.Seq > rows[i].Seq {
				rows[i] = b
			}
			continue
		}
		latest[k] = len(rows)
		rows = append(rows, b)
	}
	now := s.clock()
	args := make([]any, 0, 11*len(rows))
	for _, b := range rows {
		args = append(args, b.ItemID, b.AccountID, b.SchoolID, b.ClassID, b.DueFen, b.PaidFen, b.ExemptedFen, string(b.Status), b.Seq, now, b.RefundedFen)
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(rows)), ", ")
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO fee_bills (item_id, account_id, school_id, class_id,
			due_fen, paid_fen, exempted_fen, status, seq, updated_at, refunded_fen)
		VALUES `+values+`
		ON CONFLICT (item_id, account_id) DO UPDATE SET class_id = excluded.class_id, due_fen = excluded.due_fen,
			paid_fen = excluded.paid_fen, exempted_fen = excluded.exempted_fen, status = excluded.status,
			seq = excluded.seq, updated_at = excluded.updated_at, refunded_fen = excluded.refunded_fen
		WHERE fee_bills.seq < excluded.seq AND fee_bills.school_id = excluded.school_id`), args...)
	if err != nil {
		return 0, s.mapErr(fmt.Sprintf("put %d bills", len(rows)), err)
	}
	n, err := res.RowsAffected()
	return int(n), s.mapErr("put bills", err)
}

// ListBills implements fees.Store.
func (s *Store) ListBills(ctx context.Context, itemID, classID, after string, limit int) ([]fees.Bill, error) {
	if err := fees.ValidateLimit(limit); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT item_id, account_id, school_id, class_id, due_fen, paid_fen,
			exempted_fen, status, seq, refunded_fen FROM fee_bills
		WHERE item_id = ? AND (? = '' OR class_id = ?) AND account_id > ?
		ORDER BY account_id LIMIT ?`), itemID, classID, classID, after, limit)
	if err != nil {
		return nil, s.mapErr("bills of "+itemID, err)
	}
	defer rows.Close()
	var out []fees.Bill
	for rows.Next() {
		var b fees.Bill
		var status string
		if err := rows.Scan(&b.ItemID, &b.AccountID, &b.SchoolID, &b.ClassID, &b.DueFen, &b.PaidFen, &b.ExemptedFen,
			&status, &b.Seq, &b.RefundedFen); err != nil {
			return nil, s.mapErr("bills of "+itemID, err)
		}
		b.Status = fee.Status(status)
		out = append(out, b)
	}
	return out, s.mapErr("bills of "+itemID, rows.Err())
}

// ClassTotals implements fees.Store.
func (s *Store) ClassTotals(ctx context.Context, itemID string) ([]fees.ClassTotal, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT class_id, CAST(count(*) AS BIGINT),
			CAST(sum(CASE WHEN status IN ('paid', 'exempt', 'refunded') THEN 1 ELSE 0 END) AS BIGINT),
			CAST(sum(due_fen) AS BIGINT), CAST(sum(paid_fen) AS BIGINT), CAST(sum(exempted_fen) AS BIGINT),
			CAST(sum(refunded_fen) AS BIGINT)
		FROM fee_bills WHERE item_id = ? GROUP BY class_id ORDER BY class_id LIMIT ?`), itemID, fees.MaxClassTotals)
	if err != nil {
		return nil, s.mapErr("class totals of "+itemID, err)
	}
	defer rows.Close()
	var out []fees.ClassTotal
	for rows.Next() {
		var t fees.ClassTotal
		if err := rows.Scan(&t.ClassID, &t.Bills, &t.Settled, &t.DueFen, &t.PaidFen, &t.ExemptedFen, &t.RefundedFen); err != nil {
			return nil, s.mapErr("class totals of "+itemID, err)
		}
		t.OutstandingFen = t.DueFen - t.PaidFen - t.ExemptedFen
		out = append(out, t)
	}
	return out, s.mapErr("class totals of "+itemID, rows.Err())
}

// PublishedDueOn implements fees.Store.
func (s *Store) PublishedDueOn(ctx context.Context, day schoolday.Date, after string, limit int) ([]fees.Item, error) {
	if err := fees.ValidateLimit(limit); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+itemColumns+` FROM fee_items WHERE state = ? AND due_day = ? AND item_id > ?
		ORDER BY item_id LIMIT ?`), string(fee.Published), int64(day), after, limit)
	if err != nil {
		return nil, s.mapErr("fee items due", err)
	}
	defer rows.Close()
	var out []fees.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, s.mapErr("fee items due", err)
		}
		out = append(out, it)
	}
	return out, s.mapErr("fee items due", rows.Err())
}
