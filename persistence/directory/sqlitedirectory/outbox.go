package sqlitedirectory

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/onecode/onecode/persistence/directory"
)

// Enqueue implements directory.Store.
func (s *Store) Enqueue(ctx context.Context, m directory.Message) (int64, error) {
	if err := directory.ValidateMessage(&m); err != nil {
		return 0, err
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO outbox (topic, recipient, payload, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		string(m.Topic), m.Recipient, string(m.Payload), s.clock()).Scan(&id)
	return id, mapErr("enqueue", err)
}

// ClaimBatch implements directory.Store: one UPDATE … RETURNING under the
// database's single write lock.
func (s *Store) ClaimBatch(ctx context.Context, limit int) ([]directory.Message, error) {
	if err := directory.ValidateLimit(limit); err != nil {
		return nil, err
	}
	now := s.now()
	rows, err := s.db.QueryContext(ctx, `UPDATE outbox SET claimed_until = ?1, attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox
			WHERE sent_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?2)
			ORDER BY id LIMIT ?3)
		RETURNING id, topic, recipient, payload, created_at, attempts`, now.Add(s.lease).UnixMicro(), now.UnixMicro(), limit)
	if err != nil {
		return nil, mapErr("claim", err)
	}
	var out []directory.Message
	err = eachRow(rows, func() error {
		var m directory.Message
		var topic string
		var created int64
		err := rows.Scan(&m.ID, &topic, &m.Recipient, &m.Payload, &created, &m.Attempts)
		m.Topic, m.CreatedAt = directory.Topic(topic), fromMicro(created)
		out = append(out, m)
		return err
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
	b, _ := json.Marshal(ids) // []int64 always marshals
	jsonIDs := string(b)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM outbox WHERE id IN (SELECT value FROM json_each(?))", jsonIDs).Scan(&n); err != nil {
			return mapErr("mark sent", err)
		}
		if n != len(ids) {
			return fmt.Errorf("%w: %d of %d outbox ids", directory.ErrNotFound, len(ids)-n, len(ids))
		}
		_, err := exec(ctx, tx, "mark sent", `UPDATE outbox SET sent_at = ?, claimed_until = NULL
			WHERE id IN (SELECT value FROM json_each(?)) AND sent_at IS NULL`, s.clock(), jsonIDs)
		return err
	})
}

// MarkFailed implements directory.Store.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	if err := directory.ValidateOutcome(id, reason, false); err != nil {
		return err
	}
	n, err := exec(ctx, s.db, "mark failed", `UPDATE outbox SET failed_at = COALESCE(failed_at, ?2),
		fail_reason = CASE WHEN failed_at IS NULL THEN ?3 ELSE fail_reason END, claimed_until = NULL
		WHERE id = ?1 AND sent_at IS NULL`, id, s.clock(), reason)
	if err != nil {
		return err
	}
	if n == 0 {
		_, err = s.OutboxMessage(ctx, id)
	}
	return err
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
	n, err := exec(ctx, s.db, "record delivery", `UPDATE outbox SET delivery = ?, delivery_detail = ?, delivered_at = ? WHERE id = ?`,
		state, detail, s.clock(), id)
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: outbox id %d", directory.ErrNotFound, id)
	}
	return err
}

// OutboxMessage implements directory.Store.
func (s *Store) OutboxMessage(ctx context.Context, id int64) (directory.Message, error) {
	if id <= 0 {
		return directory.Message{}, directory.ValidateOutcome(id, "", true)
	}
	var m directory.Message
	var topic string
	var created int64
	var sent, failed, delivered sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT id, topic, recipient, payload, created_at, attempts, sent_at, failed_at, fail_reason,
		delivery, delivery_detail, delivered_at FROM outbox WHERE id = ?`, id).Scan(&m.ID, &topic, &m.Recipient, &m.Payload,
		&created, &m.Attempts, &sent, &failed, &m.FailReason, &m.Delivery, &m.DeliveryDetail, &delivered)
	if err != nil {
		return directory.Message{}, mapErr("outbox message", err)
	}
	m.Topic, m.CreatedAt = directory.Topic(topic), fromMicro(created)
	m.SentAt, m.FailedAt, m.DeliveredAt = optMicro(sent), optMicro(failed), optMicro(delivered)
	return m, nil
}

func optMicro(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicro(v.Int64)
	return &t
}
