package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/onecode/onecode/persistence/fees"
)

// amountChunk is how many amounts one INSERT writes (5 parameters each).
const amountChunk = 500

// ReplaceAmounts implements fees.Store. The draft check is an UPDATE of the item's
// row in the same transaction, so a concurrent publish (MoveItem) or import waits
// for it or makes it fail; a concurrent import with the same key then finds the
// change journaled.
func (s *Store) ReplaceAmounts(ctx context.Context, itemID, schoolID string, amounts []fees.Amount, ch fees.Change) (bool, error) {
	if err := fees.ValidateAmounts(amounts); err != nil {
		return false, err
	}
	ch.ItemID = itemID
	if err := fees.ValidateChange(&ch); err != nil {
		return false, err
	}
	replaced := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE fee_items SET updated_at = ?
		WHERE item_id = ? AND school_id = ? AND state = 'draft'`), s.clock(), itemID, schoolID)
		if err != nil {
			return s.mapErr("replace amounts of "+itemID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return s.mapErr("replace amounts of "+itemID, err)
			}
			return s.notDraft(ctx, tx, itemID, schoolID)
		}
		var one int
		err = tx.QueryRowContext(ctx, s.q("SELECT 1 FROM fee_item_changes WHERE item_id = ? AND change_key = ?"),
			itemID, ch.Key).Scan(&one)
		if err == nil {
			return errApplied
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return s.mapErr("read fee item change", err)
		}
		if err := s.insertAmounts(ctx, tx, itemID, amounts); err != nil {
			return err
		}
		_, replaced, err = s.appendChange(ctx, tx, ch)
		return err
	})
	if errors.Is(err, errApplied) {
		return false, nil
	}
	return replaced, err
}

// errApplied rolls back a ReplaceAmounts whose change is journaled already.
var errApplied = errors.New("amounts already imported")

// insertAmounts replaces the item's amounts in tx.
func (s *Store) insertAmounts(ctx context.Context, tx *sql.Tx, itemID string, amounts []fees.Amount) error {
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM fee_item_amounts WHERE item_id = ?"), itemID); err != nil {
		return s.mapErr("replace amounts of "+itemID, err)
	}
	for start := 0; start < len(amounts); start += amountChunk {
		chunk := amounts[start:min(start+amountChunk, len(amounts))]
		var b strings.Builder
		b.WriteString("INSERT INTO fee_item_amounts (item_id, account_id, amount_fen, student_no, note, line) VALUES ")
		args := make([]any, 0, 6*len(chunk))
		for i, a := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, itemID, a.AccountID, a.AmountFen, a.StudentNo, a.Note, int64(a.Line))
		}
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return s.mapErr("replace amounts of "+itemID, err)
		}
	}
	return nil
}

// notDraft explains why the draft check of ReplaceAmounts matched no row.
func (s *Store) notDraft(ctx context.Context, tx *sql.Tx, itemID, schoolID string) error {
	var school, state string
	err := tx.QueryRowContext(ctx, s.q("SELECT school_id, state FROM fee_items WHERE item_id = ?"), itemID).Scan(&school, &state)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && school != schoolID) {
		return fmt.Errorf("%w: fee item %s", fees.ErrNotFound, itemID)
	}
	if err != nil {
		return s.mapErr("replace amounts of "+itemID, err)
	}
	return fmt.Errorf("%w: fee item %s is %s, not a draft", fees.ErrConflict, itemID, state)
}

// ListAmounts implements fees.Store.
func (s *Store) ListAmounts(ctx context.Context, itemID string) ([]fees.Amount, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT account_id, amount_fen, student_no, note, line FROM fee_item_amounts
		WHERE item_id = ? ORDER BY line, account_id LIMIT ?`), itemID, fees.MaxAmounts)
	if err != nil {
		return nil, s.mapErr("amounts of "+itemID, err)
	}
	defer rows.Close()
	var out []fees.Amount
	for rows.Next() {
		var a fees.Amount
		var line int64
		if err := rows.Scan(&a.AccountID, &a.AmountFen, &a.StudentNo, &a.Note, &line); err != nil {
			return nil, s.mapErr("amounts of "+itemID, err)
		}
		a.Line = int(line)
		out = append(out, a)
	}
	return out, s.mapErr("amounts of "+itemID, rows.Err())
}
