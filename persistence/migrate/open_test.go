package migrate_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/onecode/onecode/persistence/migrate"
	"github.com/onecode/onecode/persistence/pgtest"
)

var oneTable = fstest.MapFS{"0001_t.sql": {Data: []byte("CREATE TABLE t (id integer PRIMARY KEY);")}}

// TestOpenSQLiteOddPath: a path with characters that mean something in a DSN
// (? # % and a space) opens that very file, migrated and durable.
func TestOpenSQLiteOddPath(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "school data?x=1#y %41.db")
	db, err := migrate.OpenSQLite(ctx, path, 2, oneTable, "m", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at %q: %v", path, err)
	}
	var sync, fk int
	if err := db.QueryRowContext(ctx, "SELECT * FROM pragma_synchronous, pragma_foreign_keys").Scan(&sync, &fk); err != nil || sync != 2 || fk != 1 {
		t.Fatalf("synchronous=%d foreign_keys=%d %v, want 2 (FULL) and 1", sync, fk, err)
	}
}

// TestOpenPostgres: a migrated pool; a failing migration or a malformed DSN
// returns an error and no pool.
func TestOpenPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	pool, err := migrate.OpenPostgres(ctx, dsn, 2, oneTable, "m", 42)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	bad := fstest.MapFS{"0001_t.sql": oneTable["0001_t.sql"], "0002_bad.sql": {Data: []byte("CREATE TABLE broken (;")}}
	if p, err := migrate.OpenPostgres(ctx, dsn, 2, bad, "m", 42); err == nil {
		p.Close()
		t.Fatal("a failing migration opened a pool")
	}
	if _, err := migrate.OpenPostgres(ctx, "postgres://%zz", 2, oneTable, "m", 42); err == nil {
		t.Fatal("a malformed DSN opened a pool")
	}
}
