package workers

import (
	"context"
	"time"
)

// Every runs round at once and then again after the pause each round answers
// (0: at once, as when a drain filled its batch), until ctx ends. The background
// loops of the use cases (the notice drain, the fee reminders) share it.
func Every(ctx context.Context, round func(ctx context.Context) time.Duration) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		t.Reset(round(ctx))
	}
}
