// Package sqlstore is the one implementation of alarms.Store over database/sql,
// for PostgreSQL (through pgx's stdlib) and SQLite alike: the schemas agree
// column for column and times are unix microseconds (0: not yet) in both.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/onecode/onecode/persistence/alarms"
)

// Dialect is what differs between the databases.
type Dialect struct {
	// Numbered placeholders ($1, $2 …) instead of ?.
	Numbered bool
	// MapErr maps a driver error of what onto the alarms errors.
	MapErr func(what string, err error) error
	// Close (optional) releases what the db was opened from, after the db.
	Close func()
}

// Store is an alarms.Store on db.
type Store struct {
	db *sql.DB
	d  Dialect
}

// New returns the Store; Close closes db.
func New(db *sql.DB, d Dialect) *Store { return &Store{db: db, d: d} }

var _ alarms.Store = (*Store)(nil)

// Close implements alarms.Store.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.d.Close != nil {
		s.d.Close()
	}
	return err
}

// q rewrites ? placeholders for the dialect.
func (s *Store) q(query string) string {
	if !s.d.Numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Store) mapErr(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", alarms.ErrNotFound, what)
	}
	if err == nil {
		return nil
	}
	return s.d.MapErr(what, err)
}

const columns = `alarm_id, dedupe_key, kind, level, school_id, subject, message, raised_at, last_seen,
	seen_count, cleared_at, acked_by, acked_at`

type row interface{ Scan(dest ...any) error }

func micro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicro(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func scan(r row) (alarms.Alarm, error) {
	var (
		a                            alarms.Alarm
		level                        string
		raised, seen, cleared, acked int64
	)
	err := r.Scan(&a.ID, &a.Key, &a.Kind, &level, &a.SchoolID, &a.Subject, &a.Message, &raised, &seen,
		&a.Count, &cleared, &a.AckedBy, &acked)
	if err != nil {
		return alarms.Alarm{}, err
	}
	a.Level = alarms.Level(level)
	a.RaisedAt, a.LastSeen, a.Cleared, a.AckedAt = fromMicro(raised), fromMicro(seen), fromMicro(cleared), fromMicro(acked)
	return a, nil
}

// Raise implements alarms.Store: one statement, an upsert on the partial unique
// index of open keys, so that concurrent raisers of one key make one alarm.
func (s *Store) Raise(ctx context.Context, a alarms.Alarm) (alarms.Alarm, bool, error) {
	if err := alarms.ValidateAlarm(a); err != nil {
		return alarms.Alarm{}, false, err
	}
	at := micro(a.RaisedAt)
	got, err := scan(s.db.QueryRowContext(ctx, s.q(`INSERT INTO alarms (dedupe_key, kind, level, school_id, subject,
			message, raised_at, last_seen, seen_count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
		ON CONFLICT (dedupe_key) WHERE cleared_at = 0 DO UPDATE SET
			last_seen = CASE WHEN excluded.last_seen > alarms.last_seen THEN excluded.last_seen ELSE alarms.last_seen END,
			seen_count = alarms.seen_count + 1, message = excluded.message
		RETURNING `+columns), a.Key, a.Kind, string(a.Level), a.SchoolID, a.Subject, a.Message, at, at))
	if err != nil {
		return alarms.Alarm{}, false, s.mapErr("raise "+a.Key, err)
	}
	return got, got.Count == 1, nil
}

// Clear implements alarms.Store.
func (s *Store) Clear(ctx context.Context, key string, at time.Time) (bool, error) {
	if key == "" || len(key) > alarms.MaxKeyLen || at.IsZero() {
		return false, fmt.Errorf("%w: clear %q at %v", alarms.ErrInvalid, key, at)
	}
	us := micro(at)
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE alarms
		SET cleared_at = CASE WHEN ? > raised_at THEN ? ELSE raised_at END
		WHERE dedupe_key = ? AND cleared_at = 0`), us, us, key)
	if err != nil {
		return false, s.mapErr("clear "+key, err)
	}
	n, err := res.RowsAffected()
	return n > 0, s.mapErr("clear "+key, err)
}

// Acknowledge implements alarms.Store.
func (s *Store) Acknowledge(ctx context.Context, id int64, operator string, at time.Time) (alarms.Alarm, error) {
	if operator == "" || len(operator) > alarms.MaxIDLen || at.IsZero() {
		return alarms.Alarm{}, fmt.Errorf("%w: acknowledge by %q at %v", alarms.ErrInvalid, operator, at)
	}
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE alarms SET acked_by = ?, acked_at = ?
		WHERE alarm_id = ? AND acked_at = 0`), operator, micro(at), id); err != nil {
		return alarms.Alarm{}, s.mapErr("acknowledge alarm "+strconv.FormatInt(id, 10), err)
	}
	return s.Get(ctx, id)
}

// Get implements alarms.Store.
func (s *Store) Get(ctx context.Context, id int64) (alarms.Alarm, error) {
	a, err := scan(s.db.QueryRowContext(ctx, s.q("SELECT "+columns+" FROM alarms WHERE alarm_id = ?"), id))
	return a, s.mapErr("alarm "+strconv.FormatInt(id, 10), err)
}

// List implements alarms.Store.
func (s *Store) List(ctx context.Context, f alarms.Filter) ([]alarms.Alarm, error) {
	if err := alarms.ValidateFilter(f); err != nil {
		return nil, err
	}
	before := f.BeforeID
	if before == 0 {
		before = 1<<63 - 1
	}
	cond := ""
	if f.OpenOnly {
		cond = " AND cleared_at = 0"
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+columns+" FROM alarms WHERE alarm_id < ?"+cond+
		" ORDER BY alarm_id DESC LIMIT ?"), before, f.Limit)
	if err != nil {
		return nil, s.mapErr("alarms", err)
	}
	defer rows.Close()
	var out []alarms.Alarm
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return nil, s.mapErr("alarms", err)
		}
		out = append(out, a)
	}
	return out, s.mapErr("alarms", rows.Err())
}

// OpenKeys implements alarms.Store.
func (s *Store) OpenKeys(ctx context.Context, prefix string) ([]string, error) {
	if len(prefix) > alarms.MaxKeyLen {
		return nil, fmt.Errorf("%w: prefix of %d bytes", alarms.ErrInvalid, len(prefix))
	}
	// Compared as a range, not LIKE, so that % and _ in a prefix mean themselves.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT dedupe_key FROM alarms
		WHERE cleared_at = 0 AND substr(dedupe_key, 1, ?) = ? ORDER BY dedupe_key LIMIT ?`),
		len(prefix), prefix, alarms.MaxListLimit)
	if err != nil {
		return nil, s.mapErr("open alarm keys", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, s.mapErr("open alarm keys", err)
		}
		out = append(out, k)
	}
	return out, s.mapErr("open alarm keys", rows.Err())
}
