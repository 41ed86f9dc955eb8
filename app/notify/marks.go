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

// sentMarks ends the notices providers accepted as sent in group commits
// (groupCommit, MarkSentMany): N sends cost one commit, not N. A worker still
// waits for its mark before it takes another notice: a crash re-sends at most
// the notices in flight, as one mark each did.
type sentMarks struct {
	group *groupCommit[int64]
}

func newSentMarks(store outbox.Store, logger *slog.Logger) *sentMarks {
	return &sentMarks{group: newGroupCommit(outbox.MaxPage, markTimeout, func(ctx context.Context, ids []int64) error {
		_, err := store.MarkSentMany(ctx, ids)
		if err != nil {
			logger.Warn("notices: mark sent failed", slog.Int("notices", len(ids)), slog.Any("error", err))
		}
		return err
	})}
}

// mark ends notice id as sent (with the others handed over meanwhile) and
// returns once the statement ran. A failed mark is logged: the notice comes
// back when its lease runs out and is re-sent under the same provider out id.
func (m *sentMarks) mark(ctx context.Context, id int64) {
	_ = m.group.add(ctx, id)
}
