package pgjournal_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/migrate"
	"github.com/onecode/onecode/persistence/pgtest"
)

// TestPostingsView: postings stored as columns of the event row read back
// exactly, in order, through the postings view; the command through the
// commands view.
func TestPostingsView(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s := openAt(t, dsn)
	names := []string{`wallet "a", {b}\c`, "clearing,1", "中文", "NULL"}
	a := one("acc", 0, "pay")
	a.Events[0].Postings = []journal.Posting{{Ledger: names[0], Amount: 7}, {Ledger: names[1], Amount: -3}, {Ledger: names[2], Amount: -3}, {Ledger: names[3], Amount: -1}}
	if err := s.AppendBatch(ctx, []journal.Append{a})[0]; err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, "SELECT ledger FROM postings WHERE account = 'acc' ORDER BY idx")
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || !slices.Equal(got, names) {
		t.Fatalf("postings: got %q %v, want %q", got, err, names)
	}
	var fp string
	var seq int64
	if err := conn.QueryRow(ctx, "SELECT fingerprint, seq FROM commands WHERE account = 'acc' AND idem_key = 'pay'").Scan(&fp, &seq); err != nil || fp != "mine" || seq != 1 {
		t.Fatalf("command: got %q %d %v", fp, seq, err)
	}
}

// TestMigrationCarriesOldRows: a journal written under 0001 (separate command
// and posting rows) keeps its commands, postings and balances after 0002.
func TestMigrationCarriesOldRows(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	init, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := migrate.Postgres(ctx, conn, fstest.MapFS{"0001_init.sql": {Data: init}}, "journal_migrations", 0x6f6e65636f6465); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO events (account, seq, type, data, at, amount) VALUES ('acc', 1, 'ToppedUp', 'x', now(), 100), ('acc', 2, 'Purchased', 'y', now(), -30)`,
		`INSERT INTO commands VALUES ('acc', 'r1', 'fp1', 'out1', 1), ('acc', 'p1', 'fp2', 'out2', 2)`,
		`INSERT INTO postings VALUES ('acc', 1, 0, 'wallet', 100), ('acc', 1, 1, 'clearing', -100), ('acc', 2, 0, 'wallet', -30), ('acc', 2, 1, 'canteen', 30)`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s := openAt(t, dsn) // applies 0002
	fp, out, found, err := s.Command(ctx, "acc", "p1")
	if err != nil || !found || fp != "fp2" || string(out) != "out2" {
		t.Fatalf("command p1: got %q %q %v %v", fp, out, found, err)
	}
	if sum, err := s.LedgerSum(ctx); err != nil || sum != 0 {
		t.Fatalf("LedgerSum: got %d %v", sum, err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM postings WHERE account = 'acc'").Scan(&n); err != nil || n != 4 {
		t.Fatalf("postings: got %d %v, want 4", n, err)
	}
	// The carried-over key still fences: a retry at a later seq is a duplicate.
	again := one("acc", 2, "p1")
	if err := s.AppendBatch(ctx, []journal.Append{again})[0]; err == nil {
		t.Fatal("retry of a migrated command was written again")
	}
}
