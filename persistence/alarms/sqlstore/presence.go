package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/onecode/onecode/persistence/alarms"
)

// beatRows is the rows of one upsert statement (5 parameters each).
const beatRows = 250

// Beat implements alarms.Presence: multi-row upserts in one transaction, each
// row keeping the newer of the stored and the given beat (a terminal given twice:
// its later beat).
func (s *Store) Beat(ctx context.Context, beats []alarms.Beat) error {
	if len(beats) > alarms.MaxBeats {
		return fmt.Errorf("%w: %d beats, at most %d", alarms.ErrInvalid, len(beats), alarms.MaxBeats)
	}
	latest := make(map[string]int, len(beats))
	uniq := make([]alarms.Beat, 0, len(beats))
	for _, b := range beats {
		if err := alarms.ValidateBeat(b); err != nil {
			return err
		}
		if i, ok := latest[b.TerminalID]; ok {
			if b.LastSeen.After(uniq[i].LastSeen) {
				uniq[i] = b
			}
			continue
		}
		latest[b.TerminalID] = len(uniq)
		uniq = append(uniq, b)
	}
	if len(uniq) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErr("beat", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	for len(uniq) > 0 {
		n := min(len(uniq), beatRows)
		var q strings.Builder
		q.WriteString("INSERT INTO terminal_beats (terminal_id, school_id, member, online, last_seen) VALUES ")
		args := make([]any, 0, 5*n)
		for i, b := range uniq[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?)")
			args = append(args, b.TerminalID, b.SchoolID, b.Member, s.bool(b.Online), micro(b.LastSeen))
		}
		q.WriteString(` ON CONFLICT (terminal_id) DO UPDATE SET school_id = excluded.school_id, member = excluded.member,
			online = excluded.online, last_seen = excluded.last_seen
		WHERE excluded.last_seen >= terminal_beats.last_seen`)
		if _, err := tx.ExecContext(ctx, s.q(q.String()), args...); err != nil {
			return s.mapErr("beat", err)
		}
		uniq = uniq[n:]
	}
	return s.mapErr("beat", tx.Commit())
}

// bool is v as the dialect's boolean column takes it.
func (s *Store) bool(v bool) any {
	if s.d.Numbered {
		return v
	}
	if v {
		return 1
	}
	return 0
}

// Silent implements alarms.Presence.
func (s *Store) Silent(ctx context.Context, since, before time.Time, limit int) ([]alarms.Beat, error) {
	if limit < 1 || limit > alarms.MaxBeats {
		return nil, fmt.Errorf("%w: limit %d, want 1..%d", alarms.ErrInvalid, limit, alarms.MaxBeats)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT terminal_id, school_id, member, online, last_seen FROM terminal_beats
		WHERE last_seen >= ? AND last_seen < ? ORDER BY last_seen, terminal_id LIMIT ?`), micro(since), micro(before), limit)
	if err != nil {
		return nil, s.mapErr("silent terminals", err)
	}
	defer rows.Close()
	var out []alarms.Beat
	for rows.Next() {
		var (
			b      alarms.Beat
			online any
			seen   int64
		)
		if err := rows.Scan(&b.TerminalID, &b.SchoolID, &b.Member, &online, &seen); err != nil {
			return nil, s.mapErr("silent terminals", err)
		}
		switch v := online.(type) {
		case bool:
			b.Online = v
		case int64:
			b.Online = v != 0
		}
		b.LastSeen = fromMicro(seen)
		out = append(out, b)
	}
	return out, s.mapErr("silent terminals", rows.Err())
}

// AcquireLease implements alarms.Leases: one upsert that takes the row only when
// it is free, expired or the holder's own.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	if err := alarms.ValidateLease(name, holder, ttl); err != nil {
		return false, err
	}
	if now.IsZero() {
		return false, fmt.Errorf("%w: lease without a time", alarms.ErrInvalid)
	}
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`), name, holder, micro(now.Add(ttl)), micro(now))
	if err != nil {
		return false, s.mapErr("lease "+name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, s.mapErr("lease "+name, err)
}

// ReleaseLease implements alarms.Leases.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if err := alarms.ValidateLease(name, holder, time.Second); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM leases WHERE name = ? AND holder = ?`), name, holder)
	return s.mapErr("release lease "+name, err)
}
