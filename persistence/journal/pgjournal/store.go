package pgjournal

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Pool bounds.
const (
	DefaultMaxConns = 8
	MaxMaxConns     = 64
	// MaxTail bounds the events Load returns after the latest snapshot.
	MaxTail = 100_000
)

// ErrTailTooLong: an account has more than MaxTail events after its latest
// snapshot; its grain must snapshot more often.
var ErrTailTooLong = errors.New("pgjournal: tail after snapshot too long")

// Options configure a Store. Zero values take the defaults.
type Options struct {
	MaxConns int // default 8, at most 64
}

// Store is a journal.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

var _ journal.Store = (*Store)(nil)

// Open connects to dsn, applies pending migrations and returns the Store.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.MaxConns == 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.MaxConns < 1 || opts.MaxConns > MaxMaxConns {
		return nil, fmt.Errorf("%w: MaxConns %d, want 1..%d", journal.ErrInvalid, opts.MaxConns, MaxMaxConns)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("pgjournal: %w", err)
	}
	pool, err := migrate.OpenPostgres(ctx, dsn, opts.MaxConns, fsys, "journal_migrations", migrateLock)
	if err != nil {
		return nil, fmt.Errorf("pgjournal: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Close closes the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// migrateLock is the advisory lock key serialising migrations ("onecode").
const migrateLock = 0x6f6e65636f6465

// with runs f on a pooled connection.
func (s *Store) with(ctx context.Context, f func(*pgx.Conn) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release() // a connection left in a transaction is destroyed
	return f(conn.Conn())
}

// Load implements journal.Store. The snapshot and the tail are read by one
// statement, so they are consistent with each other.
func (s *Store) Load(ctx context.Context, account string) (*journal.Snapshot, []journal.Event, error) {
	if err := journal.ValidateAccount(account); err != nil {
		return nil, nil, err
	}
	var snap *journal.Snapshot
	var tail []journal.Event
	err := s.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `
			WITH s AS (SELECT seq, data FROM snapshots WHERE account = $1 ORDER BY seq DESC LIMIT 1)
			SELECT true, seq, '', data, NULL::timestamptz, 0::bigint, '' FROM s
			UNION ALL
			(SELECT false, seq, type, data, at, amount, merchant FROM events
			  WHERE account = $1 AND seq > COALESCE((SELECT seq FROM s), 0)
			  ORDER BY seq LIMIT $2)`, account, MaxTail+1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var isSnap bool
			var e journal.Event
			var at *time.Time
			if err := rows.Scan(&isSnap, &e.Seq, &e.Type, &e.Data, &at, &e.Amount, &e.Merchant); err != nil {
				return err
			}
			if isSnap {
				snap = &journal.Snapshot{Seq: e.Seq, Data: e.Data}
				continue
			}
			e.At = *at
			tail = append(tail, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("pgjournal: load %q: %w", account, err)
	}
	if len(tail) > MaxTail {
		return nil, nil, fmt.Errorf("%w: account %q", ErrTailTooLong, account)
	}
	return snap, tail, nil
}

// Command implements journal.Store.
func (s *Store) Command(ctx context.Context, account, idemKey string) (string, []byte, bool, error) {
	if err := journal.ValidateAccount(account); err != nil {
		return "", nil, false, err
	}
	var fp string
	var outcome []byte
	err := s.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, "SELECT fingerprint, outcome FROM commands WHERE account = $1 AND idem_key = $2",
			account, idemKey).Scan(&fp, &outcome)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("pgjournal: command: %w", err)
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
	var out []journal.Event
	err := s.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT seq, type, data, at, amount, merchant FROM events
			WHERE account = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, account, beforeSeq, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scanEvent)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pgjournal: history: %w", err)
	}
	return out, nil
}

func scanEvent(row pgx.CollectableRow) (journal.Event, error) {
	var e journal.Event
	err := row.Scan(&e.Seq, &e.Type, &e.Data, &e.At, &e.Amount, &e.Merchant)
	return e, err
}

// CanteenDaily implements journal.Store: an event of the merchant with
// Amount < 0 is a purchase, with Amount > 0 a void.
func (s *Store) CanteenDaily(ctx context.Context, merchant string, from, to time.Time) ([]journal.DayTotal, error) {
	if err := journal.ValidateRange(merchant, from, to); err != nil {
		return nil, err
	}
	var out []journal.DayTotal
	err := s.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `
			SELECT (at AT TIME ZONE 'Asia/Shanghai')::date AS day,
			       sum(CASE WHEN amount < 0 THEN 1 WHEN amount > 0 THEN -1 ELSE 0 END)::bigint,
			       (-sum(amount))::bigint
			FROM events WHERE merchant = $1 AND at >= $2 AND at < $3
			GROUP BY day ORDER BY day`, merchant, from, to)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (journal.DayTotal, error) {
			var d journal.DayTotal
			var day time.Time
			err := row.Scan(&day, &d.Count, &d.Sum)
			d.Day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, journal.CanteenZone)
			return d, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pgjournal: canteen daily: %w", err)
	}
	return out, nil
}

// LedgerSum implements journal.Store.
func (s *Store) LedgerSum(ctx context.Context) (int64, error) {
	return s.sum(ctx, "SELECT COALESCE(sum(amount), 0)::bigint FROM postings")
}

// WalletBalance implements journal.Store.
func (s *Store) WalletBalance(ctx context.Context, account string) (int64, error) {
	if err := journal.ValidateAccount(account); err != nil {
		return 0, err
	}
	return s.sum(ctx, "SELECT COALESCE(sum(amount), 0)::bigint FROM events WHERE account = $1", account)
}

func (s *Store) sum(ctx context.Context, sql string, args ...any) (int64, error) {
	var n int64
	err := s.with(ctx, func(c *pgx.Conn) error { return c.QueryRow(ctx, sql, args...).Scan(&n) })
	if err != nil {
		return 0, fmt.Errorf("pgjournal: sum: %w", err)
	}
	return n, nil
}
