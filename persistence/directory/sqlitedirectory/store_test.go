package sqlitedirectory_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/directorytest"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
)

func open(t testing.TB, path string, opts sqlitedirectory.Options) *sqlitedirectory.Store {
	t.Helper()
	s, err := sqlitedirectory.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tempPath(t testing.TB) string { return filepath.Join(t.TempDir(), "onecode.db") }

func TestConformance(t *testing.T) {
	directorytest.Run(t, func(t *testing.T) directory.Store { return open(t, tempPath(t), sqlitedirectory.Options{}) })
}

func TestLease(t *testing.T) {
	directorytest.RunLease(t, func(t *testing.T, now func() time.Time) directory.Store {
		return open(t, tempPath(t), sqlitedirectory.Options{Now: now, Lease: time.Minute})
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	path := tempPath(t)
	for range 2 {
		_ = open(t, path, sqlitedirectory.Options{}).Close()
	}
}

// TestConstraints writes past the Go validation: the schema rejects the
// same rows on its own.
func TestConstraints(t *testing.T) {
	ctx := context.Background()
	path := tempPath(t)
	_ = open(t, path, sqlitedirectory.Options{}).Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO schools VALUES ('35001', 's', 100, 200, 50, 0, 60)`,
		`INSERT INTO canteens VALUES ('c1', '35001', 'c')`,
		`INSERT INTO catalogs VALUES ('c1', 0)`,
		`INSERT INTO classes VALUES ('35001', 'A_b.c-1', '3-2', 3)`,
		`INSERT INTO dishes VALUES ('c1', 'A -~z', 'd', 1, 0, 0, 0, 0, '[]', 1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, q := range []string{
		`INSERT INTO schools VALUES ('3500a', 's', 100, 200, 50, 0, 60)`,
		`INSERT INTO schools VALUES ('35002', 's', 300, 200, 50, 0, 60)`,
		`INSERT INTO classes VALUES ('35001', '3 2', '3-2', 3)`,
		`INSERT INTO classes VALUES ('35009', '3-2', '3-2', 3)`,
		`INSERT INTO dishes VALUES ('c1', 'b', 'd', 0, 0, 0, 0, 0, '[]', 1)`,
		`INSERT INTO dishes VALUES ('c1', '中', 'd', 1, 0, 0, 0, 0, '[]', 1)`,
		`INSERT INTO dishes VALUES ('c1', 'b', 'd', 1, 0, 0, 0, 0, '{}', 1)`,
		`INSERT INTO dishes VALUES ('c1', 'b', 'd', 'x', 0, 0, 0, 0, '[]', 1)`,
		`INSERT INTO outbox (topic, recipient, payload, created_at) VALUES ('sms', 'r', '{}', 0)`,
		`INSERT INTO outbox (topic, recipient, payload, created_at) VALUES ('otp', 'r', '{', 0)`,
		`INSERT INTO terminals VALUES ('t1', '35001', 'c1', 't', x'00', 'active', 0)`,
		`INSERT INTO staff VALUES ('s1', '35001', 'u', 'hunter2', 'finance', NULL, 'active', 0)`,
		`INSERT INTO staff VALUES ('s1', '35001', 'u', '$argon2id$x', 'teacher', NULL, 'active', 0)`,
		`INSERT INTO staff VALUES ('s1', '35001', 'u', '$argon2id$x', 'finance', 'A_b.c-1', 'active', 0)`,
		`INSERT INTO parents VALUES ('p1', x'00', '138****5678', 0, '')`,
		`INSERT INTO parents VALUES ('p1', zeroblob(32), '13812345678', 0, '')`,
		`INSERT INTO parents VALUES ('p1', zeroblob(32), '138****5678', 0, '13812345678')`,
		`INSERT INTO parents VALUES ('p1', zeroblob(32), '138****5678', 0, '` + strings.Repeat("a+", 20) + `')`,
	} {
		if _, err := db.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: accepted, want a constraint violation", q)
		}
	}
}
