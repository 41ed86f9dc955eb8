package pgoutbox

import (
	"context"
	"math"

	"github.com/onecode/onecode/persistence/outbox"
)

// ListTo implements outbox.Store (on the index notices_recipient).
func (s *Store) ListTo(ctx context.Context, recipients []string, before int64, limit int) ([]outbox.Notice, error) {
	if err := outbox.ValidateRecipients(recipients); err != nil {
		return nil, err
	}
	if err := outbox.ValidateLimit(limit); err != nil {
		return nil, err
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	out, err := collect(s.pool.Query(ctx, "SELECT "+cols+" FROM notices WHERE recipient = ANY($1) AND id < $2 ORDER BY id DESC LIMIT $3",
		recipients, before, limit))
	return out, mapErr("list to", err)
}
