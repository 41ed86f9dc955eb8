package ops

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/journal"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// 2026-09-01 12:00 Asia/Shanghai.
var watchT0 = time.Date(2026, 9, 1, 4, 0, 0, 0, time.UTC)

type watchRig struct {
	clock  *clock
	al     *Alarms
	board  *Board
	access *Access
	w      *Watcher
	sent   *countingNotifier
	ctx    context.Context
}

func newWatchRig(t *testing.T, mod func(*WatchConfig)) *watchRig {
	c := &clock{t: watchT0}
	r := &watchRig{clock: c, sent: &countingNotifier{n: map[string]int{}}, ctx: context.Background()}
	r.al = NewAlarms(openAlarms(t), r.sent, c.Now, nil)
	r.board, r.access = NewBoard(c.Now), NewAccess(c.Now)
	cfg := WatchConfig{Alarms: r.al, Member: "m1", Board: r.board, Access: r.access, OfflineAfter: 90 * time.Second,
		IllegalPerMin: 5, IllegalQuiet: 5 * time.Minute, Now: c.Now}
	if mod != nil {
		mod(&cfg)
	}
	w, err := NewWatcher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.w = w
	return r
}

func (r *watchRig) check(t *testing.T) {
	t.Helper()
	if err := r.w.Check(r.ctx); err != nil {
		t.Fatal(err)
	}
}

func (r *watchRig) open(t *testing.T, kind string) []Alarm {
	t.Helper()
	list, _, err := r.al.List(operator(), true, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	var out []Alarm
	for _, a := range list {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

func operator() context.Context {
	return access.ContextWithPrincipal(context.Background(), access.Principal{Kind: access.KindOperator})
}

func TestTerminalOfflineRaisesOnceAndReArms(t *testing.T) {
	r := newWatchRig(t, nil)
	r.board.Connected("T1", "35001", "C1", "pos/1.2")
	r.check(t)
	if got := r.open(t, KindTerminalOffline); len(got) != 0 {
		t.Fatalf("fresh terminal: %+v", got)
	}
	r.board.Disconnected("T1") // the POS is killed
	r.clock.Add(91 * time.Second)
	r.check(t)
	r.clock.Add(30 * time.Second)
	r.check(t)
	got := r.open(t, KindTerminalOffline)
	if len(got) != 1 || got[0].Subject != "T1" || got[0].SchoolID != "35001" || got[0].Count != 2 {
		t.Fatalf("offline alarms = %+v, want one for T1 seen twice", got)
	}
	first := got[0].ID
	r.board.Connected("T1", "35001", "C1", "pos/1.2") // back
	r.check(t)
	if got := r.open(t, KindTerminalOffline); len(got) != 0 {
		t.Fatalf("terminal back: %+v still open", got)
	}
	r.board.Disconnected("T1")
	r.clock.Add(2 * time.Minute)
	r.check(t)
	got = r.open(t, KindTerminalOffline)
	if len(got) != 1 || got[0].ID == first {
		t.Fatalf("offline again = %+v, want a new alarm (re-armed)", got)
	}
	if n := r.sent.n[Key(KindTerminalOffline, "", "T1")]; n != 2 {
		t.Errorf("offline alarm of T1 delivered %d times, want 2 (once per raise)", n)
	}
}

func TestTerminalSilentOutsideServiceHoursIsNoAlarm(t *testing.T) {
	// 12:00 Shanghai is outside 06:00–09:00.
	r := newWatchRig(t, func(c *WatchConfig) { c.Hours = ServiceHours{From: 6 * time.Hour, To: 9 * time.Hour} })
	r.board.Connected("T1", "35001", "C1", "")
	r.board.Disconnected("T1")
	r.clock.Add(10 * time.Minute)
	r.check(t)
	if got := r.open(t, KindTerminalOffline); len(got) != 0 {
		t.Fatalf("outside service hours: %+v", got)
	}
}

func TestIllegalAccessStormRaisesOnceAndReArms(t *testing.T) {
	r := newWatchRig(t, nil)
	for range 4 {
		r.access.Failed("T9", "35001", AccessBadMAC)
	}
	r.check(t)
	if got := r.open(t, KindIllegalAccess); len(got) != 0 {
		t.Fatalf("4 failures (k = 5): %+v", got)
	}
	for range 20 { // a bad MAC storm
		r.access.Failed("T9", "35001", AccessBadMAC)
		r.check(t)
	}
	for i := range 10 { // made-up terminal ids are one storm
		r.access.Failed("X"+string(rune('a'+i)), "", AccessUnknownTerminal)
	}
	r.check(t)
	got := r.open(t, KindIllegalAccess)
	if len(got) != 2 {
		t.Fatalf("illegal access alarms = %+v, want T9 and unknown terminals", got)
	}
	for _, a := range got {
		if n := r.sent.n[a.Key]; n != 1 {
			t.Errorf("%s delivered %d times, want once", a.Key, n)
		}
	}
	r.clock.Add(6 * time.Minute) // quiet
	r.check(t)
	if got := r.open(t, KindIllegalAccess); len(got) != 0 {
		t.Fatalf("after a quiet spell: %+v", got)
	}
	for range 5 {
		r.access.Failed("T9", "35001", AccessDisabled)
	}
	r.check(t)
	if got := r.open(t, KindIllegalAccess); len(got) != 1 || r.sent.n[got[0].Key] != 2 {
		t.Fatalf("second storm = %+v (delivered %d), want a new alarm", got, r.sent.n[Key(KindIllegalAccess, "m1", "T9")])
	}
}

func TestJournalAndBreakerAlarms(t *testing.T) {
	var mu sync.Mutex
	st := journal.WriterStats{QueueCapacity: 100}
	breakers := []BreakerFigure{{Name: "aggregator/create", State: "closed"}}
	r := newWatchRig(t, func(c *WatchConfig) {
		c.Journal = func() journal.WriterStats { mu.Lock(); defer mu.Unlock(); return st }
		c.Breakers = func() []BreakerFigure { mu.Lock(); defer mu.Unlock(); return breakers }
		c.BreakerOpenFor = time.Minute
	})
	r.check(t)
	mu.Lock()
	st.FailedBatches, st.LastError, st.QueueDepth = 1, "connection refused", 90
	breakers = []BreakerFigure{{Name: "aggregator/create", State: "open"}}
	mu.Unlock()
	r.check(t)
	if got := r.open(t, KindJournal); len(got) != 2 {
		t.Fatalf("journal alarms = %+v, want writer errors and lag", got)
	}
	if got := r.open(t, KindBreakerOpen); len(got) != 0 {
		t.Fatalf("breaker just opened: %+v", got)
	}
	r.clock.Add(61 * time.Second)
	r.check(t)
	if got := r.open(t, KindBreakerOpen); len(got) != 1 || got[0].Subject != "aggregator/create" {
		t.Fatalf("breaker open 61 s: %+v", got)
	}
	mu.Lock()
	st.QueueDepth = 0
	breakers = []BreakerFigure{{Name: "aggregator/create", State: "closed"}}
	mu.Unlock()
	r.clock.Add(6 * time.Minute)
	r.check(t)
	if got := append(r.open(t, KindJournal), r.open(t, KindBreakerOpen)...); len(got) != 0 {
		t.Fatalf("healed: %+v", got)
	}
}

func TestAcknowledgeByOperatorOnly(t *testing.T) {
	r := newWatchRig(t, nil)
	a, created, err := r.al.Raise(r.ctx, Alarm{Key: "k/1", Kind: KindJournal, Level: Warning, Message: "m"})
	if err != nil || !created {
		t.Fatal(created, err)
	}
	staff := access.ContextWithPrincipal(context.Background(), access.Principal{Kind: access.KindStaff, Role: access.RoleSchoolAdmin, SchoolID: "35001"})
	for name, ctx := range map[string]context.Context{"staff": staff, "nobody": context.Background()} {
		if _, err := r.al.Acknowledge(ctx, a.ID); err == nil {
			t.Errorf("%s acknowledged", name)
		}
		if _, _, err := r.al.List(ctx, false, 10, ""); err == nil {
			t.Errorf("%s listed alarms", name)
		}
	}
	var re *reason.Error
	if _, err := r.al.Acknowledge(staff, a.ID); !errors.As(err, &re) || re.Kind != reason.KindPermissionDenied {
		t.Errorf("staff acknowledging: %v, want PermissionDenied", err)
	}
	r.clock.Add(time.Minute)
	got, err := r.al.Acknowledge(operator(), a.ID)
	if err != nil || got.AckedBy != "operator" || !got.AckedAt.Equal(watchT0.Add(time.Minute)) || !got.Open() {
		t.Fatalf("Acknowledge = %+v, %v", got, err)
	}
	if _, err := r.al.Acknowledge(operator(), a.ID+99); !errors.As(err, &re) || re.Kind != reason.KindNotFound {
		t.Errorf("unknown alarm: %v, want NotFound", err)
	}
	if _, _, err := r.al.List(operator(), false, 10, "x"); !errors.As(err, &re) || re.Kind != reason.KindInvalid {
		t.Errorf("bad page token: %v, want Invalid", err)
	}
}

// TestOtherSchoolsCardsRaiseIllegalAccess: cards of another school presented at a
// terminal (pays declined WRONG_SCHOOL), k in a minute, are one illegal-access
// alarm of that terminal's school, apart from its handshakes; other declines and
// fewer than k attempts raise nothing; spread over minutes they raise nothing.
func TestOtherSchoolsCardsRaiseIllegalAccess(t *testing.T) {
	r := newWatchRig(t, nil)
	for range 10 {
		r.access.Declined("T7", "35001", string(reason.InsufficientFunds))
	}
	for range 4 {
		r.access.Declined("T7", "35001", string(reason.WrongSchool))
		r.clock.Add(20 * time.Second) // 4 attempts, each window under k
	}
	r.check(t)
	if got := r.open(t, KindIllegalAccess); len(got) != 0 {
		t.Fatalf("other declines and slow attempts: %+v", got)
	}
	r.clock.Add(2 * time.Minute)
	for range 5 {
		r.access.Declined("T7", "35001", string(reason.WrongSchool))
	}
	r.access.Failed("T7", "35001", AccessBadMAC) // one bad handshake: not a storm
	for range 3 {
		r.check(t)
	}
	got := r.open(t, KindIllegalAccess)
	if len(got) != 1 {
		t.Fatalf("alarms = %+v, want one for T7's wrong-school attempts", got)
	}
	a := got[0]
	if a.Key != Key(KindIllegalAccess, "m1", "T7/wrong-school") || a.SchoolID != "35001" || a.Level != Critical ||
		a.Message != "cards of another school presented at terminal T7: 5 in one minute" || r.sent.n[a.Key] != 1 {
		t.Errorf("alarm %+v delivered %d times", a, r.sent.n[a.Key])
	}
}
