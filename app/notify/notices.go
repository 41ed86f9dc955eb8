package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onecode/onecode/app/workers"
	"github.com/onecode/onecode/persistence/outbox"
)

// Notices queues the notices of issue 12 in the outbox store: the app-level
// function the causes (recharges, card loss, fees, refunds, …) call.
type Notices struct {
	Store outbox.Store
	Now   func() time.Time // default time.Now
}

// Notice is one notice to queue.
type Notice struct {
	Kind Kind
	// Cause identifies what caused it (a purchase key, a recharge order, a fee
	// bill and day): with Kind and Recipient it is the dedupe key, so a replayed
	// cause queues nothing twice.
	Cause     string
	SchoolID  string // whose staff see its status
	Recipient string // an account id (its guardians), or a parent id for KindGuardianBound
	// Params fill the kind's template (Placeholders): masked names, no ID numbers.
	Params map[string]string
	// NotBefore, when set, holds the notice until then (a notice prepared ahead
	// and released together with others); quiet hours still apply after it.
	NotBefore time.Time
}

// noticePayload is the stored payload of a notice of the outbox store.
type noticePayload struct {
	Params map[string]string `json:"params"`
}

// DedupeKey is the key a notice is queued under.
func DedupeKey(k Kind, recipient, cause string) string {
	return string(k) + ":" + recipient + ":" + cause
}

// Enqueue queues n, not before the end of quiet hours unless it is urgent. It
// answers the notice's id and whether it was queued now (false: its dedupe key
// was queued before). Parameters that do not fit the kind are ErrBadPayload.
func (ns Notices) Enqueue(ctx context.Context, n Notice) (int64, bool, error) {
	on, err := ns.notice(n, ns.now())
	if err != nil {
		return 0, false, err
	}
	return ns.Store.Enqueue(ctx, on)
}

// EnqueueMany is Enqueue of 1..outbox.MaxPage notices in one statement (a fee
// item's page of published notices): all queued or, on an error, none. It
// answers how many were queued now (a dedupe key queued before is skipped).
func (ns Notices) EnqueueMany(ctx context.Context, list []Notice) (int, error) {
	now := ns.now()
	out := make([]outbox.Notice, len(list))
	for i, n := range list {
		var err error
		if out[i], err = ns.notice(n, now); err != nil {
			return 0, err
		}
	}
	return ns.Store.EnqueueMany(ctx, out)
}

// notice is the outbox notice of n made at now.
func (ns Notices) notice(n Notice, now time.Time) (outbox.Notice, error) {
	if err := checkParams(n.Kind, n.Params); err != nil {
		return outbox.Notice{}, err
	}
	if n.Cause == "" {
		return outbox.Notice{}, fmt.Errorf("%w: a notice needs its cause", ErrBadPayload)
	}
	payload, err := json.Marshal(noticePayload{Params: n.Params})
	if err != nil {
		return outbox.Notice{}, err
	}
	if n.NotBefore.After(now) {
		now = n.NotBefore
	}
	return outbox.Notice{Key: DedupeKey(n.Kind, n.Recipient, n.Cause), Kind: string(n.Kind),
		SchoolID: n.SchoolID, Recipient: n.Recipient, Payload: payload, NotBefore: SendAt(n.Kind, now)}, nil
}

// Withdraw withdraws the unsent notice of a cause (an arrears sale voided before
// its notice went out); false when it went out already or there is none.
func (ns Notices) Withdraw(ctx context.Context, k Kind, recipient, cause, reason string) (bool, error) {
	return ns.Store.Withdraw(ctx, DedupeKey(k, recipient, cause), reason)
}

func (ns Notices) now() time.Time {
	if ns.Now == nil {
		return time.Now()
	}
	return ns.Now()
}

// RunOptions bound RunNotices.
type RunOptions struct {
	Interval time.Duration    // pause when nothing is due (default 500ms)
	Batch    int              // notices claimed at once (default 100)
	Lease    time.Duration    // claim lease (default 1 minute): a dead member's claims come back after it
	Workers  int              // notices of a batch sent at once (default DefaultWorkers, at most MaxWorkers)
	Now      func() time.Time // default time.Now
	// Prefetch reads ahead what the sends of a claimed batch need (Router.Prefetch:
	// its guardians and their preferences) and answers the context they are sent
	// under; nil: each send reads its own.
	Prefetch func(ctx context.Context, ms []Message) context.Context
}

// RunNotices drains the outbox store until ctx ends: claim a batch under a
// lease, put back until the morning a non-urgent notice that reached quiet
// hours while it waited, send the others and mark each sent, failed (permanent
// failure) or leave it for its lease to run out (transient). Delivery is at
// least once: a crash between a provider's accept and the mark re-sends that
// notice after its lease, under the same message id (the provider's out id).
func RunNotices(ctx context.Context, store outbox.Store, send Sender, opts RunOptions, logger *slog.Logger) {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Batch <= 0 || opts.Batch > outbox.MaxPage {
		opts.Batch = DefaultBatch
	}
	if opts.Lease <= 0 || opts.Lease > outbox.MaxLease {
		opts.Lease = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Workers <= 0 || opts.Workers > MaxWorkers {
		opts.Workers = DefaultWorkers
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	workers.Every(ctx, func(ctx context.Context) time.Duration {
		if drainNotices(ctx, store, send, opts, logger) == opts.Batch {
			return 0 // more waiting: go on at once
		}
		return opts.Interval
	})
}

// drainNotices sends claimed batches on opts.Workers until a claim comes back
// short, and answers its size. The next batch is claimed while the last
// notices of the one before are still on their way (no pause between
// batches). The first notice of the first batch, and of a batch after one
// that met a transient failure, goes alone: the probe of a half-open breaker.
func drainNotices(ctx context.Context, store outbox.Store, send Sender, opts RunOptions, logger *slog.Logger) int {
	marks := newSentMarks(store, logger)
	work := make(chan batchNotice)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(work)
	var transient atomic.Bool
	started := 0
	probe := true
	for {
		batch, err := store.Claim(ctx, opts.Batch, opts.Lease)
		if err != nil {
			if ctx.Err() == nil {
				logger.Warn("notices: claim failed", slog.Any("error", err))
			}
			return 0
		}
		claimed := len(batch)
		bctx := prefetch(ctx, opts, batch)
		if len(batch) > 0 && (probe || transient.Swap(false)) {
			if !sendNotice(bctx, store, marks, send, opts, logger, batch[0]) {
				transient.Store(true)
			}
			batch = batch[1:]
		}
		probe = false
		for ; started < min(opts.Workers, len(batch)); started++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for w := range work {
					if !sendNotice(w.ctx, store, marks, send, opts, logger, w.n) {
						transient.Store(true)
					}
				}
			}()
		}
		for _, n := range batch {
			if ctx.Err() != nil {
				return 0 // the rest come back when their lease runs out
			}
			work <- batchNotice{ctx: bctx, n: n}
		}
		if claimed < opts.Batch {
			return claimed
		}
	}
}

// batchNotice is a claimed notice and the context of its batch (what
// RunOptions.Prefetch read for it).
type batchNotice struct {
	ctx context.Context
	n   outbox.Notice
}

// prefetch is opts.Prefetch of a claimed batch, or ctx without one.
func prefetch(ctx context.Context, opts RunOptions, batch []outbox.Notice) context.Context {
	if opts.Prefetch == nil || len(batch) == 0 {
		return ctx
	}
	ms := make([]Message, len(batch))
	for i, n := range batch {
		ms[i] = noticeMessage(n)
	}
	return opts.Prefetch(ctx, ms)
}

func noticeMessage(n outbox.Notice) Message {
	return Message{ID: n.ID, Topic: n.Kind, Recipient: n.Recipient, Payload: n.Payload, Attempts: n.Attempts}
}

// Send workers of RunNotices.
const (
	DefaultWorkers = 16
	MaxWorkers     = 64
)

// sendNotice sends one claimed notice and marks it; false when the send met a
// transient failure (the notice is left for its lease to run out).
func sendNotice(ctx context.Context, store outbox.Store, marks *sentMarks, send Sender, opts RunOptions, logger *slog.Logger, n outbox.Notice) bool {
	if at := SendAt(Kind(n.Kind), opts.Now()); at.After(opts.Now()) {
		if err := store.Defer(ctx, n.ID, at); err != nil {
			logger.Warn("notices: defer failed", slog.Int64("id", n.ID), slog.Any("error", err))
		}
		return true
	}
	err := send(ctx, noticeMessage(n))
	switch {
	case err == nil:
		// A notice withdrawn while it went out stays withdrawn: too late to stop it.
		marks.mark(ctx, n.ID)
	case IsPermanent(err):
		reason := FailureCode(err)
		if reason == "" {
			reason = "permanent"
		}
		if err := store.MarkFailed(ctx, n.ID, reason); err != nil && !errors.Is(err, outbox.ErrNotQueued) {
			logger.Warn("notices: mark failed failed", slog.Int64("id", n.ID), slog.Any("error", err))
		}
	default:
		logger.Warn("notices: send failed, kept for a later attempt", slog.Int64("id", n.ID), slog.String("kind", n.Kind),
			slog.String("failure", FailureCode(err)), slog.Int("attempt", int(n.Attempts)))
		return false
	}
	return true
}
