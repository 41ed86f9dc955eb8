package pgoutbox

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onecode/onecode/persistence/migrate"
	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/sqlerr"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configure a Store. Zero values take the defaults.
type Options struct {
	MaxConns int              // default 4, at most 64
	Now      func() time.Time // the store clock, default time.Now
}

// Store is an outbox.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

var _ outbox.Store = (*Store)(nil)

// migrateLock is the advisory lock key serialising outbox migrations ("outbox").
const migrateLock = 0x6f7574626f78

// Open connects to dsn, applies pending migrations and returns the Store.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.MaxConns == 0 {
		opts.MaxConns = 4
	}
	if opts.MaxConns < 1 || opts.MaxConns > 64 {
		return nil, fmt.Errorf("%w: MaxConns %d, want 1..64", outbox.ErrInvalid, opts.MaxConns)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("pgoutbox: %w", err)
	}
	pool, err := migrate.OpenPostgres(ctx, dsn, opts.MaxConns, fsys, "outbox_migrations", migrateLock)
	if err != nil {
		return nil, fmt.Errorf("pgoutbox: %w", err)
	}
	return &Store{pool: pool, now: opts.Now}, nil
}

// Close closes the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

var errs = sqlerr.Mapper{Store: "pgoutbox", NotFound: outbox.ErrNotFound, Conflict: outbox.ErrConflict, Invalid: outbox.ErrInvalid}

func mapErr(what string, err error) error { return errs.Postgres(what, err) }

func (s *Store) clock() time.Time { return outbox.Micro(s.now()) }

const cols = `id, dedupe_key, kind, school_id, recipient, payload, not_before, created_at, state, attempts,
	done_at, reason, delivery, delivery_detail, delivered_at`

func scan(r pgx.Row) (outbox.Notice, error) {
	var n outbox.Notice
	var payload, state, delivery string
	err := r.Scan(&n.ID, &n.Key, &n.Kind, &n.SchoolID, &n.Recipient, &payload, &n.NotBefore, &n.CreatedAt, &state, &n.Attempts,
		&n.DoneAt, &n.Reason, &delivery, &n.Detail, &n.DeliveredAt)
	n.Payload, n.State, n.Delivery = []byte(payload), outbox.State(state), outbox.Delivery(delivery)
	n.NotBefore, n.CreatedAt = n.NotBefore.UTC(), n.CreatedAt.UTC()
	for _, t := range []*time.Time{n.DoneAt, n.DeliveredAt} {
		if t != nil {
			*t = t.UTC()
		}
	}
	return n, err
}

func collect(rows pgx.Rows, err error) ([]outbox.Notice, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []outbox.Notice
	for rows.Next() {
		n, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Enqueue implements outbox.Store.
func (s *Store) Enqueue(ctx context.Context, n outbox.Notice) (int64, bool, error) {
	if err := outbox.Validate(&n); err != nil {
		return 0, false, err
	}
	now := s.clock()
	notBefore := now
	if !n.NotBefore.IsZero() {
		notBefore = outbox.Micro(n.NotBefore)
	}
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO notices (dedupe_key, kind, school_id, recipient, payload, not_before, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
		n.Key, n.Kind, n.SchoolID, n.Recipient, string(n.Payload), notBefore, now).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, mapErr("enqueue", err)
	}
	err = s.pool.QueryRow(ctx, "SELECT id FROM notices WHERE dedupe_key = $1", n.Key).Scan(&id)
	return id, false, mapErr("enqueue", err)
}

// EnqueueMany implements outbox.Store.
func (s *Store) EnqueueMany(ctx context.Context, ns []outbox.Notice) (int, error) {
	if err := outbox.ValidateMany(ns); err != nil {
		return 0, err
	}
	now := s.clock()
	args := make([]any, 0, 7*len(ns))
	values := make([]string, len(ns))
	for i, n := range ns {
		notBefore := now
		if !n.NotBefore.IsZero() {
			notBefore = outbox.Micro(n.NotBefore)
		}
		args = append(args, n.Key, n.Kind, n.SchoolID, n.Recipient, string(n.Payload), notBefore, now)
		values[i] = fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, $%d)", 7*i+1, 7*i+2, 7*i+3, 7*i+4, 7*i+5, 7*i+6, 7*i+7)
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO notices (dedupe_key, kind, school_id, recipient, payload, not_before, created_at)
		VALUES `+strings.Join(values, ", ")+` ON CONFLICT (dedupe_key) DO NOTHING`, args...)
	if err != nil {
		return 0, mapErr("enqueue many", err)
	}
	return int(tag.RowsAffected()), nil
}

// Claim implements outbox.Store.
func (s *Store) Claim(ctx context.Context, limit int, lease time.Duration) ([]outbox.Notice, error) {
	if err := outbox.ValidateLimit(limit); err != nil {
		return nil, err
	}
	if err := outbox.ValidateLease(lease); err != nil {
		return nil, err
	}
	now := s.clock()
	out, err := collect(s.pool.Query(ctx, `WITH due AS (
			SELECT id FROM notices WHERE state = 'queued' AND not_before <= $2 AND (claimed_until IS NULL OR claimed_until <= $2)
			ORDER BY not_before, id LIMIT $3 FOR UPDATE SKIP LOCKED)
		UPDATE notices n SET claimed_until = $1, attempts = attempts + 1 FROM due WHERE n.id = due.id
		RETURNING `+prefixed("n.", cols), now.Add(lease), now, limit))
	if err != nil {
		return nil, mapErr("claim", err)
	}
	sortDue(out)
	return out, nil
}

// end moves a queued notice to state; ErrNotQueued / ErrNotFound otherwise.
func (s *Store) end(ctx context.Context, what string, id int64, state outbox.State, reason string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE notices SET state = $2, reason = $3, done_at = $4, claimed_until = NULL
		WHERE id = $1 AND state = 'queued'`, id, string(state), reason, s.clock())
	if err != nil {
		return mapErr(what, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	return s.missing(ctx, what, id)
}

func (s *Store) missing(ctx context.Context, what string, id int64) error {
	var state string
	if err := s.pool.QueryRow(ctx, "SELECT state FROM notices WHERE id = $1", id).Scan(&state); err != nil {
		return mapErr(fmt.Sprintf("%s %d", what, id), err)
	}
	return fmt.Errorf("%w: notice %d is %s", outbox.ErrNotQueued, id, state)
}

// MarkSent implements outbox.Store.
func (s *Store) MarkSent(ctx context.Context, id int64) error {
	return s.end(ctx, "mark sent", id, outbox.Sent, "")
}

// MarkSentMany implements outbox.Store.
func (s *Store) MarkSentMany(ctx context.Context, ids []int64) (int, error) {
	if err := outbox.ValidateIDs(ids); err != nil {
		return 0, err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE notices SET state = 'sent', reason = '', done_at = $2, claimed_until = NULL
		WHERE id = ANY($1) AND state = 'queued'`, ids, s.clock())
	if err != nil {
		return 0, mapErr("mark sent", err)
	}
	return int(tag.RowsAffected()), nil
}

// MarkFailed implements outbox.Store.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	if err := outbox.ValidateReason(reason, false); err != nil {
		return err
	}
	return s.end(ctx, "mark failed", id, outbox.Failed, reason)
}

// Defer implements outbox.Store.
func (s *Store) Defer(ctx context.Context, id int64, notBefore time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE notices SET not_before = $2, claimed_until = NULL WHERE id = $1 AND state = 'queued'`,
		id, outbox.Micro(notBefore))
	if err != nil {
		return mapErr("defer", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	return s.missing(ctx, "defer", id)
}

// Withdraw implements outbox.Store.
func (s *Store) Withdraw(ctx context.Context, key, reason string) (bool, error) {
	if err := outbox.ValidateReason(reason, false); err != nil {
		return false, err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE notices SET state = 'withdrawn', reason = $2, done_at = $3, claimed_until = NULL
		WHERE dedupe_key = $1 AND state = 'queued'`, key, reason, s.clock())
	if err != nil {
		return false, mapErr("withdraw", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Get implements outbox.Store.
func (s *Store) Get(ctx context.Context, id int64) (outbox.Notice, error) {
	n, err := scan(s.pool.QueryRow(ctx, "SELECT "+cols+" FROM notices WHERE id = $1", id))
	return n, mapErr(fmt.Sprint("notice ", id), err)
}

// List implements outbox.Store.
func (s *Store) List(ctx context.Context, schoolID string, before int64, limit int) ([]outbox.Notice, error) {
	if err := outbox.ValidateLimit(limit); err != nil {
		return nil, err
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	out, err := collect(s.pool.Query(ctx, "SELECT "+cols+" FROM notices WHERE school_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
		schoolID, before, limit))
	return out, mapErr("list", err)
}
