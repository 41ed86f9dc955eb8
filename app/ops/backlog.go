package ops

import (
	"context"
	"sync/atomic"
)

// OutboxCounter counts the notices not yet sent (persistence/outbox.Counter).
type OutboxCounter interface {
	CountQueued(ctx context.Context) (int64, error)
}

// OutboxBacklog is where the backlog figures read the outbox: the counter of
// the notices' store once it is wired (Set), or nothing (-1, "cannot tell"), so
// that the ops API works whether or not that store is. Safe for concurrent use.
type OutboxBacklog struct {
	c atomic.Pointer[outboxCounterBox]
}

type outboxCounterBox struct{ c OutboxCounter }

// Set makes c the outbox counted (nil: none).
func (o *OutboxBacklog) Set(c OutboxCounter) {
	if c == nil {
		o.c.Store(nil)
		return
	}
	o.c.Store(&outboxCounterBox{c: c})
}

// Count returns the notices queued, or -1 when no counter is set.
func (o *OutboxBacklog) Count(ctx context.Context) (int64, error) {
	if o == nil {
		return -1, nil
	}
	b := o.c.Load()
	if b == nil {
		return -1, nil
	}
	n, err := b.c.CountQueued(ctx)
	if err != nil {
		return -1, err
	}
	return n, nil
}
