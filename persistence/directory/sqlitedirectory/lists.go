package sqlitedirectory

import (
	"context"

	"github.com/onecode/onecode/persistence/directory"
)

// ListClasses implements directory.Store.
func (s *Store) ListClasses(ctx context.Context, schoolID, after string, limit int) ([]directory.Class, error) {
	if err := directory.ValidateIDPage("school", schoolID, after, limit); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT school_id, id, name, grade FROM classes
		WHERE school_id = ? AND id > ? ORDER BY id LIMIT ?`, schoolID, after, limit)
	if err != nil {
		return nil, mapErr("list classes", err)
	}
	var out []directory.Class
	err = eachRow(rows, func() error {
		var c directory.Class
		err := rows.Scan(&c.SchoolID, &c.ID, &c.Name, &c.Grade)
		out = append(out, c)
		return err
	})
	return out, mapErr("list classes", err)
}

// ListCanteens implements directory.Store.
func (s *Store) ListCanteens(ctx context.Context, schoolID, after string, limit int) ([]directory.Canteen, error) {
	if err := directory.ValidateIDPage("school", schoolID, after, limit); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT school_id, id, name FROM canteens
		WHERE school_id = ? AND id > ? ORDER BY id LIMIT ?`, schoolID, after, limit)
	if err != nil {
		return nil, mapErr("list canteens", err)
	}
	var out []directory.Canteen
	err = eachRow(rows, func() error {
		var c directory.Canteen
		err := rows.Scan(&c.SchoolID, &c.ID, &c.Name)
		out = append(out, c)
		return err
	})
	return out, mapErr("list canteens", err)
}

// ListTerminals implements directory.Store.
func (s *Store) ListTerminals(ctx context.Context, canteenID, after string, limit int) ([]directory.Terminal, error) {
	if err := directory.ValidateIDPage("canteen", canteenID, after, limit); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, school_id, canteen_id, name, status, created_at, can_override FROM terminals
		WHERE canteen_id = ? AND id > ? ORDER BY id LIMIT ?`, canteenID, after, limit)
	if err != nil {
		return nil, mapErr("list terminals", err)
	}
	var out []directory.Terminal
	err = eachRow(rows, func() error {
		var t directory.Terminal
		var status string
		var created int64
		err := rows.Scan(&t.ID, &t.SchoolID, &t.CanteenID, &t.Name, &status, &created, &t.CanOverride)
		t.Status, t.CreatedAt = directory.TerminalStatus(status), fromMicro(created)
		out = append(out, t)
		return err
	})
	return out, mapErr("list terminals", err)
}
