package outbox

import "context"

// Counter reads the outbox backlog for operators (app/ops): read only, one
// indexed count. pgoutbox and sqliteoutbox implement it.
type Counter interface {
	// CountQueued returns the notices still queued (due now or held until later,
	// claimed or not): the work the senders have not ended.
	CountQueued(ctx context.Context) (int64, error)
}
