package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/alarms"
	"github.com/onecode/onecode/persistence/journal"
)

// ServiceHours are the hours (Asia/Shanghai) during which a silent terminal is
// an alarm. From == To (the zero value) is all day.
type ServiceHours struct {
	From, To time.Duration // since midnight, To exclusive
}

func (h ServiceHours) contains(t time.Time) bool {
	if h.From == h.To {
		return true
	}
	d := t.Sub(schoolday.Of(t).Start())
	if h.From < h.To {
		return d >= h.From && d < h.To
	}
	return d >= h.From || d < h.To // across midnight
}

// BreakerFigure is one circuit breaker's state: "closed", "half-open" or "open".
type BreakerFigure struct {
	Name  string // "aggregator/create", "notify/sms" …
	State string
}

// OverdueOrder is an order still open past its deadline.
type OverdueOrder struct {
	OrderID, AccountID string
	Since              time.Time // last written
}

// WatchConfig are the sources and thresholds of the Watcher. A nil source is not
// watched.
type WatchConfig struct {
	Alarms *Alarms
	// Member scopes the alarms of what this member alone sees (its journal writer,
	// breakers, failed handshakes): a stable name, its address.
	Member string
	// Run names this start of the member (the terminals' day counts restart from
	// zero with it, days.go); default: one made of the start time. The Service
	// of the member must be given the same (Sources.Run).
	Run    string
	Board  *Board
	Access *Access
	// Journal returns the journal writer's figures (Writer.Stats).
	Journal func() journal.WriterStats
	// Breakers returns every breaker's state now.
	Breakers func() []BreakerFigure
	// Overdue returns at most limit orders unresolved since before olderThan.
	Overdue func(ctx context.Context, olderThan time.Time, limit int) ([]OverdueOrder, error)

	Every           time.Duration // between checks (default 5 s)
	OfflineAfter    time.Duration // a terminal silent this long is offline (default 90 s)
	Hours           ServiceHours
	IllegalPerMin   int           // failed handshakes per minute that raise (default 5)
	IllegalQuiet    time.Duration // an illegal-access alarm clears after this long without failures (default 5 min)
	BreakerOpenFor  time.Duration // an open breaker alarms after this long (default 60 s)
	OrderDeadline   time.Duration // an order unresolved this long alarms (default 30 min)
	JournalLagRatio float64       // queue depth / capacity that alarms (default 0.8)
	Now             func() time.Time
	Logger          *slog.Logger
}

// maxOverdue bounds the overdue orders alarmed on at once.
const maxOverdue = 50

func (c *WatchConfig) defaults() error {
	if c.Alarms == nil {
		return errors.New("ops: a Watcher needs Alarms")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.Every, 5*time.Second)
	def(&c.OfflineAfter, 90*time.Second)
	def(&c.IllegalQuiet, 5*time.Minute)
	def(&c.BreakerOpenFor, time.Minute)
	def(&c.OrderDeadline, 30*time.Minute)
	if c.IllegalPerMin == 0 {
		c.IllegalPerMin = 5
	}
	if c.JournalLagRatio == 0 {
		c.JournalLagRatio = 0.8
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Run == "" {
		c.Run = "t" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Every < 0 || c.OfflineAfter < 0 || c.IllegalPerMin < 1 || c.IllegalQuiet < 0 || c.BreakerOpenFor < 0 ||
		c.OrderDeadline < 0 || c.JournalLagRatio <= 0 || c.JournalLagRatio > 1 || len(c.Run) > alarms.MaxRunLen {
		return fmt.Errorf("ops: watch thresholds %+v out of range", c)
	}
	return nil
}

// Watcher turns what the member sees into alarms, every Every: terminals
// offline (as every member sees them: the member writes its terminals' beats to
// the alarm store and reads everyone's, presence.go), illegal access storms, journal writer errors and lag, breakers open
// too long, orders past their deadline. Each kind is synchronised as a whole, so
// what healed is cleared (and re-armed).
type Watcher struct {
	c WatchConfig

	mu          sync.Mutex
	openSince   map[string]time.Time // breaker name → when first seen open
	lastFailed  int64                // the writer's FailedBatches at the last check
	failedUntil time.Time            // a writer failure keeps its alarm until then
	written     map[string]written   // terminal → its beat as last written (presence.go)
	dayWritten  map[string]dayCount  // terminal → its day counts as last written (days.go)
	pendingDays []TerminalFigures    // closed days not yet written
	prunedAt    time.Time            // when the old day rows were last deleted
}

// NewWatcher validates c and returns the Watcher.
func NewWatcher(c WatchConfig) (*Watcher, error) {
	if err := c.defaults(); err != nil {
		return nil, err
	}
	return &Watcher{c: c, openSince: map[string]time.Time{}, written: map[string]written{}, dayWritten: map[string]dayCount{}}, nil
}

// Run checks every Every until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	t := time.NewTicker(w.c.Every)
	defer t.Stop()
	for {
		if err := w.Check(ctx); err != nil && ctx.Err() == nil {
			w.c.Logger.Warn("ops watcher", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check runs every check once.
func (w *Watcher) Check(ctx context.Context) error {
	a, m := w.c.Alarms, w.c.Member
	errs := []error{w.beat(ctx), w.writeDays(ctx)}
	if offline, err := w.offline(ctx); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, a.Sync(ctx, prefix(KindTerminalOffline, ""), offline, nil))
	}
	errs = append(errs,
		a.Sync(ctx, prefix(KindIllegalAccess, m), w.c.Access.storms(m, w.c.IllegalPerMin, w.c.IllegalQuiet), nil),
		a.Sync(ctx, prefix(KindJournal, m), w.journal(), nil),
		a.Sync(ctx, prefix(KindBreakerOpen, m), w.breakers(), nil))
	if w.c.Overdue != nil {
		orders, err := w.overdue(ctx)
		if err == nil {
			err = a.Sync(ctx, prefix(KindOrderOverdue, ""), orders, nil)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (w *Watcher) journal() []Alarm {
	if w.c.Journal == nil {
		return nil
	}
	st := w.c.Journal()
	now := w.c.Now()
	w.mu.Lock()
	if st.FailedBatches > w.lastFailed {
		w.failedUntil = now.Add(w.c.IllegalQuiet)
	}
	w.lastFailed = st.FailedBatches
	failing := now.Before(w.failedUntil)
	w.mu.Unlock()
	var out []Alarm
	if failing {
		out = append(out, Alarm{Key: Key(KindJournal, w.c.Member, "writer-errors"), Kind: KindJournal, Level: Critical, Subject: w.c.Member,
			Message: fmt.Sprintf("journal transactions failing: %d failed batches, last: %s", st.FailedBatches, clipText(st.LastError))})
	}
	if st.QueueCapacity > 0 && float64(st.QueueDepth) >= w.c.JournalLagRatio*float64(st.QueueCapacity) {
		out = append(out, Alarm{Key: Key(KindJournal, w.c.Member, "lag"), Kind: KindJournal, Level: Warning, Subject: w.c.Member,
			Message: fmt.Sprintf("journal queue at %d of %d", st.QueueDepth, st.QueueCapacity)})
	}
	return out
}

func (w *Watcher) breakers() []Alarm {
	if w.c.Breakers == nil {
		return nil
	}
	now := w.c.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	seen := map[string]bool{}
	var out []Alarm
	for _, b := range w.c.Breakers() {
		if b.State == "closed" {
			delete(w.openSince, b.Name)
			continue
		}
		seen[b.Name] = true
		since, ok := w.openSince[b.Name]
		if !ok {
			since, w.openSince[b.Name] = now, now
		}
		if now.Sub(since) >= w.c.BreakerOpenFor {
			out = append(out, Alarm{Key: Key(KindBreakerOpen, w.c.Member, b.Name), Kind: KindBreakerOpen, Level: Critical, Subject: b.Name,
				Message: fmt.Sprintf("breaker %s %s for %d s", b.Name, b.State, int(now.Sub(since).Seconds()))})
		}
	}
	for name := range w.openSince {
		if !seen[name] {
			delete(w.openSince, name)
		}
	}
	return out
}

func (w *Watcher) overdue(ctx context.Context) ([]Alarm, error) {
	orders, err := w.c.Overdue(ctx, w.c.Now().Add(-w.c.OrderDeadline), maxOverdue)
	if err != nil {
		return nil, fmt.Errorf("ops: overdue orders: %w", err)
	}
	out := make([]Alarm, 0, len(orders))
	for _, o := range orders {
		out = append(out, Alarm{Key: Key(KindOrderOverdue, "", clip(o.OrderID)), Kind: KindOrderOverdue, Level: Warning,
			Subject: clip(o.OrderID),
			Message: fmt.Sprintf("order %s unresolved since %s", clip(o.OrderID), o.Since.UTC().Format(time.RFC3339))})
	}
	return out, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// clipText bounds a message part (an error text) to 200 bytes of UTF-8.
func clipText(s string) string {
	if len(s) > 200 {
		s = s[:200]
	}
	return clip(s)
}
