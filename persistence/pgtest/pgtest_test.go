package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/pgtest"
)

func TestDSNIsFreshAndWritable(t *testing.T) {
	ctx := context.Background()
	a, b := pgtest.DSN(t), pgtest.DSN(t)
	if a == b {
		t.Fatalf("two calls returned the same DSN %q", a)
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var db string
	var tables int
	if err := conn.QueryRow(ctx, "SELECT current_database(), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')").Scan(&db, &tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("got %d tables in fresh database %s, want 0", tables, db)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE t (x int)"); err != nil {
		t.Fatal(err)
	}
}

func TestDSNDroppedOnCleanup(t *testing.T) {
	ctx := context.Background()
	var dsn string
	t.Run("inner", func(t *testing.T) { dsn = pgtest.DSN(t) })
	if dsn == "" {
		t.Skip("inner test skipped")
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err == nil {
		conn.Close(ctx)
		t.Fatalf("database of %q still exists after cleanup", dsn)
	}
}
