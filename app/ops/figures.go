package ops

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/alarms"
	"github.com/onecode/onecode/persistence/journal"
)

// MemberFigures are one cluster member as this member sees it. The figures of
// the member's own grains (activations, mailboxes) are known only for Self:
// each member answers for itself.
type MemberFigures struct {
	ID, Address string
	State       string // "alive" (in the topology), "left"
	Self        bool
	Since       time.Time // when this member first saw it in the topology
	// ActiveAccounts are the Account grains active now (Self only), Activations
	// and Passivations since the start.
	ActiveAccounts, Activations, Passivations int64
	// Mailboxes are the deepest non-empty mailboxes of the member's account grains
	// and terminal sessions, deepest first, at most BusiestMailboxes (Self only;
	// empty when the member does not track them: ops.mailbox_depths off).
	Mailboxes []Mailbox
}

// BusiestMailboxes is how many of a member's deepest mailboxes it reports.
const BusiestMailboxes = 10

// Mailbox is one actor's mailbox depth: the messages posted to it and not yet
// handled, the one being handled included. Actor is account/<account id> or
// terminal/<terminal id>.
type Mailbox struct {
	Actor string
	Depth int
}

// JournalFigures are the member's journal writer now.
type JournalFigures struct {
	Member                          string
	QueueDepth, QueueCapacity       int
	BatchP50, BatchP99              float64       // appends per transaction (bucket upper bounds)
	FlushP50, FlushP99              time.Duration // write and commit of one transaction
	CommitsPerSecond                float64       // appends committed per second since the previous call (or the start)
	Batches, Appends, FailedBatches int64
	Rejected                        int64
	LastError                       string
	LastErrorAt                     time.Time
}

// Backlogs are the work waiting: open recharge orders (OverdueOrders of them past
// their deadline) and notices not yet sent; -1 when this member cannot tell.
type Backlogs struct {
	OpenOrders, OverdueOrders, OutboxPending int64
}

// Sources are where the live figures come from; cmd/onecode fills them from the
// member, the writer, the aggregator client and the notification channels. A nil
// source answers nothing (an empty list, zero figures).
type Sources struct {
	Member string
	// Run is this start of the member, the Watcher's (WatchConfig.Run): the ops
	// API counts its terminals' live figures instead of its written day rows.
	Run      string
	Members  func() []MemberFigures
	Journal  func() journal.WriterStats
	Breakers func() []BreakerFigure
	Board    *Board
	Backlogs func(ctx context.Context) (Backlogs, error)
	Now      func() time.Time
}

// Service is the operator API's use cases: live figures and alarms.
type Service struct {
	src    Sources
	alarms *Alarms

	mu   sync.Mutex
	prev struct {
		at      time.Time
		appends int64
	}
}

// NewService returns the operator use cases over src and alarms.
func NewService(src Sources, alarms *Alarms) *Service {
	if src.Now == nil {
		src.Now = time.Now
	}
	s := &Service{src: src, alarms: alarms}
	s.prev.at = src.Now()
	return s
}

// Alarms are the alarm use cases (List, Acknowledge).
func (s *Service) Alarms() *Alarms { return s.alarms }

// Members returns the cluster members.
func (s *Service) Members(ctx context.Context) ([]MemberFigures, error) {
	if _, err := RequireOperator(ctx); err != nil {
		return nil, err
	}
	if s.src.Members == nil {
		return nil, nil
	}
	return s.src.Members(), nil
}

// Journal returns the journal writer's figures.
func (s *Service) Journal(ctx context.Context) (JournalFigures, error) {
	if _, err := RequireOperator(ctx); err != nil {
		return JournalFigures{}, err
	}
	f := JournalFigures{Member: s.src.Member}
	if s.src.Journal == nil {
		return f, nil
	}
	st := s.src.Journal()
	f.QueueDepth, f.QueueCapacity = st.QueueDepth, st.QueueCapacity
	f.Batches, f.Appends, f.FailedBatches, f.Rejected = st.Batches, st.Appends, st.FailedBatches, st.Rejected
	f.LastError, f.LastErrorAt = clipText(st.LastError), st.LastErrorAt
	f.BatchP50 = quantile(journal.BatchSizeBuckets, st.BatchSizes, 0.5)
	f.BatchP99 = quantile(journal.BatchSizeBuckets, st.BatchSizes, 0.99)
	f.FlushP50 = seconds(quantile(journal.FlushBuckets, st.FlushLatency, 0.5))
	f.FlushP99 = seconds(quantile(journal.FlushBuckets, st.FlushLatency, 0.99))
	now := s.src.Now()
	s.mu.Lock()
	if d := now.Sub(s.prev.at); d > 0 {
		f.CommitsPerSecond = float64(st.Appends-s.prev.appends) / d.Seconds()
	}
	if now.Sub(s.prev.at) >= time.Second {
		s.prev.at, s.prev.appends = now, st.Appends
	}
	s.mu.Unlock()
	return f, nil
}

// Breakers returns every breaker's state.
func (s *Service) Breakers(ctx context.Context) ([]BreakerFigure, error) {
	if _, err := RequireOperator(ctx); err != nil {
		return nil, err
	}
	if s.src.Breakers == nil {
		return nil, nil
	}
	return s.src.Breakers(), nil
}

// Terminals returns the terminals of schoolID ("": all): those this member
// serves and those another member saw since (the shared beats, presence.go),
// with the latest view of their session, and their sales and declines of today
// summed over every member and run (days.go).
func (s *Service) Terminals(ctx context.Context, schoolID string) ([]TerminalFigures, error) {
	if _, err := RequireOperator(ctx); err != nil {
		return nil, err
	}
	local := s.src.Board.Terminals(schoolID)
	for i := range local {
		local[i].Member = s.src.Member
	}
	if s.alarms == nil {
		return local, nil
	}
	now := s.src.Now()
	beats, err := s.alarms.store.Silent(ctx, now.Add(-beatMemory), now.Add(time.Second), alarms.MaxBeats)
	if err != nil {
		return nil, fmt.Errorf("ops: terminals' beats: %w", err)
	}
	rows, err := s.alarms.store.Days(ctx, schoolday.Of(now), schoolID, alarms.MaxDayRows)
	if err != nil {
		return nil, fmt.Errorf("ops: terminals' days: %w", err)
	}
	return sumDays(mergeBeats(local, beats, schoolID), rows, clip(s.src.Member), s.src.Run), nil
}

// Backlogs returns the waiting work.
func (s *Service) Backlogs(ctx context.Context) (Backlogs, error) {
	if _, err := RequireOperator(ctx); err != nil {
		return Backlogs{}, err
	}
	if s.src.Backlogs == nil {
		return Backlogs{OpenOrders: -1, OverdueOrders: -1, OutboxPending: -1}, nil
	}
	b, err := s.src.Backlogs(ctx)
	if err != nil {
		return Backlogs{}, fmt.Errorf("ops: backlogs: %w", err)
	}
	return b, nil
}

// quantile is the upper bound of the bucket holding quantile q of counts (per
// bucket, one more than bounds: the last is "above every bound", reported as
// the last bound); 0 without observations.
func quantile(bounds []float64, counts []int64, q float64) float64 {
	var total int64
	for _, n := range counts {
		total += n
	}
	if total == 0 || len(bounds) == 0 {
		return 0
	}
	rank := int64(q*float64(total) + 0.5)
	rank = max(rank, 1)
	var cum int64
	for i, n := range counts {
		cum += n
		if cum >= rank {
			return bounds[min(i, len(bounds)-1)]
		}
	}
	return bounds[len(bounds)-1]
}

func seconds(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }
