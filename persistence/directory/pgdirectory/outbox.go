package pgdirectory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

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
			WHERE sent_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $2)
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

// MarkFailed implements directory.Store.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	if err := directory.ValidateOutcome(id, reason, false); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE outbox SET failed_at = COALESCE(failed_at, $2), fail_reason = CASE WHEN failed_at IS NULL THEN $3 ELSE fail_reason END,
		claimed_until = NULL WHERE id = $1 AND sent_at IS NULL`, id, s.clock(), reason)
	if err != nil {
		return mapErr("mark failed", err)
	}
	if tag.RowsAffected() == 0 {
		return s.exists(ctx, id)
	}
	return nil
}

// RecordDelivery implements directory.Store.
func (s *Store) RecordDelivery(ctx context.Context, id int64, delivered bool, detail string) error {
	if err := directory.ValidateOutcome(id, detail, true); err != nil {
		return err
	}
	state := directory.DeliveryUndelivered
	if delivered {
		state = directory.DeliveryDelivered
	}
	tag, err := s.pool.Exec(ctx, `UPDATE outbox SET delivery = $2, delivery_detail = $3, delivered_at = $4 WHERE id = $1`, id, state, detail, s.clock())
	if err != nil {
		return mapErr("record delivery", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: outbox id %d", directory.ErrNotFound, id)
	}
	return nil
}

// exists answers nil when outbox message id exists, else ErrNotFound.
func (s *Store) exists(ctx context.Context, id int64) error {
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM outbox WHERE id = $1", id).Scan(&n); err != nil {
		return mapErr("outbox", err)
	}
	if n == 0 {
		return fmt.Errorf("%w: outbox id %d", directory.ErrNotFound, id)
	}
	return nil
}

// OutboxMessage implements directory.Store.
func (s *Store) OutboxMessage(ctx context.Context, id int64) (directory.Message, error) {
	if id <= 0 {
		return directory.Message{}, directory.ValidateOutcome(id, "", true)
	}
	var m directory.Message
	err := s.pool.QueryRow(ctx, `SELECT id, topic, recipient, payload, created_at, attempts, sent_at, failed_at, fail_reason,
		delivery, delivery_detail, delivered_at FROM outbox WHERE id = $1`, id).Scan(&m.ID, &m.Topic, &m.Recipient, &m.Payload,
		&m.CreatedAt, &m.Attempts, &m.SentAt, &m.FailedAt, &m.FailReason, &m.Delivery, &m.DeliveryDetail, &m.DeliveredAt)
	if err != nil {
		return directory.Message{}, mapErr("outbox message", err)
	}
	m.CreatedAt = m.CreatedAt.UTC()
	for _, t := range []**time.Time{&m.SentAt, &m.FailedAt, &m.DeliveredAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
	return m, nil
}
