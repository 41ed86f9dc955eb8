package gateway

import (
	"context"
	"log/slog"
	"time"

	"github.com/onecode/onecode/persistence/directory"
)

// Sender delivers one outbox message (SMS, app push, …). An error leaves the message
// for a later attempt once its claim lease expires.
type Sender func(ctx context.Context, m directory.Message) error

// LogSender is the single-node sender: it writes each message to the log, so a demo
// can read one-time codes and arrears notices there. Payloads carry no names.
func LogSender(logger *slog.Logger) Sender {
	return func(ctx context.Context, m directory.Message) error {
		logger.Info("outbox message", slog.String("topic", string(m.Topic)), slog.String("recipient", m.Recipient), slog.String("payload", string(m.Payload)))
		return nil
	}
}

// OutboxOptions bound the drain loop.
type OutboxOptions struct {
	Interval time.Duration // pause when the outbox is empty (default 500ms)
	Batch    int           // messages claimed at once (default 100, at most directory.MaxPage)
}

// RunOutbox drains the outbox until ctx ends: claim a batch, send each, mark the sent
// ones. Delivery is at least once (a crash between send and mark re-sends).
func RunOutbox(ctx context.Context, dir directory.Store, send Sender, opts OutboxOptions, logger *slog.Logger) {
	if opts.Interval <= 0 {
		opts.Interval = 500 * time.Millisecond
	}
	if opts.Batch <= 0 || opts.Batch > directory.MaxPage {
		opts.Batch = 100
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := drainOnce(ctx, dir, send, opts.Batch, logger)
		wait := opts.Interval
		if n == opts.Batch {
			wait = 0 // more waiting: go on at once
		}
		t.Reset(wait)
	}
}

func drainOnce(ctx context.Context, dir directory.Store, send Sender, batch int, logger *slog.Logger) int {
	msgs, err := dir.ClaimBatch(ctx, batch)
	if err != nil {
		if ctx.Err() == nil {
			logger.Warn("outbox claim failed", slog.Any("error", err))
		}
		return 0
	}
	sent := make([]int64, 0, len(msgs))
	for _, m := range msgs {
		if err := send(ctx, m); err != nil {
			logger.Warn("outbox send failed", slog.Int64("id", m.ID), slog.String("topic", string(m.Topic)), slog.Any("error", err))
			continue
		}
		sent = append(sent, m.ID)
	}
	if len(sent) > 0 {
		if err := dir.MarkSent(ctx, sent); err != nil {
			logger.Warn("outbox mark failed", slog.Any("error", err))
		}
	}
	return len(msgs)
}
