package sqliteoutbox

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/onecode/onecode/persistence/migrate"
	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/sqlerr"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configure a Store. Zero values take the defaults.
type Options struct {
	MaxConns int              // default 4, at most 16
	Now      func() time.Time // the store clock, default time.Now
}

// Store is an outbox.Store on an SQLite file.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

var _ outbox.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path, applies pending
// migrations and returns the Store.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.MaxConns == 0 {
		opts.MaxConns = 4
	}
	if opts.MaxConns < 1 || opts.MaxConns > 16 {
		return nil, fmt.Errorf("%w: MaxConns %d, want 1..16", outbox.ErrInvalid, opts.MaxConns)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if path == "" {
		return nil, fmt.Errorf("%w: empty database path", outbox.ErrInvalid)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqliteoutbox: %w", err)
	}
	db, err := migrate.OpenSQLite(ctx, path, opts.MaxConns, fsys, "outbox_migrations", opts.Now)
	if err != nil {
		return nil, fmt.Errorf("sqliteoutbox: %w", err)
	}
	return &Store{db: db, now: opts.Now}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

var errs = sqlerr.Mapper{Store: "sqliteoutbox", NotFound: outbox.ErrNotFound, Conflict: outbox.ErrConflict, Invalid: outbox.ErrInvalid}

func mapErr(what string, err error) error { return errs.SQLite(what, err) }

const cols = `id, dedupe_key, kind, school_id, recipient, payload, not_before, created_at, state, attempts,
	done_at, reason, delivery, delivery_detail, delivered_at`

type scanner interface{ Scan(dest ...any) error }

func scan(r scanner) (outbox.Notice, error) {
	var n outbox.Notice
	var payload, state, delivery string
	var notBefore, created int64
	var done, delivered sql.NullInt64
	err := r.Scan(&n.ID, &n.Key, &n.Kind, &n.SchoolID, &n.Recipient, &payload, &notBefore, &created, &state, &n.Attempts,
		&done, &n.Reason, &delivery, &n.Detail, &delivered)
	n.Payload, n.State, n.Delivery = []byte(payload), outbox.State(state), outbox.Delivery(delivery)
	n.NotBefore, n.CreatedAt = time.UnixMicro(notBefore).UTC(), time.UnixMicro(created).UTC()
	n.DoneAt, n.DeliveredAt = optTime(done), optTime(delivered)
	return n, err
}

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMicro(v.Int64).UTC()
	return &t
}

func (s *Store) clock() int64 { return outbox.Micro(s.now()).UnixMicro() }

// Enqueue implements outbox.Store.
func (s *Store) Enqueue(ctx context.Context, n outbox.Notice) (int64, bool, error) {
	if err := outbox.Validate(&n); err != nil {
		return 0, false, err
	}
	now := s.clock()
	notBefore := now
	if !n.NotBefore.IsZero() {
		notBefore = outbox.Micro(n.NotBefore).UnixMicro()
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO notices (dedupe_key, kind, school_id, recipient, payload, not_before, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
		n.Key, n.Kind, n.SchoolID, n.Recipient, string(n.Payload), notBefore, now).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, mapErr("enqueue", err)
	}
	err = s.db.QueryRowContext(ctx, "SELECT id FROM notices WHERE dedupe_key = ?", n.Key).Scan(&id)
	return id, false, mapErr("enqueue", err)
}

// EnqueueMany implements outbox.Store.
func (s *Store) EnqueueMany(ctx context.Context, ns []outbox.Notice) (int, error) {
	if err := outbox.ValidateMany(ns); err != nil {
		return 0, err
	}
	now := s.clock()
	args := make([]any, 0, 7*len(ns))
	for _, n := range ns {
		notBefore := now
		if !n.NotBefore.IsZero() {
			notBefore = outbox.Micro(n.NotBefore).UnixMicro()
		}
		args = append(args, n.Key, n.Kind, n.SchoolID, n.Recipient, string(n.Payload), notBefore, now)
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", len(ns)), ", ")
	res, err := s.db.ExecContext(ctx, `INSERT INTO notices (dedupe_key, kind, school_id, recipient, payload, not_before, created_at)
		VALUES `+values+` ON CONFLICT (dedupe_key) DO NOTHING`, args...)
	if err != nil {
		return 0, mapErr("enqueue many", err)
	}
	n, err := res.RowsAffected()
	return int(n), mapErr("enqueue many", err)
}

// Claim implements outbox.Store.
func (s *Store) Claim(ctx context.Context, limit int, lease time.Duration) ([]outbox.Notice, error) {
	if err := outbox.ValidateLimit(limit); err != nil {
		return nil, err
	}
	if err := outbox.ValidateLease(lease); err != nil {
		return nil, err
	}
	now := outbox.Micro(s.now())
	rows, err := s.db.QueryContext(ctx, `UPDATE notices SET claimed_until = ?1, attempts = attempts + 1
		WHERE id IN (SELECT id FROM notices WHERE state = 'queued' AND not_before <= ?2
			AND (claimed_until IS NULL OR claimed_until <= ?2) ORDER BY not_before, id LIMIT ?3)
		RETURNING `+cols, now.Add(lease).UnixMicro(), now.UnixMicro(), limit)
	if err != nil {
		return nil, mapErr("claim", err)
	}
	defer rows.Close()
	var out []outbox.Notice
	for rows.Next() {
		n, err := scan(rows)
		if err != nil {
			return nil, mapErr("claim", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("claim", err)
	}
	slices.SortFunc(out, func(a, b outbox.Notice) int {
		return cmp.Or(a.NotBefore.Compare(b.NotBefore), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// end moves a queued notice to state; ErrNotQueued / ErrNotFound otherwise.
func (s *Store) end(ctx context.Context, what string, id int64, state outbox.State, reason string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE notices SET state = ?, reason = ?, done_at = ?, claimed_until = NULL
		WHERE id = ? AND state = 'queued'`, string(state), reason, s.clock(), id)
	if err != nil {
		return mapErr(what, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	return s.missing(ctx, what, id)
}

// missing tells ErrNotFound from ErrNotQueued for id.
func (s *Store) missing(ctx context.Context, what string, id int64) error {
	var state string
	err := s.db.QueryRowContext(ctx, "SELECT state FROM notices WHERE id = ?", id).Scan(&state)
	if err != nil {
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
	args := []any{s.clock()}
	for _, id := range ids {
		args = append(args, id)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE notices SET state = 'sent', reason = '', done_at = ?, claimed_until = NULL
		WHERE state = 'queued' AND id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return 0, mapErr("mark sent", err)
	}
	n, err := res.RowsAffected()
	return int(n), mapErr("mark sent", err)
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
	res, err := s.db.ExecContext(ctx, `UPDATE notices SET not_before = ?, claimed_until = NULL WHERE id = ? AND state = 'queued'`,
		outbox.Micro(notBefore).UnixMicro(), id)
	if err != nil {
		return mapErr("defer", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	return s.missing(ctx, "defer", id)
}

// Withdraw implements outbox.Store.
func (s *Store) Withdraw(ctx context.Context, key, reason string) (bool, error) {
	if err := outbox.ValidateReason(reason, false); err != nil {
		return false, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE notices SET state = 'withdrawn', reason = ?, done_at = ?, claimed_until = NULL
		WHERE dedupe_key = ? AND state = 'queued'`, reason, s.clock(), key)
	if err != nil {
		return false, mapErr("withdraw", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Get implements outbox.Store.
func (s *Store) Get(ctx context.Context, id int64) (outbox.Notice, error) {
	n, err := scan(s.db.QueryRowContext(ctx, "SELECT "+cols+" FROM notices WHERE id = ?", id))
	return n, mapErr(fmt.Sprint("notice ", id), err)
}

// List implements outbox.Store.
func (s *Store) List(ctx context.Context, schoolID string, before int64, limit int) ([]outbox.Notice, error) {
	if err := outbox.ValidateLimit(limit); err != nil {
		return nil, err
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+cols+" FROM notices WHERE school_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
		schoolID, before, limit)
	if err != nil {
		return nil, mapErr("list", err)
	}
	defer rows.Close()
	var out []outbox.Notice
	for rows.Next() {
		n, err := scan(rows)
		if err != nil {
			return nil, mapErr("list", err)
		}
		out = append(out, n)
	}
	return out, mapErr("list", rows.Err())
}
