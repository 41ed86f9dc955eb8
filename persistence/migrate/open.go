package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// OpenPostgres connects a pool of at most maxConns connections to dsn and
// applies the pending migrations of fsys (see Postgres). On failure nothing
// stays open.
func OpenPostgres(ctx context.Context, dsn string, maxConns int, fsys fs.FS, table string, lockKey int64) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse dsn: %w", err)
	}
	cfg.MaxConns = int32(maxConns)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pool: %w", err)
	}
	if err := Postgres(ctx, pool, fsys, table, lockKey); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// SQLiteBusyTimeout is how long a connection waits for another one's write
// lock on the same file before it fails.
const SQLiteBusyTimeout = 10 * time.Second

// SQLiteDSN is the DSN (for modernc.org/sqlite's "sqlite" driver) of the file
// at path with the settings every store uses: WAL, synchronous FULL (an
// acknowledged commit is on disk), foreign keys enforced, SQLiteBusyTimeout.
// extra adds query parameters such as "_txlock=immediate" or
// "_pragma=query_only(1)".
func SQLiteDSN(path string, extra ...string) string {
	q := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", SQLiteBusyTimeout.Milliseconds()),
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
		"_pragma=foreign_keys(1)",
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + strings.Join(append(q, extra...), "&")
}

// OpenSQLite opens the file at path for writing, with BEGIN IMMEDIATE
// transactions and at most maxConns connections, and applies the pending
// migrations of fsys (see SQLite). The "sqlite" driver must be registered
// (import modernc.org/sqlite). On failure nothing stays open.
func OpenSQLite(ctx context.Context, path string, maxConns int, fsys fs.FS, table string, now func() time.Time) (*sql.DB, error) {
	db, err := sql.Open("sqlite", SQLiteDSN(path, "_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxLifetime(0)
	if err := SQLite(ctx, db, fsys, table, now); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}
