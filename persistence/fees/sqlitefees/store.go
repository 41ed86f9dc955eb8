// Package sqlitefees is the fees.Store on an embedded SQLite file (sqlstore).
package sqlitefees

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver

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
	MaxMaxConns     = 16
)

// Options configure a Store. Zero values take the defaults.
type Options struct {
	MaxConns int              // default 4, at most 16
	Now      func() time.Time // clock of UpdatedAt, default time.Now
}

var errs = sqlerr.Mapper{Store: "sqlitefees", NotFound: fees.ErrNotFound, Conflict: fees.ErrConflict, Invalid: fees.ErrInvalid}

// Open opens (creating if needed) the database file at path, applies pending
// migrations and returns the Store.
func Open(ctx context.Context, path string, opts Options) (*sqlstore.Store, error) {
	if opts.MaxConns == 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.MaxConns < 1 || opts.MaxConns > MaxMaxConns {
		return nil, fmt.Errorf("%w: MaxConns %d, want 1..%d", fees.ErrInvalid, opts.MaxConns, MaxMaxConns)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if path == "" {
		return nil, fmt.Errorf("%w: empty database path", fees.ErrInvalid)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlitefees: %w", err)
	}
	db, err := migrate.OpenSQLite(ctx, path, opts.MaxConns, fsys, "fees_migrations", opts.Now)
	if err != nil {
		return nil, fmt.Errorf("sqlitefees: %w", err)
	}
	return sqlstore.New(db, sqlstore.Dialect{MapErr: errs.SQLite}, opts.Now), nil
}
