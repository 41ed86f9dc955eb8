package migrate_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite"

	"github.com/onecode/onecode/persistence/migrate"
	"github.com/onecode/onecode/persistence/pgtest"
)

const (
	table   = "test_migrations"
	lockKey = 0x74657374
)

// target is one database under test, behind the dialect's runner.
type target struct {
	migrate func(ctx context.Context, fsys fs.FS) error
	// ints runs a query returning one integer column.
	ints   func(t *testing.T, query string) []int64
	exists func(t *testing.T, table string) bool
	// again opens a second, independent handle on the same database.
	again func(t *testing.T) func(ctx context.Context, fsys fs.FS) error
}

func postgres(t *testing.T) target {
	dsn := pgtest.DSN(t)
	open := func(t *testing.T) *pgxpool.Pool {
		pool, err := pgxpool.New(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		return pool
	}
	pool := open(t)
	run := func(pool *pgxpool.Pool) func(context.Context, fs.FS) error {
		return func(ctx context.Context, fsys fs.FS) error {
			return migrate.Postgres(ctx, pool, fsys, table, lockKey)
		}
	}
	ints := func(t *testing.T, query string) []int64 {
		t.Helper()
		rows, err := pool.Query(context.Background(), query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	return target{
		migrate: run(pool),
		ints:    ints,
		exists: func(t *testing.T, name string) bool {
			return ints(t, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '"+name+"'")[0] == 1
		},
		again: func(t *testing.T) func(context.Context, fs.FS) error { return run(open(t)) },
	}
}

func sqlite(t *testing.T) target {
	path := filepath.Join(t.TempDir(), "test.db")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate"
	open := func(t *testing.T) *sql.DB {
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	db := open(t)
	run := func(db *sql.DB) func(context.Context, fs.FS) error {
		return func(ctx context.Context, fsys fs.FS) error {
			return migrate.SQLite(ctx, db, fsys, table, nil)
		}
	}
	ints := func(t *testing.T, query string) []int64 {
		t.Helper()
		rows, err := db.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	return target{
		migrate: run(db),
		ints:    ints,
		exists: func(t *testing.T, name string) bool {
			return ints(t, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '"+name+"'")[0] == 1
		},
		again: func(t *testing.T) func(context.Context, fs.FS) error { return run(open(t)) },
	}
}

// both runs f against PostgreSQL and SQLite.
func both(t *testing.T, f func(t *testing.T, db target)) {
	t.Run("postgres", func(t *testing.T) { t.Parallel(); f(t, postgres(t)) })
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); f(t, sqlite(t)) })
}

func files(kv ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return m
}

// ordered: lexically "10_…" sorts before "2_…"; version order must not.
var ordered = files(
	"0001_create.sql", "CREATE TABLE t (v integer NOT NULL)",
	"2_add_column.sql", "ALTER TABLE t ADD COLUMN w integer NOT NULL DEFAULT 0",
	"10_insert.sql", "INSERT INTO t (v, w) VALUES (10, 2)",
	"README.md", "not a migration",
)

func TestVersionOrder(t *testing.T) {
	both(t, func(t *testing.T, db target) {
		if err := db.migrate(context.Background(), ordered); err != nil {
			t.Fatal(err)
		}
		if got := db.ints(t, "SELECT version FROM "+table+" ORDER BY version"); !slices.Equal(got, []int64{1, 2, 10}) {
			t.Fatalf("versions %v, want [1 2 10]", got)
		}
		if got := db.ints(t, "SELECT w FROM t"); !slices.Equal(got, []int64{2}) {
			t.Fatalf("t.w %v, want [2]", got)
		}
		if got := db.ints(t, "SELECT count(*) FROM "+table+" WHERE name IN ('0001_create.sql', '2_add_column.sql', '10_insert.sql')"); got[0] != 3 {
			t.Fatalf("%d names recorded, want 3", got[0])
		}
	})
}

func TestTwiceIsNoOp(t *testing.T) {
	both(t, func(t *testing.T, db target) {
		ctx := context.Background()
		if err := db.migrate(ctx, ordered); err != nil {
			t.Fatal(err)
		}
		applied := db.ints(t, "SELECT count(*) FROM "+table)
		for range 2 { // the inserting migration would add a row if it ran again
			if err := db.migrate(ctx, ordered); err != nil {
				t.Fatal(err)
			}
		}
		if got := db.ints(t, "SELECT count(*) FROM t"); got[0] != 1 {
			t.Fatalf("%d rows in t, want 1", got[0])
		}
		if got := db.ints(t, "SELECT count(*) FROM "+table); !slices.Equal(got, applied) {
			t.Fatalf("%v migrations recorded, want %v", got, applied)
		}
		// A new file is applied on its own.
		more := files("11_more.sql", "INSERT INTO t (v, w) VALUES (11, 0)")
		for k, v := range ordered {
			more[k] = v
		}
		if err := db.migrate(ctx, more); err != nil {
			t.Fatal(err)
		}
		if got := db.ints(t, "SELECT v FROM t ORDER BY v"); !slices.Equal(got, []int64{10, 11}) {
			t.Fatalf("t.v %v, want [10 11]", got)
		}
	})
}

func TestFailureRollsBack(t *testing.T) {
	both(t, func(t *testing.T, db target) {
		ctx := context.Background()
		if err := db.migrate(ctx, files("0001_a.sql", "CREATE TABLE a (x integer)")); err != nil {
			t.Fatal(err)
		}
		bad := files(
			"0001_a.sql", "CREATE TABLE a (x integer)",
			"0002_b.sql", "CREATE TABLE b (x integer); INSERT INTO a (x) VALUES (1)",
			"0003_broken.sql", "CREATE TABLE c (x integer); INSERT INTO no_such_table (x) VALUES (1)",
			"0004_d.sql", "CREATE TABLE d (x integer)",
		)
		err := db.migrate(ctx, bad)
		var fe *migrate.FileError
		if !errors.As(err, &fe) || fe.File != "0003_broken.sql" {
			t.Fatalf("err = %v, want a FileError for 0003_broken.sql", err)
		}
		if !strings.Contains(err.Error(), "0003_broken.sql") || !strings.Contains(err.Error(), "no_such_table") {
			t.Fatalf("err = %q, want the file and the cause", err)
		}
		for _, name := range []string{"b", "c", "d"} {
			if db.exists(t, name) {
				t.Errorf("table %s exists after the failed run", name)
			}
		}
		if got := db.ints(t, "SELECT count(*) FROM a"); got[0] != 0 {
			t.Errorf("%d rows in a, want 0", got[0])
		}
		if got := db.ints(t, "SELECT version FROM "+table); !slices.Equal(got, []int64{1}) {
			t.Errorf("versions %v, want [1]", got)
		}
		// Fixed, the run goes through.
		bad["0003_broken.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE c (x integer)")}
		if err := db.migrate(ctx, bad); err != nil {
			t.Fatal(err)
		}
		if got := db.ints(t, "SELECT version FROM "+table+" ORDER BY version"); !slices.Equal(got, []int64{1, 2, 3, 4}) {
			t.Errorf("versions %v, want [1 2 3 4]", got)
		}
	})
}

func TestConcurrentRunners(t *testing.T) {
	both(t, func(t *testing.T, db target) {
		ctx := context.Background()
		runners := make([]func(context.Context, fs.FS) error, 4)
		for i := range runners {
			runners[i] = db.again(t)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(runners))
		for i, run := range runners {
			wg.Go(func() { errs[i] = run(ctx, ordered) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if got := db.ints(t, "SELECT count(*) FROM t"); got[0] != 1 {
			t.Fatalf("%d rows in t, want 1", got[0])
		}
	})
}

func TestInvalid(t *testing.T) {
	big := strings.Repeat("-", migrate.MaxFileBytes+1)
	for name, tc := range map[string]struct {
		fsys  fs.FS
		table string
		file  string
	}{
		"no version":     {files("init.sql", "SELECT 1"), table, "init.sql"},
		"bad version":    {files("v1_init.sql", "SELECT 1"), table, "v1_init.sql"},
		"negative":       {files("-1_init.sql", "SELECT 1"), table, "-1_init.sql"},
		"too large":      {files("2147483648_init.sql", "SELECT 1"), table, "2147483648_init.sql"},
		"duplicate":      {files("0001_a.sql", "SELECT 1", "1_b.sql", "SELECT 1"), table, "1_b.sql"},
		"big file":       {files("0001_a.sql", big), table, "0001_a.sql"},
		"table name":     {files("0001_a.sql", "SELECT 1"), "Bad-Name", ""},
		"table injected": {files("0001_a.sql", "SELECT 1"), "t; DROP TABLE x", ""},
	} {
		t.Run(name, func(t *testing.T) {
			// Refused before the database is touched: no handle needed.
			for _, err := range []error{
				migrate.Postgres(context.Background(), nil, tc.fsys, tc.table, lockKey),
				migrate.SQLite(context.Background(), nil, tc.fsys, tc.table, nil),
			} {
				if !errors.Is(err, migrate.ErrInvalid) {
					t.Fatalf("err = %v, want ErrInvalid", err)
				}
				var fe *migrate.FileError
				if tc.file != "" && (!errors.As(err, &fe) || fe.File != tc.file) {
					t.Fatalf("err = %v, want a FileError for %s", err, tc.file)
				}
			}
		})
	}
	many := fstest.MapFS{}
	for i := range migrate.MaxFiles + 1 {
		many[fmt.Sprintf("%04d_m.sql", i)] = &fstest.MapFile{}
	}
	if err := migrate.SQLite(context.Background(), nil, many, table, nil); !errors.Is(err, migrate.ErrInvalid) {
		t.Fatalf("%d files: err = %v, want ErrInvalid", len(many), err)
	}
}

// TestPostgresLockKey: the runner waits for its store's advisory lock and
// for no other.
func TestPostgresLockKey(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(ctx) }()
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(lockKey)); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := migrate.Postgres(short, pool, ordered, table, lockKey); err == nil {
		t.Fatal("ran while another transaction held its lock")
	}
	if err := migrate.Postgres(ctx, pool, ordered, table, lockKey+1); err != nil {
		t.Fatalf("other key: %v", err)
	}
}

// TestSQLiteExistingTable: a migrations table created by the earlier,
// non-STRICT layout (the journal's) is used as it is.
func TestSQLiteExistingTable(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "old.db")+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE journal_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
		`CREATE TABLE t (v integer NOT NULL)`,
		`INSERT INTO journal_migrations VALUES (1, '0001_create.sql', 1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	at := time.UnixMicro(1_700_000_000_000_000)
	if err := migrate.SQLite(ctx, db, ordered, "journal_migrations", func() time.Time { return at }); err != nil {
		t.Fatal(err)
	}
	var n int
	var stamp int64
	if err := db.QueryRowContext(ctx, "SELECT count(*), max(applied_at) FROM journal_migrations").Scan(&n, &stamp); err != nil {
		t.Fatal(err)
	}
	if n != 3 || stamp != at.UnixMicro() {
		t.Fatalf("%d migrations, last at %d; want 3 at %d", n, stamp, at.UnixMicro())
	}
}
