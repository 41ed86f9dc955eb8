package actors

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/onecode/onecode/persistence/journal"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// gatedStore is a journal whose Load of one account waits until gate is closed.
type gatedStore struct {
	journal.Store
	account string
	gate    chan struct{}
}

func (s *gatedStore) Load(ctx context.Context, account string) (*journal.Snapshot, []journal.Event, error) {
	if account == s.account {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
	return s.Store.Load(ctx, account)
}

// waitUntil polls cond every 2 ms until it holds, or fails the test after 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		<-tick.C
	}
}

// TestMailboxDepthOfABlockedGrain: an Account grain whose activation hangs on
// the journal piles up its callers' requests; the tracker names it first among
// the deepest mailboxes with every queued request, leaves out the idle grain,
// and shows no mailbox once the journal answers and the queue drains.
func TestMailboxDepthOfABlockedGrain(t *testing.T) {
	deps, _ := newTestDeps(t, 10)
	blocked := fmt.Sprintf("acc-blocked-%d", time.Now().UnixNano())
	gate := make(chan struct{})
	deps.Store = &gatedStore{Store: deps.Store, account: blocked, gate: gate}
	mb := NewMailboxes()
	deps.Mailboxes = mb
	m := startTestMember(t, NewAccountKind(deps))
	accts := NewAccounts(m.Cluster, 5*time.Second, 0)
	ctx := context.Background()
	if _, err := accts.Execute(ctx, "acc-idle", openReq("open-idle")); err != nil {
		t.Fatal(err)
	}

	const callers = 12
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = accts.Execute(ctx, blocked, purchaseReq(fmt.Sprintf("%s:%d", blocked, i), 100, false))
		}()
	}
	var top []MailboxDepth
	waitUntil(t, "the blocked grain's callers queued", func() bool {
		top = mb.Deepest(10)
		return len(top) > 0 && top[0].Depth >= callers
	})
	if got, want := top[0].Actor, "account/"+blocked; got != want || top[0].Kind != MailboxKindAccount {
		t.Errorf("deepest mailbox %+v, want %s", top[0], want)
	}
	for _, d := range top {
		if d.Actor == "account/acc-idle" {
			t.Errorf("the idle grain is among the deepest: %+v", top)
		}
	}
	if got := mb.MaxDepth(MailboxKindAccount, MailboxKindTerminal); got[MailboxKindAccount] < callers || got[MailboxKindTerminal] != 0 {
		t.Errorf("max depth by kind %v, want account ≥ %d, terminal 0", got, callers)
	}
	if mb.Tracked() != 2 {
		t.Errorf("tracked %d actors, want 2 grains", mb.Tracked())
	}

	close(gate)
	wg.Wait()
	waitUntil(t, "the blocked grain's mailbox drained", func() bool { return len(mb.Deepest(10)) == 0 })
}

// TestMailboxesForgetStoppedActors: actors stopped (Stop), poisoned (Poison) or
// passivated leave the tracker; the terminal session's mailbox is named after
// its terminal and counts the inputs queued behind a blocked one.
func TestMailboxesForgetStoppedActors(t *testing.T) {
	mb := NewMailboxes()
	sys := quietSystem()
	t.Cleanup(sys.Shutdown)
	props := actor.PropsFromFunc(func(actor.Context) {}, actor.WithMailbox(mb.Producer(MailboxKindTerminal, "")))
	const n = 40
	pids := make([]*actor.PID, n)
	for i := range pids {
		pids[i] = sys.Root.Spawn(props)
	}
	if got := mb.Tracked(); got != n {
		t.Fatalf("tracked %d actors after %d spawns", got, n)
	}
	for i, pid := range pids {
		if i%2 == 0 {
			sys.Root.Stop(pid)
		} else {
			sys.Root.Poison(pid)
		}
	}
	waitUntil(t, "stopped and poisoned actors forgotten", func() bool { return mb.Tracked() == 0 })

	// A terminal session blocked in its first input: the rest queue behind it.
	release := make(chan struct{})
	deps := &TerminalSessionDeps{Mailboxes: mb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
	pid := sys.Root.Spawn(NewTerminalSessionProps(deps, TerminalIdentity{TerminalID: "T9", SchoolID: "35001"}, func(*apiv1.SessionResponse) {}))
	blocked := &SessionInput{Request: &apiv1.SessionRequest{}, Done: func() { <-release }}
	sys.Root.Send(pid, blocked)
	for range 5 {
		sys.Root.Send(pid, &SessionInput{Request: &apiv1.SessionRequest{}})
	}
	waitUntil(t, "inputs queued behind the blocked one", func() bool {
		top := mb.Deepest(1)
		return len(top) == 1 && top[0].Actor == "terminal/T9" && top[0].Depth == 6
	})
	close(release)
	waitUntil(t, "the session's mailbox drained", func() bool { return len(mb.Deepest(1)) == 0 })
	if err := sys.Root.StopFuture(pid).Wait(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the stopped session forgotten", func() bool { return mb.Tracked() == 0 })
}

// TestMailboxesForgetPassivatedGrains: a grain that passivates itself leaves the tracker.
func TestMailboxesForgetPassivatedGrains(t *testing.T) {
	deps, clock := newTestDeps(t, 100)
	deps.IdleTimeout = 40 * time.Millisecond
	mb := NewMailboxes()
	deps.Mailboxes = mb
	m := startTestMember(t, NewAccountKind(deps))
	accts := NewAccounts(m.Cluster, 5*time.Second, 3)
	if _, err := accts.Execute(context.Background(), "acc-pass", openReq("open-pass")); err != nil {
		t.Fatal(err)
	}
	if mb.Tracked() != 1 {
		t.Fatalf("tracked %d, want the one grain", mb.Tracked())
	}
	clock.Add(time.Second)
	waitUntil(t, "the passivated grain forgotten", func() bool { return mb.Tracked() == 0 })
}

func quietSystem() *actor.ActorSystem {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	return actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet })))
}

// mailboxMiddleware selects BenchmarkMailboxPost's mailboxes: "both" (default:
// two sub-benchmarks), "on" or "off" (one, to alternate runs of one test binary:
// actors.test -test.bench MailboxPost -mailbox.middleware=off, then =on, …).
var mailboxMiddleware = flag.String("mailbox.middleware", "both", "BenchmarkMailboxPost: on, off or both")

// BenchmarkMailboxPost is the cost of the depth middleware: b.N messages sent to
// one actor and handled, on the worker dispatcher, with protoactor's plain
// unbounded mailbox (middleware=off) and with the tracked one (middleware=on).
func BenchmarkMailboxPost(b *testing.B) {
	for _, mode := range []string{"off", "on"} {
		if *mailboxMiddleware != "both" && *mailboxMiddleware != mode {
			continue
		}
		b.Run("middleware="+mode, func(b *testing.B) {
			var mb *Mailboxes
			if mode == "on" {
				mb = NewMailboxes()
			}
			benchmarkPost(b, mb)
		})
	}
}

func benchmarkPost(b *testing.B, mb *Mailboxes) {
	sys := quietSystem()
	defer sys.Shutdown()
	var handled atomic.Int64
	done := make(chan struct{})
	want := int64(b.N)
	pid := sys.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if _, ok := c.Message().(*SessionInput); ok && handled.Add(1) == want {
			close(done)
		}
	}, actor.WithDispatcher(newWorkerDispatcher(mailboxThroughput)), actor.WithMailbox(mb.Producer(MailboxKindAccount, ""))))
	msg := &SessionInput{}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		sys.Root.Send(pid, msg)
	}
	<-done
	b.StopTimer()
	sys.Root.Stop(pid)
}
