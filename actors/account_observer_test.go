package actors

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/onecode/onecode/domain/account"
)

// recordingObserver keeps what it was told by (account, seq), as the outbox's
// dedupe key does; fail makes it fail.
type recordingObserver struct {
	mu    sync.Mutex
	fail  bool
	calls int
	seen  map[string]string // account:seq → event type
}

func (o *recordingObserver) Committed(_ context.Context, id string, evs []CommittedEvent) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	if o.fail {
		return errors.New("outbox down")
	}
	for _, ce := range evs {
		o.seen[fmt.Sprintf("%s:%d", id, ce.Seq)] = ce.Event.EventType()
	}
	return nil
}

func (o *recordingObserver) count(typ string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, t := range o.seen {
		if t == typ {
			n++
		}
	}
	return n
}

// TestObserverLowBalanceOncePerCrossing runs purchases and recharges through an
// activation over the real journal, fails the observer once, restarts the
// activation: low balance is told once per crossing (3), every recharge once.
func TestObserverLowBalanceOncePerCrossing(t *testing.T) {
	deps, _ := newTestDeps(t, 4) // snapshots every 4 events: the flag goes through them
	obs := &recordingObserver{seen: map[string]string{}}
	deps.Observer = obs
	id := "acct-lowbal-" + t.Name()
	c := mustLoad(t, id, deps)
	exec(t, c, openReq("open"))
	exec(t, c, rechargeReq("R0", 3000)) // 30.00
	exec(t, c, purchaseReq("P1", 1500, false))
	exec(t, c, purchaseReq("P2", 600, false)) // 9.00: crossing 1
	exec(t, c, purchaseReq("P3", 100, false))
	obs.mu.Lock()
	obs.fail = true
	obs.mu.Unlock()
	exec(t, c, rechargeReq("R1", 400))        // 12.00: not re-armed; observer fails
	exec(t, c, purchaseReq("P4", 300, false)) // 9.00: not armed
	obs.mu.Lock()
	obs.fail = false
	obs.mu.Unlock()
	exec(t, c, rechargeReq("R2", 600))        // 15.00: re-armed; R1 told now
	exec(t, c, purchaseReq("P5", 400, false)) // 11.00
	exec(t, c, purchaseReq("P6", 200, false)) // 9.00: crossing 2
	exec(t, c, rechargeReq("R3", 1000))       // 19.00: re-armed
	// A new activation (a restart, another member) over the same journal: the
	// recent tail is told again, the fold gives the same flag.
	c2 := mustLoad(t, id, deps)
	if c2.state.LowBalanceNotified != c.state.LowBalanceNotified || c2.state.Balance != 1900 {
		t.Fatalf("reloaded state: balance %v notified %v", c2.state.Balance, c2.state.LowBalanceNotified)
	}
	exec(t, c2, purchaseReq("P7", 1000, false)) // 9.00: crossing 3
	exec(t, c2, purchaseReq("P8", 100, false))
	_ = mustLoad(t, id, deps)
	if got := obs.count(account.Purchased{}.EventType()); got != 3 {
		t.Fatalf("low-balance crossings told: %d, want 3 (%v)", got, obs.seen)
	}
	if got := obs.count(account.RechargeCredited{}.EventType()); got != 4 {
		t.Fatalf("recharges told: %d, want 4", got)
	}
}

// TestObserverCrashAfterCommitLosesNoLowBalance: the purchase that crosses the
// low-balance threshold commits on a snapshot boundary and the switch dies
// before the notice is queued (the observer never takes it): the next
// activation tells it, once; the held-back snapshot is written by the next
// commit without notices.
func TestObserverCrashAfterCommitLosesNoLowBalance(t *testing.T) {
	deps, _ := newTestDeps(t, 4) // snapshots every 4 events
	obs := &recordingObserver{seen: map[string]string{}}
	deps.Observer = obs
	id := "acct-crash-" + t.Name()
	c := mustLoad(t, id, deps)
	exec(t, c, openReq("open"))
	exec(t, c, rechargeReq("R0", 3000))
	exec(t, c, purchaseReq("P1", 1500, false))
	obs.mu.Lock()
	obs.fail = true // the process dies between the commit and the queue
	obs.mu.Unlock()
	exec(t, c, purchaseReq("P2", 600, false)) // 9.00: the crossing
	if c.state.Seq%4 != 0 || !c.state.LowBalanceNotified {
		t.Fatalf("the crossing is at seq %d (notified %v), want a snapshot boundary", c.state.Seq, c.state.LowBalanceNotified)
	}
	obs.mu.Lock()
	obs.fail = false
	obs.mu.Unlock()
	c2 := mustLoad(t, id, deps) // the restart: c is gone with its pending events
	if got := obs.count(account.Purchased{}.EventType()); got != 1 {
		t.Fatalf("low-balance crossings told after the restart: %d, want 1 (%v)", got, obs.seen)
	}
	exec(t, c2, purchaseReq("P3", 100, false)) // no notice: the held-back snapshot goes with it
	_ = mustLoad(t, id, deps)
	if got := obs.count(account.Purchased{}.EventType()); got != 1 {
		t.Fatalf("low-balance crossings told: %d, want 1", got)
	}
}
