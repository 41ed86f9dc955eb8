package pgjournal_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/journal/pgjournal"
	"github.com/onecode/onecode/persistence/pgtest"
)

var raceAt = time.Date(2025, 9, 1, 12, 0, 0, 0, journal.CanteenZone)

func one(account string, expected int64, key string) journal.Append {
	return journal.Append{Account: account, ExpectedSeq: expected, IdemKey: key, Fingerprint: "mine", Outcome: []byte("mine"),
		Events: []journal.Event{{Type: "T", Data: []byte("mine"), At: raceAt, Amount: 5,
			Postings: []journal.Posting{{Ledger: "wallet", Amount: 5}, {Ledger: "cash", Amount: -5}}}}}
}

// rival opens a transaction in "another process" that runs stmts and stays
// open until the returned commit is called.
func rival(t *testing.T, dsn string, stmts ...string) (commit func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(ctx) })
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		if err := tx.Commit(ctx); err != nil {
			t.Error(err)
		}
	}
}

// waitForLockWait returns once some backend of the database waits on a
// lock: the batch has read its heads and now waits on the rival's rows.
func waitForLockWait(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for range 2000 { // bounded poll of the server's state, ~10s
		var waiting bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the batch never waited on the rival's lock")
}

func openAt(t *testing.T, dsn string) *pgjournal.Store {
	s, err := pgjournal.Open(context.Background(), dsn, pgjournal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestConflictAtInsertFailsOnlyItsAppends: a rival transaction, invisible
// when the batch read its heads, commits the seq the batch wants. Only the
// appends of that account fail; the others commit; the rival's row stays.
func TestConflictAtInsertFailsOnlyItsAppends(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s := openAt(t, dsn)
	commit := rival(t, dsn, `INSERT INTO events (account, seq, type, data, at) VALUES ('hot', 1, 'T', 'rival', now())`)
	done := make(chan []error, 1)
	go func() {
		done <- s.AppendBatch(ctx, []journal.Append{one("calm", 0, "k"), one("hot", 0, "k"), one("hot", 1, "k2"), one("calm", 1, "")})
	}()
	waitForLockWait(t, dsn)
	commit()
	errs := <-done
	if errs[0] != nil || !errors.Is(errs[1], journal.ErrSeqConflict) || !errors.Is(errs[2], journal.ErrSeqConflict) || errs[3] != nil {
		t.Fatalf("got %v, want [nil conflict conflict nil]", errs)
	}
	_, hot, err := s.Load(ctx, "hot")
	if err != nil || len(hot) != 1 || string(hot[0].Data) != "rival" {
		t.Fatalf("hot: got %+v %v, want only the rival's event", hot, err)
	}
	if _, calm, _ := s.Load(ctx, "calm"); len(calm) != 2 {
		t.Errorf("calm: got %d events, want 2", len(calm))
	}
	if sum, err := s.LedgerSum(ctx); err != nil || sum != 0 {
		t.Errorf("LedgerSum: got %d %v, want 0", sum, err)
	}
	if bal, _ := s.WalletBalance(ctx, "hot"); bal != 0 {
		t.Errorf("hot balance: got %d, want 0 (rival's event has no amount)", bal)
	}
}

// TestKeyTakenAtInsertReportsStoredCommand: a rival commits the same
// idempotency key after the batch read the commands; the batch's append is
// undone and reports the rival's fingerprint and outcome.
func TestKeyTakenAtInsertReportsStoredCommand(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s := openAt(t, dsn)
	if err := s.AppendBatch(ctx, []journal.Append{one("acc", 0, "")})[0]; err != nil {
		t.Fatal(err)
	}
	commit := rival(t, dsn, `INSERT INTO events (account, seq, type, data, at, idem_key, fingerprint, outcome) VALUES ('acc', 2, 'T', 'rival', now(), 'pay', 'theirs', 'their outcome')`)
	done := make(chan []error, 1)
	go func() {
		done <- s.AppendBatch(ctx, []journal.Append{one("acc", 1, "pay"), one("acc", 2, ""), one("other", 0, "pay")})
	}()
	waitForLockWait(t, dsn)
	commit()
	errs := <-done
	var dup *journal.DuplicateError
	if !errors.As(errs[0], &dup) || dup.Fingerprint != "theirs" || string(dup.Outcome) != "their outcome" {
		t.Fatalf("append 0: got %v, want the rival's command", errs[0])
	}
	if !errors.Is(errs[1], journal.ErrSeqConflict) || errs[2] != nil {
		t.Fatalf("got %v, want [duplicate conflict nil]", errs)
	}
	if _, tail, _ := s.Load(ctx, "acc"); len(tail) != 2 {
		t.Errorf("acc: got %d events, want 2: the first and the rival's (the batch's were undone)", len(tail))
	}
	if sum, err := s.LedgerSum(ctx); err != nil || sum != 0 {
		t.Errorf("LedgerSum: got %d %v, want 0", sum, err)
	}
}

// TestFailedBatchLeavesNoDuplicateAnswer: an append of the batch repeats an earlier
// one's key (its twin) and the transaction then fails (its deadline passes while a
// rival holds the row). The twin must not answer "duplicate" with an outcome that
// never committed: both appends fail with an unknown outcome, and nothing is written.
func TestFailedBatchLeavesNoDuplicateAnswer(t *testing.T) {
	dsn := pgtest.DSN(t)
	s := openAt(t, dsn)
	commit := rival(t, dsn, `INSERT INTO events (account, seq, type, data, at) VALUES ('acc', 1, 'T', 'rival', now())`)
	defer commit()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	errs := s.AppendBatch(ctx, []journal.Append{one("acc", 0, "pay"), one("acc", 0, "pay")})
	for i, err := range errs {
		if err == nil || errors.Is(err, journal.ErrDuplicateKey) {
			t.Fatalf("append %d: got %v, want a failure that is not a duplicate", i, err)
		}
	}
}
