package pgoutbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

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
	args := make([]any, 0, 4*len(ds)+1)
	args = append(args, now)
	values := make([]string, len(ds))
	for i, d := range ds {
		args = append(args, d.NoticeID, d.Channel, d.Target, d.ProviderID)
		values[i] = fmt.Sprintf("($%d, $%d, $%d, $%d, $1)", 4*i+2, 4*i+3, 4*i+4, 4*i+5)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO notice_deliveries (notice_id, channel, target, provider_id, accepted_at)
		VALUES `+strings.Join(values, ", ")+` ON CONFLICT (notice_id, channel, target) DO NOTHING`, args...)
	return mapErr("record accepted", err)
}

// AcceptedOf implements outbox.DeliveryLog (on the primary key).
func (s *Store) AcceptedOf(ctx context.Context, ids []int64) ([]outbox.Accepted, error) {
	if err := outbox.ValidateIDs(ids); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT notice_id, channel, target, provider_id, accepted_at FROM notice_deliveries
		WHERE notice_id = ANY($1) ORDER BY notice_id, accepted_at, channel, target`, ids)
	if err != nil {
		return nil, mapErr("accepted of", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (outbox.Accepted, error) {
		var a outbox.Accepted
		err := r.Scan(&a.NoticeID, &a.Channel, &a.Target, &a.ProviderID, &a.At)
		a.At = a.At.UTC()
		return a, err
	})
	return out, mapErr("accepted of", err)
}

// MarkUnreachable implements outbox.Unreachables.
func (s *Store) MarkUnreachable(ctx context.Context, channel, target, code string) error {
	if err := outbox.ValidateMark(channel, target, code); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO unreachable_addresses (channel, target, code, marked_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (channel, target) DO NOTHING`, channel, target, code, s.clock())
	return mapErr("mark unreachable", err)
}

// Unreachable implements outbox.Unreachables.
func (s *Store) Unreachable(ctx context.Context, channel string, targets []string) (map[string]bool, error) {
	if err := outbox.ValidateTargets(channel, targets); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT target FROM unreachable_addresses WHERE channel = $1 AND target = ANY($2)", channel, targets)
	if err != nil {
		return nil, mapErr("unreachable", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, mapErr("unreachable", err)
	}
	out := make(map[string]bool, len(list))
	for _, t := range list {
		out[t] = true
	}
	return out, nil
}

// ClearUnreachable implements outbox.Unreachables.
func (s *Store) ClearUnreachable(ctx context.Context, channel, target string) (bool, error) {
	if err := outbox.ValidateMark(channel, target, "-"); err != nil {
		return false, err
	}
	tag, err := s.pool.Exec(ctx, "DELETE FROM unreachable_addresses WHERE channel = $1 AND target = $2", channel, target)
	if err != nil {
		return false, mapErr("clear unreachable", err)
	}
	return tag.RowsAffected() == 1, nil
}
