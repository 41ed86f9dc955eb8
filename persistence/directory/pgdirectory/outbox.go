package pgdirectory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/directory"
)

// Enqueue implements directory.Store.
func (s *Store) Enqueue(ctx context.Context, m directory.Message) (int64, error) {
	if err := directory.ValidateMessage(&m); err != nil {
		return 0, err
	}
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO outbox (topic, recipient, payload, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		m.Topic, m.Recipient, string(m.Payload), s.clock()).Scan(&id)
	return id, mapErr("enqueue", err)
}

// ClaimBatch implements directory.Store. SKIP LOCKED lets concurrent
// claimers pass over each other's rows instead of waiting or taking them;
// the lease written in the same statement keeps them off once committed.
func (s *Store) ClaimBatch(ctx context.Context, limit int) ([]directory.Message, error) {
	if err := directory.ValidateLimit(limit); err != nil {
		return nil, err
	}
	now := s.clock()
	rows, err := s.pool.Query(ctx, `UPDATE outbox SET claimed_until = $1, attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox
			WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $2)
			ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING id, topic, recipient, payload, created_at, attempts`, now.Add(s.lease), now, limit)
	if err != nil {
		return nil, mapErr("claim", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Message, error) {
		var m directory.Message
		err := r.Scan(&m.ID, &m.Topic, &m.Recipient, &m.Payload, &m.CreatedAt, &m.Attempts)
		m.CreatedAt = m.CreatedAt.UTC()
		return m, err
	})
	if err != nil {
		return nil, mapErr("claim", err)
	}
	slices.SortFunc(out, func(a, b directory.Message) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// MarkSent implements directory.Store.
func (s *Store) MarkSent(ctx context.Context, ids []int64) error {
	if err := directory.ValidateIDs(ids); err != nil {
		return err
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM outbox WHERE id = ANY($1)", ids).Scan(&n); err != nil {
			return mapErr("mark sent", err)
		}
		if n != len(ids) {
			return fmt.Errorf("%w: %d of %d outbox ids", directory.ErrNotFound, len(ids)-n, len(ids))
		}
		_, err := tx.Exec(ctx, "UPDATE outbox SET sent_at = $2, claimed_until = NULL WHERE id = ANY($1) AND sent_at IS NULL", ids, s.clock())
		return mapErr("mark sent", err)
	})
}
