package pgdirectory

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/directory"
)

// BindGuardian implements directory.Store. The parent's and the pupil's rows
// are locked (in that order) while counting, so concurrent binds cannot pass
// the bounds together; the code's row is deleted in the same transaction, so
// a code binds once.
func (s *Store) BindGuardian(ctx context.Context, g directory.Guardianship, opts directory.BindOptions) (bool, error) {
	if err := directory.ValidateGuardianship(&g); err != nil {
		return false, err
	}
	if err := directory.ValidateBindOptions(&opts); err != nil {
		return false, err
	}
	created := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		bound, err := lockAndCount(ctx, tx, g)
		if err != nil || bound {
			return err
		}
		if opts.CodeHash != nil {
			tag, err := tx.Exec(ctx, "DELETE FROM bind_codes WHERE account_id = $1 AND code_hash = $2 AND expires_at > $3",
				g.AccountID, opts.CodeHash, opts.Now)
			if err != nil {
				return mapErr("use bind code", err)
			}
			if tag.RowsAffected() != 1 {
				return directory.ErrNoBindCode
			}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO guardianships (parent_id, account_id, relation, created_at) VALUES ($1, $2, $3, $4)",
			g.ParentID, g.AccountID, g.Relation, s.clock()); err != nil {
			return mapErr("bind", err)
		}
		created = true
		return s.notifyGuardians(ctx, tx, g.AccountID, g.ParentID, opts.Notice)
	})
	return created && err == nil, err
}

// lockAndCount locks the parent's and the pupil's rows and says whether the
// binding exists; a new one beyond the bounds is ErrConflict.
func lockAndCount(ctx context.Context, tx pgx.Tx, g directory.Guardianship) (bool, error) {
	var one int
	if err := tx.QueryRow(ctx, "SELECT 1 FROM parents WHERE id = $1 FOR NO KEY UPDATE", g.ParentID).Scan(&one); err != nil {
		return false, mapErr("parent "+g.ParentID, err)
	}
	if err := tx.QueryRow(ctx, "SELECT 1 FROM pupils WHERE account_id = $1 FOR NO KEY UPDATE", g.AccountID).Scan(&one); err != nil {
		return false, mapErr("pupil "+g.AccountID, err)
	}
	var bound bool
	var children, guardians int
	if err := tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM guardianships WHERE parent_id = $1 AND account_id = $2),
			(SELECT count(*) FROM guardianships WHERE parent_id = $1),
			(SELECT count(*) FROM guardianships WHERE account_id = $2)`, g.ParentID, g.AccountID).
		Scan(&bound, &children, &guardians); err != nil {
		return false, mapErr("count guardianships", err)
	}
	switch {
	case bound:
		return true, nil
	case children >= directory.MaxChildren:
		return false, fmt.Errorf("%w: parent %s already has %d children", directory.ErrConflict, g.ParentID, children)
	case guardians >= directory.MaxGuardians:
		return false, fmt.Errorf("%w: pupil %s already has %d guardians", directory.ErrConflict, g.AccountID, guardians)
	}
	return false, nil
}

// notifyGuardians enqueues notice for every guardian of accountID but except.
func (s *Store) notifyGuardians(ctx context.Context, tx pgx.Tx, accountID, except string, notice *directory.Message) error {
	if notice == nil {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO outbox (topic, recipient, payload, created_at)
		SELECT $1, parent_id, $2, $3 FROM guardianships WHERE account_id = $4 AND parent_id <> $5 ORDER BY created_at, parent_id`,
		notice.Topic, string(notice.Payload), s.clock(), accountID, except)
	return mapErr("notify guardians", err)
}

// Unbind implements directory.Store.
func (s *Store) Unbind(ctx context.Context, parentID, accountID string, notice *directory.Message) error {
	if err := directory.ValidateGuardianship(&directory.Guardianship{ParentID: parentID, AccountID: accountID, Relation: "x"}); err != nil {
		return err
	}
	if err := directory.ValidateNotice(notice); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM guardianships WHERE parent_id = $1 AND account_id = $2", parentID, accountID)
		if err != nil {
			return mapErr("unbind", err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("%w: parent %s is not bound to %s", directory.ErrNotFound, parentID, accountID)
		}
		return s.notifyGuardians(ctx, tx, accountID, parentID, notice)
	})
}

// PutBindCode implements directory.Store.
func (s *Store) PutBindCode(ctx context.Context, c directory.BindCode) error {
	if err := directory.ValidateBindCode(&c); err != nil {
		return err
	}
	_, err := s.exec(ctx, "put bind code", `INSERT INTO bind_codes (account_id, code_hash, expires_at, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, created_at = excluded.created_at`,
		c.AccountID, c.Hash, c.ExpiresAt, s.clock())
	return err
}
