package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
)

// markTimeout bounds one group's MarkSentMany. Marks run on a context that a
// shutdown does not cancel: a notice the provider accepted is marked even
// while the runner stops, so a graceful stop sends nothing twice.
const markTimeout = 10 * time.Second

// sentMarks is the group commit of the notices' marks: a worker whose provider
// accepted a notice hands its id over and waits; one goroutine ends every id
// handed over meanwhile in one statement (MarkSentMany), so that N sends cost
// one commit, not N. A worker still waits for its mark before it takes another
// notice: a crash re-sends at most the notices in flight, as one mark each did.
type sentMarks struct {
	store  outbox.Store
	reqs   chan markReq
	done   chan struct{}
	logger *slog.Logger
}

type markReq struct {
	id   int64
	done chan struct{}
}

// startMarks starts the marking goroutine; close stops it after the marks
// handed over.
func startMarks(ctx context.Context, store outbox.Store, workers int, logger *slog.Logger) *sentMarks {
	m := &sentMarks{store: store, reqs: make(chan markReq, workers), done: make(chan struct{}), logger: logger}
	go m.run(context.WithoutCancel(ctx))
	return m
}

// mark ends notice id as sent (with the others handed over meanwhile) and
// returns once the statement ran. A failed mark is logged: the notice comes
// back when its lease runs out and is re-sent under the same provider out id.
func (m *sentMarks) mark(id int64) {
	r := markReq{id: id, done: make(chan struct{})}
	m.reqs <- r
	<-r.done
}

func (m *sentMarks) close() {
	close(m.reqs)
	<-m.done
}

func (m *sentMarks) run(ctx context.Context) {
	defer close(m.done)
	group := make([]markReq, 0, outbox.MaxPage)
	ids := make([]int64, 0, outbox.MaxPage)
	for first := range m.reqs {
		group, ids = append(group[:0], first), append(ids[:0], first.id)
	more:
		for len(group) < outbox.MaxPage {
			select {
			case r, ok := <-m.reqs:
				if !ok {
					break more
				}
				group, ids = append(group, r), append(ids, r.id)
			default:
				break more
			}
		}
		mctx, cancel := context.WithTimeout(ctx, markTimeout)
		if _, err := m.store.MarkSentMany(mctx, ids); err != nil {
			m.logger.Warn("notices: mark sent failed", slog.Int("notices", len(ids)), slog.Any("error", err))
		}
		cancel()
		for _, r := range group {
			close(r.done)
		}
	}
}
