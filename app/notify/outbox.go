package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/onecode/onecode/app/workers"
	"github.com/onecode/onecode/persistence/directory"
)

// Message is one outbox message to deliver.
type Message struct {
	ID        int64
	Topic     string // directory.TopicArrears, TopicOTP, …
	Recipient string // opaque: an account id, a phone hash
	Payload   []byte // JSON; may hold a one-time code: never log it
	Attempts  int32  // times it was claimed, this claim included
}

// Sender delivers one message: nil once accepted. A permanent failure
// (IsPermanent) marks the message failed for good; any other error leaves it for
// a later attempt once its claim lease expires.
type Sender func(ctx context.Context, m Message) error

// Outbox is the queue the runner drains (directory.Store).
type Outbox interface {
	ClaimBatch(ctx context.Context, limit int) ([]directory.Message, error)
	MarkSent(ctx context.Context, ids []int64) error
	MarkFailed(ctx context.Context, id int64, reason string) error
}

// Bounds of the drain loop.
const (
	DefaultInterval = 500 * time.Millisecond
	DefaultBatch    = 100
	MaxBatch        = directory.MaxPage
)

// Options bound the drain loop.
type Options struct {
	Interval time.Duration // pause when the outbox is empty (default 500ms)
	Batch    int           // messages claimed at once (default 100, at most MaxBatch)
}

// RunOutbox drains the outbox until ctx ends: claim a batch, send each, mark each
// sent or failed. Delivery is at least once (a crash between a provider's accept
// and the mark re-sends that one message).
func RunOutbox(ctx context.Context, box Outbox, send Sender, opts Options, logger *slog.Logger) {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Batch <= 0 || opts.Batch > MaxBatch {
		opts.Batch = DefaultBatch
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	workers.Every(ctx, func(ctx context.Context) time.Duration {
		if drainOnce(ctx, box, send, opts.Batch, logger) == opts.Batch {
			return 0 // more waiting: go on at once
		}
		return opts.Interval
	})
}

// drainOnce claims one batch and sends it, one message after the other; it
// returns how many messages it claimed. Each message is marked sent as soon as
// its provider accepted it (a crash can re-send at most the message in flight),
// marked failed on a permanent failure, and left claimed (until its lease runs
// out) on a transient one.
func drainOnce(ctx context.Context, box Outbox, send Sender, batch int, logger *slog.Logger) int {
	msgs, err := box.ClaimBatch(ctx, batch)
	if err != nil {
		if ctx.Err() == nil {
			logger.Warn("outbox claim failed", slog.Any("error", err))
		}
		return 0
	}
	for _, dm := range msgs {
		if ctx.Err() != nil {
			break // the rest come back when their lease runs out
		}
		m := Message{ID: dm.ID, Topic: string(dm.Topic), Recipient: dm.Recipient, Payload: dm.Payload, Attempts: dm.Attempts}
		err := send(ctx, m)
		switch {
		case err == nil:
			if err := box.MarkSent(ctx, []int64{m.ID}); err != nil {
				logger.Warn("outbox mark sent failed", slog.Int64("id", m.ID), slog.Any("error", err))
			}
		case IsPermanent(err):
			reason := FailureCode(err)
			if reason == "" {
				reason = "permanent"
			}
			logger.Warn("outbox message failed for good", slog.Int64("id", m.ID), slog.String("topic", m.Topic), slog.String("reason", reason))
			if err := box.MarkFailed(ctx, m.ID, reason); err != nil {
				logger.Warn("outbox mark failed failed", slog.Int64("id", m.ID), slog.Any("error", err))
			}
		default:
			logger.Warn("outbox send failed, kept for a later attempt", slog.Int64("id", m.ID), slog.String("topic", m.Topic),
				slog.String("failure", FailureCode(err)), slog.Int("attempt", int(m.Attempts)), slog.Any("error", err))
		}
	}
	return len(msgs)
}
