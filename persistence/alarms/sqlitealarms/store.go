// Package sqlitealarms is the alarms.Store on an embedded SQLite file (sqlstore).
package sqlitealarms

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver

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
	MaxMaxConns     = 16
)

// Options configure a Store. Zero values take the defaults.
type Options struct {
	MaxConns int              // default 4, at most 16
	Now      func() time.Time // clock of the migration records, default time.Now
}

var errs = sqlerr.Mapper{Store: "sqlitealarms", NotFound: alarms.ErrNotFound, Conflict: alarms.ErrConflict, Invalid: alarms.ErrInvalid}

// Open opens (creating if needed) the database file at path, applies pending
// migrations and returns the Store.
func Open(ctx context.Context, path string, opts Options) (*sqlstore.Store, error) {
	if opts.MaxConns == 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.MaxConns < 1 || opts.MaxConns > MaxMaxConns {
		return nil, fmt.Errorf("%w: MaxConns %d, want 1..%d", alarms.ErrInvalid, opts.MaxConns, MaxMaxConns)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if path == "" {
		return nil, fmt.Errorf("%w: empty database path", alarms.ErrInvalid)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlitealarms: %w", err)
	}
	db, err := migrate.OpenSQLite(ctx, path, opts.MaxConns, fsys, "alarms_migrations", opts.Now)
	if err != nil {
		return nil, fmt.Errorf("sqlitealarms: %w", err)
	}
	return sqlstore.New(db, sqlstore.Dialect{MapErr: errs.SQLite}), nil
}
