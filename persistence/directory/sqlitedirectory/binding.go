package sqlitedirectory

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/onecode/onecode/persistence/directory"
)

// BindGuardian implements directory.Store. The transaction holds the
// database's write lock from its start, so the counts still hold when
// inserting, and a code binds once.
func (s *Store) BindGuardian(ctx context.Context, g directory.Guardianship, opts directory.BindOptions) (bool, error) {
	if err := directory.ValidateGuardianship(&g); err != nil {
		return false, err
	}
	if err := directory.ValidateBindOptions(&opts); err != nil {
		return false, err
	}
	created := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		bound, err := countGuardianships(ctx, tx, g)
		if err != nil || bound {
			return err
		}
		if opts.CodeHash != nil {
			n, err := exec(ctx, tx, "use bind code", "DELETE FROM bind_codes WHERE account_id = ? AND code_hash = ? AND expires_at > ?",
				g.AccountID, opts.CodeHash, opts.Now.UnixMicro())
			if err != nil {
				return err
			}
			if n != 1 {
				return directory.ErrNoBindCode
			}
		}
		if _, err := exec(ctx, tx, "bind", "INSERT INTO guardianships (parent_id, account_id, relation, created_at) VALUES (?, ?, ?, ?)",
			g.ParentID, g.AccountID, g.Relation, s.clock()); err != nil {
			return err
		}
		created = true
		return s.notifyGuardians(ctx, tx, g.AccountID, g.ParentID, opts.Notice)
	})
	return created && err == nil, err
}

// countGuardianships checks that the parent and the pupil exist and says
// whether the binding exists; a new one beyond the bounds is ErrConflict.
func countGuardianships(ctx context.Context, tx *sql.Tx, g directory.Guardianship) (bool, error) {
	var one int
	if err := tx.QueryRowContext(ctx, "SELECT 1 FROM parents WHERE id = ?", g.ParentID).Scan(&one); err != nil {
		return false, mapErr("parent "+g.ParentID, err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT 1 FROM pupils WHERE account_id = ?", g.AccountID).Scan(&one); err != nil {
		return false, mapErr("pupil "+g.AccountID, err)
	}
	var bound bool
	var children, guardians int
	if err := tx.QueryRowContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM guardianships WHERE parent_id = ?1 AND account_id = ?2),
			(SELECT count(*) FROM guardianships WHERE parent_id = ?1),
			(SELECT count(*) FROM guardianships WHERE account_id = ?2)`, g.ParentID, g.AccountID).
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
func (s *Store) notifyGuardians(ctx context.Context, tx *sql.Tx, accountID, except string, notice *directory.Message) error {
	if notice == nil {
		return nil
	}
	_, err := exec(ctx, tx, "notify guardians", `INSERT INTO outbox (topic, recipient, payload, created_at)
		SELECT ?, parent_id, ?, ? FROM guardianships WHERE account_id = ? AND parent_id <> ? ORDER BY created_at, parent_id`,
		string(notice.Topic), string(notice.Payload), s.clock(), accountID, except)
	return err
}

// Unbind implements directory.Store.
func (s *Store) Unbind(ctx context.Context, parentID, accountID string, notice *directory.Message) error {
	if err := directory.ValidateGuardianship(&directory.Guardianship{ParentID: parentID, AccountID: accountID, Relation: "x"}); err != nil {
		return err
	}
	if err := directory.ValidateNotice(notice); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		n, err := exec(ctx, tx, "unbind", "DELETE FROM guardianships WHERE parent_id = ? AND account_id = ?", parentID, accountID)
		if err != nil {
			return err
		}
		if n != 1 {
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
	_, err := exec(ctx, s.db, "put bind code", `INSERT INTO bind_codes (account_id, code_hash, expires_at, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, created_at = excluded.created_at`,
		c.AccountID, c.Hash, c.ExpiresAt.UnixMicro(), s.clock())
	return err
}
