// Package pgalarms is the alarms.Store on PostgreSQL (sqlstore over pgx's stdlib).
package pgalarms

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/onecode/onecode/persistence/alarms"
	"github.com/onecode/onecode/persistence/alarms/sqlstore"
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
	MaxConns int // default 4, at most 64
}

// migrateLock is the advisory lock key serialising alarms migrations ("alrm").
const migrateLock = 0x616c726d

var errs = sqlerr.Mapper{Store: "pgalarms", NotFound: alarms.ErrNotFound, Conflict: alarms.ErrConflict, Invalid: alarms.ErrInvalid}

// Open connects to dsn, applies pending migrations and returns the Store.
func Open(ctx context.Context, dsn string, opts Options) (*sqlstore.Store, error) {
	if opts.MaxConns == 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.MaxConns < 1 || opts.MaxConns > MaxMaxConns {
		return nil, fmt.Errorf("%w: MaxConns %d, want 1..%d", alarms.ErrInvalid, opts.MaxConns, MaxMaxConns)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("pgalarms: %w", err)
	}
	pool, err := migrate.OpenPostgres(ctx, dsn, opts.MaxConns, fsys, "alarms_migrations", migrateLock)
	if err != nil {
		return nil, fmt.Errorf("pgalarms: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	return sqlstore.New(db, sqlstore.Dialect{Numbered: true, MapErr: errs.Postgres, Close: pool.Close}), nil
}
