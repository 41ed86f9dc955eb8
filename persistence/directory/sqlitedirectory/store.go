package sqlitedirectory

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/migrate"
	"github.com/onecode/onecode/persistence/sqlerr"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Pool bounds.
const (
	DefaultMaxConns = 4
	MaxMaxConns     = 16
)

// Options configure a Store. Zero values take the defaults.
type Options struct {
	MaxConns int              // default 4, at most 16
	Lease    time.Duration    // outbox claim lease, default directory.DefaultLease
	Now      func() time.Time // clock for CreatedAt and leases, default time.Now
}

// Store is a directory.Store on an SQLite file.
type Store struct {
	db    *sql.DB
	lease time.Duration
	now   func() time.Time
}

var _ directory.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path, applies pending
// migrations and returns the Store.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.MaxConns == 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.MaxConns < 1 || opts.MaxConns > MaxMaxConns {
		return nil, fmt.Errorf("%w: MaxConns %d, want 1..%d", directory.ErrInvalid, opts.MaxConns, MaxMaxConns)
	}
	if opts.Lease == 0 {
		opts.Lease = directory.DefaultLease
	}
	if opts.Lease < time.Second {
		return nil, fmt.Errorf("%w: lease %v, want ≥ 1s", directory.ErrInvalid, opts.Lease)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if path == "" {
		return nil, fmt.Errorf("%w: empty database path", directory.ErrInvalid)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlitedirectory: %w", err)
	}
	db, err := migrate.OpenSQLite(ctx, path, opts.MaxConns, fsys, "directory_migrations", opts.Now)
	if err != nil {
		return nil, fmt.Errorf("sqlitedirectory: %w", err)
	}
	return &Store{db: db, lease: opts.Lease, now: opts.Now}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// tx runs f in a transaction, committed if f returns nil.
func (s *Store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	return errs.SQLiteTx(ctx, s.db, f)
}

// errs maps database errors onto the directory store's errors.
var errs = sqlerr.Mapper{Store: "sqlitedirectory", NotFound: directory.ErrNotFound, Conflict: directory.ErrConflict, Invalid: directory.ErrInvalid}

// mapErr turns a database error of what into the store's errors.
func mapErr(what string, err error) error { return errs.SQLite(what, err) }

// execer is a *sql.DB or *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// exec runs one statement and returns the rows it affected.
func exec(ctx context.Context, e execer, what, query string, args ...any) (int64, error) {
	return affected(what)(e.ExecContext(ctx, query, args...))
}

// affected returns a function giving the rows a statement's result affected.
func affected(what string) func(sql.Result, error) (int64, error) {
	return func(res sql.Result, err error) (int64, error) {
		if err != nil {
			return 0, mapErr(what, err)
		}
		n, err := res.RowsAffected()
		return n, mapErr(what, err)
	}
}

// clock returns the store clock in unix microseconds.
func (s *Store) clock() int64 { return s.now().UnixMicro() }

func fromMicro(us int64) time.Time { return time.UnixMicro(us).UTC() }

// PutSchool implements directory.Store.
func (s *Store) PutSchool(ctx context.Context, sc directory.School) error {
	if err := directory.ValidateSchool(&sc); err != nil {
		return err
	}
	_, err := exec(ctx, s.db, "put school "+sc.ID, `
		INSERT INTO schools (id, name, single_recharge_max, balance_cap, daily_spend_cap, arrears_cap, void_window_seconds)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, single_recharge_max = excluded.single_recharge_max,
			balance_cap = excluded.balance_cap, daily_spend_cap = excluded.daily_spend_cap,
			arrears_cap = excluded.arrears_cap, void_window_seconds = excluded.void_window_seconds`,
		sc.ID, sc.Name, sc.SingleRechargeMax, sc.BalanceCap, sc.DailySpendCap, sc.ArrearsCap, sc.VoidWindowSeconds)
	return err
}

// School implements directory.Store.
func (s *Store) School(ctx context.Context, id string) (directory.School, error) {
	var sc directory.School
	if err := directory.ValidateSchoolID(id); err != nil {
		return sc, err
	}
	err := s.db.QueryRowContext(ctx, `SELECT id, name, single_recharge_max, balance_cap, daily_spend_cap, arrears_cap, void_window_seconds
		FROM schools WHERE id = ?`, id).
		Scan(&sc.ID, &sc.Name, &sc.SingleRechargeMax, &sc.BalanceCap, &sc.DailySpendCap, &sc.ArrearsCap, &sc.VoidWindowSeconds)
	return sc, mapErr("school "+id, err)
}

// PutClass implements directory.Store.
func (s *Store) PutClass(ctx context.Context, c directory.Class) error {
	if err := directory.ValidateClass(&c); err != nil {
		return err
	}
	_, err := exec(ctx, s.db, "put class "+c.ID, `INSERT INTO classes (school_id, id, name, grade) VALUES (?, ?, ?, ?)
		ON CONFLICT (school_id, id) DO UPDATE SET name = excluded.name, grade = excluded.grade`,
		c.SchoolID, c.ID, c.Name, c.Grade)
	return err
}

// Class implements directory.Store.
func (s *Store) Class(ctx context.Context, schoolID, id string) (directory.Class, error) {
	var c directory.Class
	if err := errors.Join(directory.ValidateSchoolID(schoolID), directory.ValidateID("class", id)); err != nil {
		return c, err
	}
	err := s.db.QueryRowContext(ctx, "SELECT school_id, id, name, grade FROM classes WHERE school_id = ? AND id = ?", schoolID, id).
		Scan(&c.SchoolID, &c.ID, &c.Name, &c.Grade)
	return c, mapErr("class "+id, err)
}
