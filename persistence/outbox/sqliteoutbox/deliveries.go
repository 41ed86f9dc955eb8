package sqliteoutbox

import (
	"context"
	"strings"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
)

var (
	_ outbox.DeliveryLog  = (*Store)(nil)
	_ outbox.Unreachables = (*Store)(nil)
)

// RecordAccepted implements outbox.DeliveryLog: one multi-row insert.
func (s *Store) RecordAccepted(ctx context.Context, ds []outbox.Accepted) error {
	if err := outbox.ValidateAccepted(ds); err != nil {
		return err
	}
	now := s.clock()
	args := make([]any, 0, 5*len(ds))
	for _, d := range ds {
		args = append(args, d.NoticeID, d.Channel, d.Target, d.ProviderID, now)
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(ds)), ", ")
	_, err := s.db.ExecContext(ctx, `INSERT INTO notice_deliveries (notice_id, channel, target, provider_id, accepted_at)
		VALUES `+values+` ON CONFLICT (notice_id, channel, target) DO NOTHING`, args...)
	return mapErr("record accepted", err)
}

// AcceptedOf implements outbox.DeliveryLog (on the primary key).
func (s *Store) AcceptedOf(ctx context.Context, ids []int64) ([]outbox.Accepted, error) {
	if err := outbox.ValidateIDs(ids); err != nil {
		return nil, err
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT notice_id, channel, target, provider_id, accepted_at FROM notice_deliveries
		WHERE notice_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY notice_id, accepted_at, channel, target`, args...)
	if err != nil {
		return nil, mapErr("accepted of", err)
	}
	defer rows.Close()
	var out []outbox.Accepted
	for rows.Next() {
		var a outbox.Accepted
		var at int64
		if err := rows.Scan(&a.NoticeID, &a.Channel, &a.Target, &a.ProviderID, &at); err != nil {
			return nil, mapErr("accepted of", err)
		}
		a.At = time.UnixMicro(at).UTC()
		out = append(out, a)
	}
	return out, mapErr("accepted of", rows.Err())
}

// MarkUnreachable implements outbox.Unreachables.
func (s *Store) MarkUnreachable(ctx context.Context, channel, target, code string) error {
	if err := outbox.ValidateMark(channel, target, code); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO unreachable_addresses (channel, target, code, marked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (channel, target) DO NOTHING`, channel, target, code, s.clock())
	return mapErr("mark unreachable", err)
}

// Unreachable implements outbox.Unreachables.
func (s *Store) Unreachable(ctx context.Context, channel string, targets []string) (map[string]bool, error) {
	if err := outbox.ValidateTargets(channel, targets); err != nil {
		return nil, err
	}
	args := make([]any, 0, len(targets)+1)
	args = append(args, channel)
	for _, t := range targets {
		args = append(args, t)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT target FROM unreachable_addresses WHERE channel = ?
		AND target IN (?`+strings.Repeat(", ?", len(targets)-1)+`)`, args...)
	if err != nil {
		return nil, mapErr("unreachable", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, mapErr("unreachable", err)
		}
		out[t] = true
	}
	return out, mapErr("unreachable", rows.Err())
}

// ClearUnreachable implements outbox.Unreachables.
func (s *Store) ClearUnreachable(ctx context.Context, channel, target string) (bool, error) {
	if err := outbox.ValidateMark(channel, target, "-"); err != nil {
		return false, err
	}
	res, err := s.db.ExecContext(ctx, "DELETE FROM unreachable_addresses WHERE channel = ? AND target = ?", channel, target)
	if err != nil {
		return false, mapErr("clear unreachable", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
