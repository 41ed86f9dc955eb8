package migrate

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Bounds on the migrations of one store.
const (
	MaxFiles     = 1000
	MaxFileBytes = 1 << 20
)

// ErrInvalid reports a migration set or table name the runner refuses
// before touching the database.
var ErrInvalid = errors.New("invalid migrations")

// FileError reports the migration file that failed; its transaction, and so
// every migration of this run, has been rolled back.
type FileError struct {
	File string // base name, e.g. "0002_add_index.sql"
	Err  error
}

func (e *FileError) Error() string { return "migration " + e.File + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// PgBeginner begins a PostgreSQL transaction: *pgxpool.Pool, *pgxpool.Conn
// or *pgx.Conn.
type PgBeginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Postgres applies the pending migrations of fsys (files *.sql at its root)
// in one transaction holding pg_advisory_xact_lock(lockKey), recording each
// in table (version int PRIMARY KEY, name text NOT NULL, applied_at
// timestamptz NOT NULL DEFAULT now()), created if missing.
func Postgres(ctx context.Context, db PgBeginner, fsys fs.FS, table string, lockKey int64) error {
	files, err := load(fsys, table)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+table+` (
			version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("migrations table: %w", err)
		}
		for _, f := range files {
			var applied bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+table+" WHERE version = $1)", f.version).Scan(&applied); err != nil {
				return &FileError{File: f.name, Err: err}
			}
			if applied {
				continue
			}
			if _, err := tx.Exec(ctx, f.body); err != nil {
				return &FileError{File: f.name, Err: err}
			}
			if _, err := tx.Exec(ctx, "INSERT INTO "+table+" (version, name) VALUES ($1, $2)", f.version, f.name); err != nil {
				return &FileError{File: f.name, Err: err}
			}
		}
		return nil
	})
}

// SQLite applies the pending migrations of fsys (files *.sql at its root)
// in one transaction, recording each in table (version INTEGER PRIMARY KEY,
// name TEXT NOT NULL, applied_at INTEGER NOT NULL: Unix microseconds of now,
// default time.Now), created STRICT if missing. db must be opened with
// _txlock=immediate, as every store's is, so that the transaction takes the
// file's write lock at BEGIN and concurrent runners queue behind it.
func SQLite(ctx context.Context, db *sql.DB, fsys fs.FS, table string, now func() time.Time) error {
	files, err := load(fsys, table)
	if err != nil {
		return err
	}
	if now == nil {
		now = time.Now
	}
	tx, err := beginSQLite(ctx, db)
	if err != nil {
		return fmt.Errorf("migration begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+table+` (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	for _, f := range files {
		var applied bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+table+" WHERE version = ?)", f.version).Scan(&applied); err != nil {
			return &FileError{File: f.name, Err: err}
		}
		if applied {
			continue
		}
		if _, err := tx.ExecContext(ctx, f.body); err != nil {
			return &FileError{File: f.name, Err: err}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+table+" (version, name, applied_at) VALUES (?, ?, ?)",
			f.version, f.name, now().UnixMicro()); err != nil {
			return &FileError{File: f.name, Err: err}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration commit: %w", err)
	}
	return nil
}

type file struct {
	version int
	name    string
	body    string
}

// tableName is an unquoted identifier that folds to itself in PostgreSQL
// (at most 63 bytes); it is spliced into the runner's statements.
var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// load reads and checks the migration files of fsys, in version order.
func load(fsys fs.FS, table string) ([]file, error) {
	if !tableName.MatchString(table) {
		return nil, fmt.Errorf("%w: table name %q", ErrInvalid, table)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if len(names) > MaxFiles {
		return nil, fmt.Errorf("%w: %d files, at most %d", ErrInvalid, len(names), MaxFiles)
	}
	files := make([]file, 0, len(names))
	for _, name := range names {
		version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return nil, &FileError{File: name, Err: fmt.Errorf("%w: bad version: %w", ErrInvalid, err)}
		}
		if version < 0 || version > math.MaxInt32 {
			return nil, &FileError{File: name, Err: fmt.Errorf("%w: version %d out of 0..%d", ErrInvalid, version, math.MaxInt32)}
		}
		info, err := fs.Stat(fsys, name)
		if err != nil {
			return nil, &FileError{File: name, Err: err}
		}
		if !info.Mode().IsRegular() || info.Size() > MaxFileBytes {
			return nil, &FileError{File: name, Err: fmt.Errorf("%w: not a regular file of at most %d bytes", ErrInvalid, MaxFileBytes)}
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, &FileError{File: name, Err: err}
		}
		if len(body) > MaxFileBytes { // grew after Stat
			return nil, &FileError{File: name, Err: fmt.Errorf("%w: more than %d bytes", ErrInvalid, MaxFileBytes)}
		}
		files = append(files, file{version: version, name: name, body: string(body)})
	}
	slices.SortFunc(files, func(a, b file) int { return cmp.Compare(a.version, b.version) })
	for i := 1; i < len(files); i++ {
		if files[i].version == files[i-1].version {
			return nil, &FileError{File: files[i].name, Err: fmt.Errorf("%w: version %d also used by %s", ErrInvalid, files[i].version, files[i-1].name)}
		}
	}
	return files, nil
}

// beginSQLite begins the migration transaction. The first connection to a
// new file turns it to WAL, which needs the file to itself, and SQLite then
// answers SQLITE_BUSY at once, without its busy handler, to a connection
// opening the same new file at that moment (seen: 3% of 4 runners started
// together on a new file, busy_timeout notwithstanding). A busy BEGIN is
// therefore tried again, with a growing pause, for up to SQLiteBusyTimeout.
func beginSQLite(ctx context.Context, db *sql.DB) (*sql.Tx, error) {
	deadline := time.Now().Add(SQLiteBusyTimeout)
	pause := 5 * time.Millisecond
	for {
		tx, err := db.BeginTx(ctx, nil)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().Add(pause).After(deadline) {
			return tx, err
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return nil, err
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}
