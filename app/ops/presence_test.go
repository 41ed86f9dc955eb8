package ops

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/alarms"
	"github.com/onecode/onecode/persistence/alarms/pgalarms"
	"github.com/onecode/onecode/persistence/pgtest"
)

// member is one cluster member of the shared-presence test: its own board and
// watcher, its own connections to the one PostgreSQL database of the cluster.
type member struct {
	board *Board
	al    *Alarms
	w     *Watcher
}

func newMember(t *testing.T, dsn, name string, c *clock, sent Notifier) *member {
	t.Helper()
	store, err := pgalarms.Open(context.Background(), dsn, pgalarms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m := &member{board: NewBoard(c.Now), al: NewAlarms(store, sent, c.Now, nil)}
	m.w, err = NewWatcher(WatchConfig{Alarms: m.al, Member: name, Board: m.board, OfflineAfter: 90 * time.Second, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (m *member) check(t *testing.T) {
	t.Helper()
	if err := m.w.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestOfflineSharedAcrossMembers: two members on one PostgreSQL database. A
// terminal that left member B for member A is not offline on B; once it goes
// silent on A, both members see it and one alarm is raised for the cluster and
// delivered once; when it comes back on B, B clears it and A's stale view does
// not raise it again.
func TestOfflineSharedAcrossMembers(t *testing.T) {
	dsn := pgtest.DSN(t)
	c := &clock{t: watchT0}
	sent := &countingNotifier{n: map[string]int{}}
	a := newMember(t, dsn, "m-a", c, sent)
	b := newMember(t, dsn, "m-b", c, sent)
	key := Key(KindTerminalOffline, "", "T1")
	openOffline := func() []Alarm {
		t.Helper()
		list, err := a.al.store.List(context.Background(), alarms.Filter{OpenOnly: true, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return list
	}

	b.board.Connected("T1", "35001", "C1", "pos/1.2") // T1 starts on B …
	b.check(t)
	b.board.Disconnected("T1")
	c.Add(5 * time.Second)
	a.board.Connected("T1", "35001", "C1", "pos/1.2") // … and moves to A
	for range 4 {                                     // heartbeats on A for 2 minutes
		c.Add(30 * time.Second)
		a.board.Seen("T1")
		a.check(t)
		b.check(t)
	}
	if got := openOffline(); len(got) != 0 {
		t.Fatalf("T1 alive on A: alarms %+v (B must not call it offline)", got)
	}
	// B's ops API shows T1 as A sees it (online there), with B's own figures.
	b.board.NotePay("T1", true, 1250, "")
	svcB := NewService(Sources{Member: "m-b", Board: b.board, Now: c.Now}, b.al)
	list, err := svcB.Terminals(operator(), "35001")
	if err != nil || len(list) != 1 {
		t.Fatalf("terminals on B = %+v, %v", list, err)
	}
	if f := list[0]; f.Member != "m-a" || !f.Online || !f.LastSeen.Equal(c.Now()) || f.SalesToday != 1 {
		t.Errorf("T1 on B's ops API = %+v, want online on m-a, seen now, B's sale", f)
	}
	if list, err := svcB.Terminals(operator(), "35002"); err != nil || len(list) != 0 {
		t.Errorf("another school's terminals = %+v, %v", list, err)
	}

	a.board.Disconnected("T1") // the POS is killed
	for range 3 {
		c.Add(50 * time.Second)
		a.check(t)
		b.check(t)
	}
	got := openOffline()
	if len(got) != 1 || got[0].Key != key || got[0].SchoolID != "35001" {
		t.Fatalf("T1 silent: alarms %+v, want one offline alarm for the cluster", got)
	}
	if sent.n[key] != 1 {
		t.Errorf("offline alarm delivered %d times by two members, want once", sent.n[key])
	}

	b.board.Connected("T1", "35001", "C1", "pos/1.2") // back, on B
	b.check(t)
	a.check(t)
	c.Add(30 * time.Second)
	b.board.Seen("T1")
	a.check(t)
	b.check(t)
	if got := openOffline(); len(got) != 0 {
		t.Fatalf("T1 back on B: alarms %+v still open", got)
	}
	if sent.n[key] != 1 {
		t.Errorf("delivered %d times, want once", sent.n[key])
	}
}
