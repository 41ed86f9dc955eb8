package pgoutbox

import (
	"context"

	"github.com/onecode/onecode/persistence/outbox"
)

// recordReceipts updates the sent notices of a batch of receipts and reports,
// for every receipt, whether its notice exists and whether it was updated: one
// statement, one round trip, one commit.
const recordReceipts = `WITH v AS (
	SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, delivery, detail)
), u AS (
	UPDATE notices n SET delivery = v.delivery, delivery_detail = v.detail, delivered_at = $4
	FROM v WHERE n.id = v.id AND n.state = 'sent'
	RETURNING n.id
)
SELECT v.id, n.id IS NOT NULL, u.id IS NOT NULL
FROM v LEFT JOIN notices n ON n.id = v.id LEFT JOIN u ON u.id = v.id`

// RecordDeliveries implements outbox.Store.
func (s *Store) RecordDeliveries(ctx context.Context, rs []outbox.Receipt) (outbox.ReceiptsLeft, error) {
	var left outbox.ReceiptsLeft
	rs, err := outbox.ValidateReceipts(rs)
	if err != nil {
		return left, err
	}
	ids, states, details := make([]int64, len(rs)), make([]string, len(rs)), make([]string, len(rs))
	for i, r := range rs {
		ids[i], states[i], details[i] = r.ID, string(r.Delivery()), r.Detail
	}
	rows, err := s.pool.Query(ctx, recordReceipts, ids, states, details, s.clock())
	if err != nil {
		return left, mapErr("record deliveries", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var known, recorded bool
		if err := rows.Scan(&id, &known, &recorded); err != nil {
			return outbox.ReceiptsLeft{}, mapErr("record deliveries", err)
		}
		switch {
		case !known:
			left.Unknown = append(left.Unknown, id)
		case !recorded:
			left.NotSent = append(left.NotSent, id)
		}
	}
	if err := rows.Err(); err != nil {
		return outbox.ReceiptsLeft{}, mapErr("record deliveries", err)
	}
	return left, nil
}
