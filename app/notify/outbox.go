package notify

import (
	"context"
	"log/slog"
	"time"

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

// Sender delivers one message. An error leaves the message for a later attempt once
// its claim lease expires.
type Sender func(ctx context.Context, m Message) error

// Outbox is the queue the runner drains (directory.Store).
type Outbox interface {
	ClaimBatch(ctx context.Context, limit int) ([]directory.Message, error)
	MarkSent(ctx context.Context, ids []int64) error
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

// RunOutbox drains the outbox until ctx ends: claim a batch, send each, mark the sent
// ones. Delivery is at least once (a crash between send and mark re-sends).
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
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := drainOnce(ctx, box, send, opts.Batch, logger)
		wait := opts.Interval
		if n == opts.Batch {
			wait = 0 // more waiting: go on at once
		}
		t.Reset(wait)
	}
}

// drainOnce claims one batch, sends it and marks what went; it returns how many
// messages it claimed.
func drainOnce(ctx context.Context, box Outbox, send Sender, batch int, logger *slog.Logger) int {
	msgs, err := box.ClaimBatch(ctx, batch)
	if err != nil {
		if ctx.Err() == nil {
			logger.Warn("outbox claim failed", slog.Any("error", err))
		}
		return 0
	}
	sent := make([]int64, 0, len(msgs))
	for _, dm := range msgs {
		m := Message{ID: dm.ID, Topic: string(dm.Topic), Recipient: dm.Recipient, Payload: dm.Payload, Attempts: dm.Attempts}
		if err := send(ctx, m); err != nil {
			logger.Warn("outbox send failed", slog.Int64("id", m.ID), slog.String("topic", m.Topic), slog.Any("error", err))
			continue
		}
		sent = append(sent, m.ID)
	}
	if len(sent) > 0 {
		if err := box.MarkSent(ctx, sent); err != nil {
			logger.Warn("outbox mark failed", slog.Any("error", err))
		}
	}
	return len(msgs)
}
