package pgdirectory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/directorytest"
	"github.com/onecode/onecode/persistence/directory/pgdirectory"
	"github.com/onecode/onecode/persistence/pgtest"
)

func open(t testing.TB, dsn string, opts pgdirectory.Options) *pgdirectory.Store {
	t.Helper()
	s, err := pgdirectory.Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	directorytest.Run(t, func(t *testing.T) directory.Store { return open(t, pgtest.DSN(t), pgdirectory.Options{}) })
}

func TestLease(t *testing.T) {
	directorytest.RunLease(t, func(t *testing.T, now func() time.Time) directory.Store {
		return open(t, pgtest.DSN(t), pgdirectory.Options{Now: now, Lease: time.Minute})
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	dsn := pgtest.DSN(t)
	for range 2 {
		_ = open(t, dsn, pgdirectory.Options{}).Close()
	}
}

// TestConstraints writes past the Go validation: the schema rejects the
// same rows on its own.
func TestConstraints(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	_ = open(t, dsn, pgdirectory.Options{}).Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	setup := []string{
		`INSERT INTO schools VALUES ('35001', 's', 100, 200, 50, 0, 60)`,
		`INSERT INTO canteens VALUES ('c1', '35001', 'c')`,
		`INSERT INTO catalogs VALUES ('c1', 0)`,
	}
	for _, sql := range setup {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	for _, sql := range []string{
		`INSERT INTO schools VALUES ('3500', 's', 100, 200, 50, 0, 60)`,
		`INSERT INTO schools VALUES ('35002', 's', 300, 200, 50, 0, 60)`,
		`INSERT INTO dishes VALUES ('c1', 'b', 'd', 0, 0, 0, 0, 0, '{}', true)`,
		`INSERT INTO dishes VALUES ('c1', repeat('b', 33), 'd', 1, 0, 0, 0, 0, '{}', true)`,
		`INSERT INTO dishes VALUES ('c1', 'b', 'd', 1, -1, 0, 0, 0, '{}', true)`,
		`INSERT INTO outbox (topic, recipient, payload, created_at) VALUES ('sms', 'r', '{}', now())`,
		`INSERT INTO outbox (topic, recipient, payload, created_at) VALUES ('otp', 'r', '{', now())`,
		`INSERT INTO terminals VALUES ('t1', '35001', 'c1', 't', 'short', 'active', now())`,
		`INSERT INTO terminals VALUES ('t1', '35001', 'c1', 't', '0123456789abcdef', 'lost', now())`,
		`INSERT INTO staff VALUES ('s1', '35001', 'u', 'hunter2', 'finance', NULL, 'active', now())`,
		`INSERT INTO staff VALUES ('s1', '35001', 'u', '$argon2id$x', 'teacher', NULL, 'active', now())`,
		`INSERT INTO staff VALUES ('s1', '35001', 'u', '$argon2id$x', 'principal', NULL, 'active', now())`,
		`INSERT INTO parents VALUES ('p1', '\x00', '138****5678', now())`,
		`INSERT INTO parents VALUES ('p1', decode(repeat('ab', 32), 'hex'), '13812345678', now())`,
		`INSERT INTO parents VALUES ('p1', decode(repeat('ab', 32), 'hex'), '138****5678', now(), '13812345678')`,
		`INSERT INTO parents VALUES ('p1', decode(repeat('ab', 32), 'hex'), '138****5678', now(), repeat('a+', 20))`,
	} {
		_, err := conn.Exec(ctx, sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || (pe.Code[:2] != "23" && pe.Code[:2] != "22") {
			t.Errorf("%s: got %v, want a constraint violation", sql, err)
		}
	}
}
