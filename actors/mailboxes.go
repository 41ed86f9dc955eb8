package actors

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"
)

// Kinds of the actors whose mailboxes a Mailboxes tracks.
const (
	MailboxKindAccount  = "account"  // Account grains, named account/<account id>
	MailboxKindTerminal = "terminal" // TerminalSession actors, named terminal/<terminal id>
)

// MaxDeepest bounds the mailboxes one Deepest call returns.
const MaxDeepest = 100

// Mailboxes tracks the depth of the mailboxes of this member's Account grains and
// TerminalSession actors (issue 14: the operators see the busiest actors). Each
// tracked mailbox carries a protoactor MailboxMiddleware that counts, with atomics,
// the messages posted and not yet handled; an actor is forgotten when it handles
// its Stop. A nil *Mailboxes tracks nothing and its actors get protoactor's plain
// unbounded mailbox. Safe for concurrent use.
type Mailboxes struct {
	live  sync.Map // *mailboxDepth → struct{}
	count atomic.Int64
}

// NewMailboxes returns an empty tracker.
func NewMailboxes() *Mailboxes { return &Mailboxes{} }

// MailboxDepth is one actor's mailbox now: the messages posted to it (user and
// system) and not yet handled, the one being handled included.
type MailboxDepth struct {
	Kind  string // MailboxKindAccount, MailboxKindTerminal
	Actor string // kind/identity: account/<id>, terminal/<id>
	Depth int64
}

// Producer returns the mailbox producer of actors of kind. name is the actor's
// name (terminal/T1); "" names each actor kind/<identity> from its PID when it is
// spawned (a grain's PID is partition-activator/<identity>$<n>). On a nil
// receiver it returns protoactor's unbounded mailbox without middleware.
func (m *Mailboxes) Producer(kind, name string) actor.MailboxProducer {
	if m == nil {
		return actor.Unbounded()
	}
	return func() actor.Mailbox {
		d := &mailboxDepth{owner: m, kind: kind, name: name}
		return &trackedMailbox{Mailbox: actor.Unbounded(d)(), depth: d}
	}
}

// Tracked is the number of live actors tracked.
func (m *Mailboxes) Tracked() int {
	if m == nil {
		return 0
	}
	return int(m.count.Load())
}

// Deepest returns the n (at most MaxDeepest) deepest non-empty mailboxes, deepest
// first (ties by name). It walks every tracked actor without stopping them.
func (m *Mailboxes) Deepest(n int) []MailboxDepth {
	n = min(n, MaxDeepest)
	if m == nil || n <= 0 {
		return nil
	}
	top := make([]MailboxDepth, 0, n+1)
	m.live.Range(func(k, _ any) bool {
		d := k.(*mailboxDepth)
		depth := d.depth.Load()
		if depth <= 0 || (len(top) == n && depth < top[n-1].Depth) {
			return true
		}
		top = append(top, MailboxDepth{Kind: d.kind, Actor: d.name, Depth: depth})
		slices.SortFunc(top, deeperFirst)
		if len(top) > n {
			top = top[:n]
		}
		return true
	})
	return top
}

func deeperFirst(a, b MailboxDepth) int {
	if a.Depth != b.Depth {
		if a.Depth > b.Depth {
			return -1
		}
		return 1
	}
	return strings.Compare(a.Actor, b.Actor)
}

// MaxDepth returns the depth of the deepest mailbox of each kind tracked (0 for
// a kind with no actor or only empty mailboxes); kinds lists the kinds always
// present in the answer.
func (m *Mailboxes) MaxDepth(kinds ...string) map[string]int64 {
	out := make(map[string]int64, len(kinds))
	for _, k := range kinds {
		out[k] = 0
	}
	if m == nil {
		return out
	}
	m.live.Range(func(k, _ any) bool {
		d := k.(*mailboxDepth)
		if v := d.depth.Load(); v > out[d.kind] {
			out[d.kind] = v
		}
		return true
	})
	return out
}

func (m *Mailboxes) add(d *mailboxDepth) {
	if _, loaded := m.live.LoadOrStore(d, struct{}{}); !loaded {
		m.count.Add(1)
	}
}

func (m *Mailboxes) forget(d *mailboxDepth) {
	if _, ok := m.live.LoadAndDelete(d); ok {
		m.count.Add(-1)
	}
}

// mailboxDepth is the MailboxMiddleware of one mailbox.
type mailboxDepth struct {
	owner      *Mailboxes
	kind, name string // name is set before the mailbox is registered, read after
	depth      atomic.Int64
}

func (d *mailboxDepth) MailboxStarted()       {}
func (d *mailboxDepth) MailboxEmpty()         {}
func (d *mailboxDepth) MessagePosted(any)     { d.depth.Add(1) }
func (d *mailboxDepth) MessageReceived(m any) { d.received(m) }

func (d *mailboxDepth) received(m any) {
	d.depth.Add(-1)
	if _, ok := m.(*actor.Stop); ok {
		d.owner.forget(d) // a stopped actor handles nothing more
	}
}

// trackedMailbox is protoactor's unbounded mailbox that enters the tracker when
// its actor is spawned: RegisterHandlers is given the actor's context, which
// knows the PID. A mailbox whose spawn failed (a taken name) is never registered,
// so never tracked.
type trackedMailbox struct {
	actor.Mailbox
	depth *mailboxDepth
}

func (t *trackedMailbox) RegisterHandlers(invoker actor.MessageInvoker, dispatcher actor.Dispatcher) {
	if t.depth.name == "" {
		id := ""
		if c, ok := invoker.(interface{ Self() *actor.PID }); ok && c.Self() != nil {
			id = c.Self().Id
		}
		t.depth.name = t.depth.kind + "/" + identityOf(id)
	}
	t.depth.owner.add(t.depth)
	t.Mailbox.RegisterHandlers(invoker, dispatcher)
}

// identityOf is the identity in a grain's PID id (partition-activator/<identity>$<n>);
// another id is returned whole.
func identityOf(id string) string {
	rest, ok := strings.CutPrefix(id, disthash.PartitionActivatorActorName+"/")
	if !ok {
		return id
	}
	if i := strings.LastIndexByte(rest, '$'); i > 0 {
		rest = rest[:i]
	}
	return rest
}
