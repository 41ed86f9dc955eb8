package ops

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/alarms/pgalarms"
	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/pgtest"
)

// TestAuditorOnOneMemberAtATime: two members' auditors on one PostgreSQL (the
// journal and the alarm store): one holds the lease and audits, the other reads
// nothing; when the holder stops renewing (killed), the other takes over once
// the lease expires and the first, back, does not audit beside it; a released
// lease is taken at once.
func TestAuditorOnOneMemberAtATime(t *testing.T) {
	ctx := context.Background()
	j := journals(t)["postgres"](t)
	for _, id := range []string{"acc_35001_20240001", "acc_35001_20240002", "acc_35001_20240003"} {
		writeAccount(t, j.store, id)
	}
	dsn := pgtest.DSN(t)
	c := &clock{t: watchT0}
	newAuditor := func(holder string) *Auditor {
		store, err := pgalarms.Open(ctx, dsn, pgalarms.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		a, err := NewAuditor(AuditConfig{Reader: j.store.(journal.AuditReader), Alarms: NewAlarms(store, nil, c.Now, nil),
			AccountsPerStep: 1, Holder: holder, LeaseTTL: 30 * time.Second, Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, b := newAuditor("member-a"), newAuditor("member-b")
	turn := func(x *Auditor, wantHeld bool) {
		t.Helper()
		held, _, err := x.Turn(ctx)
		if err != nil || held != wantHeld {
			t.Fatalf("%s: held %v, %v; want held %v", x.c.Holder, held, err, wantHeld)
		}
	}

	turn(a, true)
	for range 4 { // a pass of 3 accounts, a step each; B waits
		turn(b, false)
		turn(a, true)
		c.Add(5 * time.Second)
	}
	if b.cursor != "" || b.open != nil {
		t.Errorf("B audited without the lease: cursor %q", b.cursor)
	}

	turn(a, true) // a step into the next pass; then A is killed
	if a.cursor == "" {
		t.Fatal("A made no progress")
	}
	c.Add(20 * time.Second)
	turn(b, false) // A's lease runs to its last renewal + 30 s
	c.Add(15 * time.Second)
	turn(b, true) // expired: B takes over
	if b.cursor == "" {
		t.Error("B holds the lease but audited nothing")
	}
	turn(a, false) // A, back, finds B's lease and drops its pass
	if a.cursor != "" || a.open != nil {
		t.Errorf("A kept its pass after losing the lease: cursor %q", a.cursor)
	}

	b.release() // B stops cleanly: A takes over at once
	turn(a, true)
}

// TestAuditorRunReleasesLease: a running auditor takes the lease (Holding) and,
// stopped, gives it back, so another member takes over at once.
func TestAuditorRunReleasesLease(t *testing.T) {
	ctx := context.Background()
	j := journals(t)["sqlite"](t)
	writeAccount(t, j.store, "acc_35001_20240001")
	store := openAlarms(t)
	c := &clock{t: watchT0}
	mk := func(holder string) *Auditor {
		a, err := NewAuditor(AuditConfig{Reader: j.store.(journal.AuditReader), Alarms: NewAlarms(store, nil, c.Now, nil),
			Holder: holder, Every: time.Millisecond, Rest: time.Millisecond, Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, b := mk("member-a"), mk("member-b")
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); a.Run(runCtx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !a.Holding() {
		if time.Now().After(deadline) {
			t.Fatal("the running auditor never took the lease")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if held, _, err := b.Turn(ctx); held || err != nil {
		t.Fatalf("B beside a running A: held %v, %v", held, err)
	}
	stop()
	<-done
	if a.Holding() {
		t.Error("a stopped auditor still says it holds the lease")
	}
	if held, _, err := b.Turn(ctx); !held || err != nil {
		t.Fatalf("B after A stopped: held %v, %v; want the lease at once", held, err)
	}
}
