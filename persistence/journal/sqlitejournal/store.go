package sqlitejournal

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"

	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

const (
	readers = 4
	// MaxTail bounds the events Load returns after the latest snapshot.
	MaxTail = 100_000
)

// ErrTailTooLong: an account has more than MaxTail events after its latest
// snapshot; its grain must snapshot more often.
var ErrTailTooLong = errors.New("sqlitejournal: tail after snapshot too long")

// Store is a journal.Store on one SQLite file.
type Store struct {
	w *sql.DB // the single writer connection
	r *sql.DB // read-only connections
}

var _ journal.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and applies
// pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: empty sqlite path", journal.ErrInvalid)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlitejournal: %w", err)
	}
	w, err := migrate.OpenSQLite(ctx, path, 1, fsys, "journal_migrations", time.Now)
	if err != nil {
		return nil, fmt.Errorf("sqlitejournal: %w", err)
	}
	r, err := sql.Open("sqlite", migrate.SQLiteDSN(path, "_pragma=query_only(1)"))
	if err != nil {
		_ = w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	return &Store{w: w, r: r}, nil
}

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// AppendBatch implements journal.Store: one BEGIN IMMEDIATE transaction;
// each append is checked (key, then seq) and written inside its own
// savepoint, so it sees the appends before it and fails alone.
func (s *Store) AppendBatch(ctx context.Context, batch []journal.Append) []error {
	if err := journal.ValidateBatch(len(batch)); err != nil {
		return journal.Fill(len(batch), err)
	}
	errs := make([]error, len(batch))
	live := make([]int, 0, len(batch))
	for i := range batch {
		if errs[i] = journal.Validate(&batch[i]); errs[i] == nil {
			live = append(live, i)
		}
	}
	if len(live) == 0 {
		return errs
	}
	if err := s.appendTx(ctx, batch, live, errs); err != nil {
		for _, i := range live {
			errs[i] = err
		}
	}
	return errs
}

// appendTx writes the live appends, setting their errors; a transaction-wide
// error fails them all (AppendBatch), since any answer may rest on an append of
// the batch that did not commit.
func (s *Store) appendTx(ctx context.Context, batch []journal.Append, live []int, errs []error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitejournal: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, i := range live {
		err := appendOne(ctx, tx, &batch[i])
		if errors.Is(err, errTxBroken) {
			return err
		}
		errs[i] = err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlitejournal: commit: %w", err)
	}
	return nil
}

var errTxBroken = errors.New("sqlitejournal: transaction broken")

func appendOne(ctx context.Context, tx *sql.Tx, a *journal.Append) error {
	if a.IdemKey != "" {
		d := journal.DuplicateError{Account: a.Account, IdemKey: a.IdemKey}
		err := tx.QueryRowContext(ctx, "SELECT fingerprint, outcome FROM commands WHERE account = ? AND idem_key = ?",
			a.Account, a.IdemKey).Scan(&d.Fingerprint, &d.Outcome)
		if err == nil {
			return &d
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %w", errTxBroken, err)
		}
	}
	var head int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(max(seq), 0) FROM events WHERE account = ?", a.Account).Scan(&head); err != nil {
		return fmt.Errorf("%w: %w", errTxBroken, err)
	}
	if head != a.ExpectedSeq {
		return journal.SeqConflict(a.Account, a.ExpectedSeq, head)
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT append"); err != nil {
		return fmt.Errorf("%w: %w", errTxBroken, err)
	}
	if err := insert(ctx, tx, a); err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO append"); rerr != nil {
			return fmt.Errorf("%w: %w", errTxBroken, rerr)
		}
		if _, rerr := tx.ExecContext(ctx, "RELEASE append"); rerr != nil {
			return fmt.Errorf("%w: %w", errTxBroken, rerr)
		}
		return fmt.Errorf("sqlitejournal: append to %q: %w", a.Account, err)
	}
	if _, err := tx.ExecContext(ctx, "RELEASE append"); err != nil {
		return fmt.Errorf("%w: %w", errTxBroken, err)
	}
	return nil
}

func insert(ctx context.Context, tx *sql.Tx, a *journal.Append) error {
	for j := range a.Events {
		e := &a.Events[j]
		seq := a.ExpectedSeq + 1 + int64(j)
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (account, seq, type, data, at, amount, merchant)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, a.Account, seq, e.Type, journal.NonNil(e.Data), e.At.UnixMicro(), e.Amount, e.Merchant); err != nil {
			return err
		}
		for k, p := range e.Postings {
			if _, err := tx.ExecContext(ctx, "INSERT INTO postings (account, seq, idx, ledger, amount) VALUES (?, ?, ?, ?, ?)",
				a.Account, seq, k, p.Ledger, p.Amount); err != nil {
				return err
			}
		}
	}
	if a.IdemKey != "" {
		if _, err := tx.ExecContext(ctx, "INSERT INTO commands (account, idem_key, fingerprint, outcome, seq) VALUES (?, ?, ?, ?, ?)",
			a.Account, a.IdemKey, a.Fingerprint, journal.NonNil(a.Outcome), a.ExpectedSeq+1); err != nil {
			return err
		}
	}
	if sn := a.Snapshot; sn != nil {
		if _, err := tx.ExecContext(ctx, "INSERT INTO snapshots (account, seq, data) VALUES (?, ?, ?)",
			a.Account, sn.Seq, journal.NonNil(sn.Data)); err != nil {
			return err
		}
	}
	return nil
}

// Load implements journal.Store; snapshot and tail are read in one
// read transaction.
func (s *Store) Load(ctx context.Context, account string) (*journal.Snapshot, []journal.Event, error) {
	if err := journal.ValidateAccount(account); err != nil {
		return nil, nil, err
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, fmt.Errorf("sqlitejournal: load: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var snap *journal.Snapshot
	var sn journal.Snapshot
	err = tx.QueryRowContext(ctx, "SELECT seq, data FROM snapshots WHERE account = ? ORDER BY seq DESC LIMIT 1", account).Scan(&sn.Seq, &sn.Data)
	switch {
	case err == nil:
		snap = &sn
	case !errors.Is(err, sql.ErrNoRows):
		return nil, nil, fmt.Errorf("sqlitejournal: load snapshot: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, type, data, at, amount, merchant FROM events
		WHERE account = ? AND seq > ? ORDER BY seq LIMIT ?`, account, sn.Seq, MaxTail+1)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlitejournal: load: %w", err)
	}
	tail, err := scanEvents(rows)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlitejournal: load: %w", err)
	}
	if len(tail) > MaxTail {
		return nil, nil, fmt.Errorf("%w: account %q", ErrTailTooLong, account)
	}
	return snap, tail, nil
}

func scanEvents(rows *sql.Rows) ([]journal.Event, error) {
	defer rows.Close()
	var out []journal.Event
	for rows.Next() {
		var e journal.Event
		var at int64
		if err := rows.Scan(&e.Seq, &e.Type, &e.Data, &at, &e.Amount, &e.Merchant); err != nil {
			return nil, err
		}
		e.At = time.UnixMicro(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Command implements journal.Store.
func (s *Store) Command(ctx context.Context, account, idemKey string) (string, []byte, bool, error) {
	if err := journal.ValidateAccount(account); err != nil {
		return "", nil, false, err
	}
	var fp string
	var outcome []byte
	err := s.r.QueryRowContext(ctx, "SELECT fingerprint, outcome FROM commands WHERE account = ? AND idem_key = ?",
		account, idemKey).Scan(&fp, &outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("sqlitejournal: command: %w", err)
	}
	return fp, outcome, true, nil
}

// History implements journal.Store.
func (s *Store) History(ctx context.Context, account string, beforeSeq int64, limit int) ([]journal.Event, error) {
	if err := journal.ValidatePage(account, limit); err != nil {
		return nil, err
	}
	if beforeSeq <= 0 {
		beforeSeq = 1<<63 - 1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT seq, type, data, at, amount, merchant FROM events
		WHERE account = ? AND seq < ? ORDER BY seq DESC LIMIT ?`, account, beforeSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitejournal: history: %w", err)
	}
	out, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlitejournal: history: %w", err)
	}
	return out, nil
}

// CanteenDaily implements journal.Store: an event of the merchant with
// Amount < 0 is a purchase, with Amount > 0 a void; days are UTC+8.
func (s *Store) CanteenDaily(ctx context.Context, merchant string, from, to time.Time) ([]journal.DayTotal, error) {
	if err := journal.ValidateRange(merchant, from, to); err != nil {
		return nil, err
	}
	const offset = 8 * 3600 * 1_000_000 // UTC+8 in microseconds
	const day = 86400 * 1_000_000
	rows, err := s.r.QueryContext(ctx, `
		SELECT (at + ?) / ? AS d,
		       sum(CASE WHEN amount < 0 THEN 1 WHEN amount > 0 THEN -1 ELSE 0 END),
		       -sum(amount)
		FROM events WHERE merchant = ? AND at >= ? AND at < ?
		GROUP BY d ORDER BY d`, offset, day, merchant, from.UnixMicro(), to.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("sqlitejournal: canteen daily: %w", err)
	}
	defer rows.Close()
	var out []journal.DayTotal
	for rows.Next() {
		var d journal.DayTotal
		var n int64
		if err := rows.Scan(&n, &d.Count, &d.Sum); err != nil {
			return nil, fmt.Errorf("sqlitejournal: canteen daily: %w", err)
		}
		u := time.Unix(n*86400, 0).UTC()
		d.Day = time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, journal.CanteenZone)
		out = append(out, d)
	}
	return out, rows.Err()
}

// LedgerSum implements journal.Store.
func (s *Store) LedgerSum(ctx context.Context) (int64, error) {
	return s.sum(ctx, "SELECT COALESCE(sum(amount), 0) FROM postings")
}

// WalletBalance implements journal.Store.
func (s *Store) WalletBalance(ctx context.Context, account string) (int64, error) {
	if err := journal.ValidateAccount(account); err != nil {
		return 0, err
	}
	return s.sum(ctx, "SELECT COALESCE(sum(amount), 0) FROM events WHERE account = ?", account)
}

func (s *Store) sum(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlitejournal: sum: %w", err)
	}
	return n, nil
}
