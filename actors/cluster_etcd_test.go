package actors

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/internal/etcdtest"
)

func etcdMemberConfig(name, prefix string, endpoints []string) MemberConfig {
	return MemberConfig{
		Name: name, Provider: ProviderEtcd, Host: "127.0.0.1",
		Etcd:           EtcdConfig{Endpoints: endpoints, Prefix: prefix, DialTimeout: 2 * time.Second, LeaseTTL: 2 * time.Second},
		RequestTimeout: 5 * time.Second, ConsensusTimeout: 20 * time.Second,
	}
}

// TestEtcdMembership: two members registering in one etcd see each other, and one
// that leaves is gone from the other's topology. Upstream's etcd provider listed a
// member under "<cluster>@<id>" rather than its id (third_party PATCHES.md), so a
// member never found itself in the topology and never joined.
func TestEtcdMembership(t *testing.T) {
	prefix := etcdtest.Prefix(t)
	name := fmt.Sprintf("etcd-%d", time.Now().UnixNano())
	var members []*Member
	for range 2 {
		m, err := StartMember(context.Background(), etcdMemberConfig(name, prefix, etcdtest.Endpoints()))
		if err != nil {
			t.Fatalf("start member: %v", err)
		}
		members = append(members, m)
	}
	defer members[0].Stop(false)
	waitSize(t, members[0], 2)
	waitSize(t, members[1], 2)
	members[1].Stop(true)
	waitSize(t, members[0], 1)
}

// TestEtcdUnreachableFailsStart: a member whose etcd does not answer fails to start
// with an error within its dial timeout (upstream waited on etcd without a deadline
// and protoactor panics when a provider fails).
func TestEtcdUnreachableFailsStart(t *testing.T) {
	port := freePort(t)
	start := time.Now()
	cfg := etcdMemberConfig(fmt.Sprintf("etcd-down-%d", time.Now().UnixNano()), "/onecode_down", []string{fmt.Sprintf("127.0.0.1:%d", port)})
	cfg.Etcd.DialTimeout = time.Second
	m, err := StartMember(context.Background(), cfg)
	if err == nil {
		m.Stop(false)
		t.Fatal("a member started without its etcd")
	}
	if !strings.Contains(err.Error(), "did not start") {
		t.Errorf("got error %v, want one saying the member did not start", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("start failed after %s, want within a few dial timeouts", d)
	}
}

func waitSize(t *testing.T, m *Member, want int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for m.Size() != want {
		if time.Now().After(deadline) {
			t.Fatalf("member %s sees %d members, want %d", m.ID(), m.Size(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
