package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/onecode/onecode/actors"
)

// TestMembersAnswerBusiestMailboxes: the ops API's members answer carries this
// member's deepest mailboxes (a session blocked with inputs queued behind it),
// deepest first, at most ten, and none once they drain.
func TestMembersAnswerBusiestMailboxes(t *testing.T) {
	m, err := actors.StartMember(context.Background(), actors.MemberConfig{
		Name: fmt.Sprintf("ops-mb-%d", time.Now().UnixNano()), Provider: actors.ProviderSingle, Host: "127.0.0.1",
		RequestTimeout: 5 * time.Second, ConsensusTimeout: 20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop(true) })
	mb := actors.NewMailboxes()
	release := make(chan struct{})
	props := actor.PropsFromFunc(func(c actor.Context) {
		if _, ok := c.Message().(string); ok {
			<-release
		}
	}, actor.WithMailbox(mb.Producer(actors.MailboxKindTerminal, "")))
	root := m.Cluster.ActorSystem.Root
	for i := range 12 { // actor i: i+1 messages (one handled, i queued)
		pid := root.Spawn(props)
		for range i + 1 {
			root.Send(pid, "work")
		}
	}
	members := memberSource(m, &actors.AccountStats{}, mb)
	deadline := time.Now().Add(10 * time.Second)
	for {
		list := members()
		if len(list) != 1 || !list[0].Self {
			t.Fatalf("members %+v, want this one", list)
		}
		got := list[0].Mailboxes
		if len(got) == 10 && got[0].Depth == 12 && got[9].Depth == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailboxes %+v, want the ten deepest (12 down to 3)", got)
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
	close(release)
	for len(members()[0].Mailboxes) != 0 {
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatalf("mailboxes %+v after the release, want none", members()[0].Mailboxes)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
