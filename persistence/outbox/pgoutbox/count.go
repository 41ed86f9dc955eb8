package pgoutbox

import (
	"context"

	"github.com/onecode/onecode/persistence/outbox"
)

var _ outbox.Counter = (*Store)(nil)

// CountQueued implements outbox.Counter (on the partial index of queued notices).
func (s *Store) CountQueued(ctx context.Context) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM notices WHERE state = 'queued'`).Scan(&n)
	if err != nil {
		return 0, mapErr("count queued notices", err)
	}
	return n, nil
}
