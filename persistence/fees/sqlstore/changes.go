package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/onecode/onecode/persistence/fees"
)

// inTx runs f in a transaction (BEGIN IMMEDIATE on SQLite, as its DSN sets),
// committed if f returns nil. f's error is returned as it is.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErr("begin", err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return s.mapErr("commit", tx.Commit())
}

const changeColumns = `item_id, seq, change_key, kind, staff_id, role, account_id, at, detail`

func scanChange(r row) (fees.Change, error) {
	var (
		c    fees.Change
		kind string
		at   int64
	)
	if err := r.Scan(&c.ItemID, &c.Seq, &c.Key, &kind, &c.StaffID, &c.Role, &c.AccountID, &at, &c.Detail); err != nil {
		return fees.Change{}, err
	}
	c.Kind, c.At = fees.ChangeKind(kind), time.UnixMicro(at).UTC()
	return c, nil
}

// appendChange appends ch (validated) in tx. It first locks the item's row, so that
// appends to one item are serialised and the next seq is free (PostgreSQL; SQLite's
// immediate transactions are serialised anyway).
func (s *Store) appendChange(ctx context.Context, tx *sql.Tx, ch fees.Change) (fees.Change, bool, error) {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE fee_items SET updated_at = updated_at WHERE item_id = ?`), ch.ItemID)
	if err != nil {
		return fees.Change{}, false, s.mapErr("lock fee item "+ch.ItemID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fees.Change{}, false, fmt.Errorf("%w: fee item %s", fees.ErrNotFound, ch.ItemID)
	}
	got, err := scanChange(tx.QueryRowContext(ctx, s.q("SELECT "+changeColumns+
		" FROM fee_item_changes WHERE item_id = ? AND change_key = ?"), ch.ItemID, ch.Key))
	if err == nil {
		return got, false, nil
	}
	if err != sql.ErrNoRows {
		return fees.Change{}, false, s.mapErr("read fee item change", err)
	}
	got, err = scanChange(tx.QueryRowContext(ctx, s.q(`INSERT INTO fee_item_changes (`+changeColumns+`)
		VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM fee_item_changes WHERE item_id = ?), ?, ?, ?, ?, ?, ?, ?)
		RETURNING `+changeColumns),
		ch.ItemID, ch.ItemID, ch.Key, string(ch.Kind), ch.StaffID, ch.Role, ch.AccountID, ch.At.UnixMicro(), ch.Detail))
	if err != nil {
		return fees.Change{}, false, s.mapErr("append fee item change", err)
	}
	return got, true, nil
}

// AppendChange implements fees.Store.
func (s *Store) AppendChange(ctx context.Context, ch fees.Change) (fees.Change, bool, error) {
	if err := fees.ValidateChange(&ch); err != nil {
		return fees.Change{}, false, err
	}
	var (
		got     fees.Change
		created bool
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		got, created, err = s.appendChange(ctx, tx, ch)
		return err
	})
	if err != nil {
		return fees.Change{}, false, err
	}
	return got, created, nil
}

// ListChanges implements fees.Store.
func (s *Store) ListChanges(ctx context.Context, itemID string, afterSeq int64, limit int) ([]fees.Change, error) {
	if limit < 1 || limit > fees.MaxChangeListSize {
		return nil, fmt.Errorf("%w: limit %d, want 1–%d", fees.ErrInvalid, limit, fees.MaxChangeListSize)
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+changeColumns+
		" FROM fee_item_changes WHERE item_id = ? AND seq > ? ORDER BY seq LIMIT ?"), itemID, afterSeq, limit)
	if err != nil {
		return nil, s.mapErr("fee item changes", err)
	}
	defer rows.Close()
	var out []fees.Change
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, s.mapErr("fee item changes", err)
		}
		out = append(out, c)
	}
	return out, s.mapErr("fee item changes", rows.Err())
}
