package pgdirectory

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/migrate"
	"github.com/onecode/onecode/persistence/sqlerr"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Pool bounds.
const (
	DefaultMaxConns = 8
	MaxMaxConns     = 64
)

// Options configure a Store. Zero values take the defaults.
type Options struct {
	MaxConns int              // default 8, at most 64
	Lease    time.Duration    // outbox claim lease, default directory.DefaultLease
	Now      func() time.Time // clock for CreatedAt and leases, default time.Now
}

// Store is a directory.Store on PostgreSQL.
type Store struct {
	pool  *pgxpool.Pool
	lease time.Duration
	now   func() time.Time
}

var _ directory.Store = (*Store)(nil)

// Open connects to dsn, applies pending migrations and returns the Store.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
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
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("pgdirectory: %w", err)
	}
	pool, err := migrate.OpenPostgres(ctx, dsn, opts.MaxConns, fsys, "directory_migrations", migrateLock)
	if err != nil {
		return nil, fmt.Errorf("pgdirectory: %w", err)
	}
	return &Store{pool: pool, lease: opts.Lease, now: opts.Now}, nil
}

// Close closes the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// migrateLock is the advisory lock key serialising directory migrations
// ("dirctry"); the journal uses its own key.
const migrateLock = 0x64697263747279

// errs maps database errors onto the directory store's errors.
var errs = sqlerr.Mapper{Store: "pgdirectory", NotFound: directory.ErrNotFound, Conflict: directory.ErrConflict, Invalid: directory.ErrInvalid}

// mapErr turns a database error of what into the store's errors.
func mapErr(what string, err error) error { return errs.Postgres(what, err) }

func (s *Store) exec(ctx context.Context, what, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := s.pool.Exec(ctx, sql, args...)
	return tag, mapErr(what, err)
}

// now returns the store clock at the precision both databases keep.
func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// PutSchool implements directory.Store.
func (s *Store) PutSchool(ctx context.Context, sc directory.School) error {
	if err := directory.ValidateSchool(&sc); err != nil {
		return err
	}
	_, err := s.exec(ctx, "put school "+sc.ID, `
		INSERT INTO schools (id, name, single_recharge_max, balance_cap, daily_spend_cap, arrears_cap, void_window_seconds)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
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
	err := s.pool.QueryRow(ctx, `SELECT id, name, single_recharge_max, balance_cap, daily_spend_cap, arrears_cap, void_window_seconds
		FROM schools WHERE id = $1`, id).
		Scan(&sc.ID, &sc.Name, &sc.SingleRechargeMax, &sc.BalanceCap, &sc.DailySpendCap, &sc.ArrearsCap, &sc.VoidWindowSeconds)
	return sc, mapErr("school "+id, err)
}

// PutClass implements directory.Store.
func (s *Store) PutClass(ctx context.Context, c directory.Class) error {
	if err := directory.ValidateClass(&c); err != nil {
		return err
	}
	_, err := s.exec(ctx, "put class "+c.ID, `INSERT INTO classes (school_id, id, name, grade) VALUES ($1, $2, $3, $4)
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
	err := s.pool.QueryRow(ctx, "SELECT school_id, id, name, grade FROM classes WHERE school_id = $1 AND id = $2", schoolID, id).
		Scan(&c.SchoolID, &c.ID, &c.Name, &c.Grade)
	return c, mapErr("class "+id, err)
}
