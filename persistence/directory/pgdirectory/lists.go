package pgdirectory

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/directory"
)

// Lists compare ids byte-wise (COLLATE "C"), as SQLite does, so that pages
// follow the same order on both stores.

// ListClasses implements directory.Store.
func (s *Store) ListClasses(ctx context.Context, schoolID, after string, limit int) ([]directory.Class, error) {
	if err := directory.ValidateIDPage("school", schoolID, after, limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT school_id, id, name, grade FROM classes
		WHERE school_id = $1 AND id COLLATE "C" > $2 ORDER BY id COLLATE "C" LIMIT $3`, schoolID, after, limit)
	if err != nil {
		return nil, mapErr("list classes", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (c directory.Class, err error) {
		err = r.Scan(&c.SchoolID, &c.ID, &c.Name, &c.Grade)
		return c, err
	})
	return out, mapErr("list classes", err)
}

// ListCanteens implements directory.Store.
func (s *Store) ListCanteens(ctx context.Context, schoolID, after string, limit int) ([]directory.Canteen, error) {
	if err := directory.ValidateIDPage("school", schoolID, after, limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT school_id, id, name FROM canteens
		WHERE school_id = $1 AND id COLLATE "C" > $2 ORDER BY id COLLATE "C" LIMIT $3`, schoolID, after, limit)
	if err != nil {
		return nil, mapErr("list canteens", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (c directory.Canteen, err error) {
		err = r.Scan(&c.SchoolID, &c.ID, &c.Name)
		return c, err
	})
	return out, mapErr("list canteens", err)
}

// ListTerminals implements directory.Store.
func (s *Store) ListTerminals(ctx context.Context, canteenID, after string, limit int) ([]directory.Terminal, error) {
	if err := directory.ValidateIDPage("canteen", canteenID, after, limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT id, school_id, canteen_id, name, status, created_at, can_override FROM terminals
		WHERE canteen_id = $1 AND id COLLATE "C" > $2 ORDER BY id COLLATE "C" LIMIT $3`, canteenID, after, limit)
	if err != nil {
		return nil, mapErr("list terminals", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (t directory.Terminal, err error) {
		err = r.Scan(&t.ID, &t.SchoolID, &t.CanteenID, &t.Name, &t.Status, &t.CreatedAt, &t.CanOverride)
		t.CreatedAt = t.CreatedAt.UTC()
		return t, err
	})
	return out, mapErr("list terminals", err)
}
