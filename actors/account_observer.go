package actors

import (
	"context"
	"log/slog"
	"time"

	"github.com/onecode/onecode/domain/account"
)

// CommittedEvent is one committed event of an account with the states around it.
type CommittedEvent struct {
	Seq           uint64
	Event         account.Event
	Before, After account.State
}

// AccountObserver hears, after the commit, of the committed events that cause a
// notice (NoticeEvent), and again on the next activation for the recent ones of
// the journal's tail (a crash between the commit and the call loses nothing). It
// must be idempotent per (account, seq): app/notify queues under that dedupe key.
type AccountObserver interface {
	Committed(ctx context.Context, accountID string, events []CommittedEvent) error
}

// ObserverRecoverWindow: on activation, the tail events younger than this are
// told again (older ones would be stale notices).
const ObserverRecoverWindow = 24 * time.Hour

// maxPendingObserved bounds the events kept for a retry after the observer failed.
const maxPendingObserved = 64

// NoticeEvent reports whether e, applied to before, causes a notice: a purchase
// crossing the low-balance threshold armed, a recharge, a loss report, a re-issue.
func NoticeEvent(before account.State, e account.Event) bool {
	switch e.(type) {
	case account.RechargeCredited, account.CardReportedLost, account.CardReissued:
		return true
	case account.Purchased:
		return account.LowBalanceCrossed(before, e)
	}
	return false
}

// noticeEvents returns the notice events of events applied from s (nil when
// none). A one-event decision (a purchase) is not folded again unless it notifies.
func noticeEvents(s account.State, events []account.Event) []CommittedEvent {
	var out []CommittedEvent
	for i, e := range events {
		notice := NoticeEvent(s, e)
		if !notice && i == len(events)-1 {
			break
		}
		after := account.Apply(s, e)
		if notice {
			out = append(out, CommittedEvent{Seq: after.Seq, Event: e, Before: s, After: after})
		}
		s = after
	}
	return out
}

// observe tells the observer of evs (and of those a failed call left), with the
// I/O timeout; on failure they stay pending for the next commit.
func (c *accountCore) observe(ctx context.Context, evs []CommittedEvent) {
	if c.deps.Observer == nil || (len(evs) == 0 && len(c.pending) == 0) {
		return
	}
	all := append(c.pending, evs...)
	octx, cancel := context.WithTimeout(ctx, c.deps.IOTimeout)
	defer cancel()
	if err := c.deps.Observer.Committed(octx, c.id, all); err != nil {
		if len(all) > maxPendingObserved {
			all = all[len(all)-maxPendingObserved:]
		}
		c.pending = all
		c.deps.Logger.Warn("account: notices of committed events not queued, kept for the next commit",
			slog.Int("events", len(all)), slog.Any("error", err))
		return
	}
	c.pending = nil
}
