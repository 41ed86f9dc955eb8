// Package pgfees is the fees.Store on PostgreSQL (sqlstore over pgx's stdlib).
package pgfees

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/onecode/onecode/persistence/fees"
	"github.com/onecode/onecode/persistence/fees/sqlstore"
	"github.com/onecode/onecode/persistence/migrate"
	"github.com/onecode/onecode/persistence/sqlerr"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Pool bounds.
const (
	DefaultMaxConns = 4
	MaxMaxConns     = 64
)

// Options configure a Store. Zero values take the defaults.
type Options struct {
	MaxConns int              // default 4, at most 64
	Now      func() time.Time // clock of UpdatedAt, default time.Now
}

// migrateLock is the advisory lock key serialising fees migrations ("fees").
const migrateLock = 0x66656573

var errs = sqlerr.Mapper{Store: "pgfees", NotFound: fees.ErrNotFound, Conflict: fees.ErrConflict, Invalid: fees.ErrInvalid}

// Open connects to dsn, applies pending migrations and returns the Store.
func Open(ctx context.Context, dsn string, opts Options) (*sqlstore.Store, error) {
	if opts.MaxConns == 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.MaxConns < 1 || opts.MaxConns > MaxMaxConns {
		return nil, fmt.Errorf("%w: MaxConns %d, want 1..%d", fees.ErrInvalid, opts.MaxConns, MaxMaxConns)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("pgfees: %w", err)
	}
	pool, err := migrate.OpenPostgres(ctx, dsn, opts.MaxConns, fsys, "fees_migrations", migrateLock)
	if err != nil {
		return nil, fmt.Errorf("pgfees: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	return sqlstore.New(db, sqlstore.Dialect{Numbered: true, MapErr: errs.Postgres, Close: pool.Close}, opts.Now), nil
}
