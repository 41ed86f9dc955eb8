package notify

import (
	"context"
	"sync"
	"time"
)

// groupCommit is the group commit of the drain's bookkeeping (the sent marks,
// the record of accepted deliveries): the first caller to hand an item over
// leads a group, waits for the write before it (one at a time), takes every
// item handed over meanwhile (at most max) and writes them with one call; the
// others wait for that write. So N items in flight cost one statement, not N,
// and each caller returns once its item was written.
//
// A write runs on the leader's context without its cancellation and bounded
// by timeout: what a provider accepted is written down even while a shutdown
// cancels the drain, so a graceful stop sends nothing twice.
type groupCommit[T any] struct {
	write   func(ctx context.Context, items []T) error
	max     int
	timeout time.Duration

	mu      sync.Mutex
	pending *commitGroup[T] // the group new items join; nil when none is open
	handed  int             // items handed over so far
	writing chan struct{}   // a semaphore of one: the write in flight
}

type commitGroup[T any] struct {
	items []T
	done  chan struct{} // closed once the group was written
	err   error
}

func newGroupCommit[T any](max int, timeout time.Duration, write func(context.Context, []T) error) *groupCommit[T] {
	return &groupCommit[T]{write: write, max: max, timeout: timeout, writing: make(chan struct{}, 1)}
}

// add hands item over and returns, once its group was written, the write's
// error.
func (g *groupCommit[T]) add(ctx context.Context, item T) error {
	g.mu.Lock()
	grp, lead := g.pending, g.pending == nil
	if lead {
		grp = &commitGroup[T]{done: make(chan struct{})}
		g.pending = grp
	}
	grp.items = append(grp.items, item)
	g.handed++
	if len(grp.items) == g.max {
		g.pending = nil // full: the next item starts a group
	}
	g.mu.Unlock()
	if !lead {
		<-grp.done
		return grp.err
	}
	g.writing <- struct{}{}
	g.mu.Lock()
	if g.pending == grp {
		g.pending = nil // closed: items from now on go to the next group
	}
	g.mu.Unlock()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.timeout)
	grp.err = g.write(wctx, grp.items)
	cancel()
	<-g.writing
	close(grp.done)
	return grp.err
}

// counts are the items handed over so far and the size of the open group
// (tests).
func (g *groupCommit[T]) counts() (handed, pending int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pending != nil {
		pending = len(g.pending.items)
	}
	return g.handed, pending
}
