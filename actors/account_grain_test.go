package actors

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster"

	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

func startTestMember(t testing.TB, kinds ...*cluster.Kind) *Member {
	t.Helper()
	m, err := StartMember(context.Background(), MemberConfig{
		Name: fmt.Sprintf("test-%d", time.Now().UnixNano()), Provider: ProviderSingle, Host: "127.0.0.1",
		RequestTimeout: 5 * time.Second, ConsensusTimeout: 20 * time.Second, Kinds: kinds,
	})
	if err != nil {
		t.Fatalf("start member: %v", err)
	}
	t.Cleanup(func() { m.Stop(true) })
	return m
}

// TestAccountGrainThroughCluster runs commands through the real cluster (kind, identity
// lookup, generated grain client) with concurrent callers on many accounts.
func TestAccountGrainThroughCluster(t *testing.T) {
	deps, _ := newTestDeps(t, 10)
	m := startTestMember(t, NewAccountKind(deps))
	accts := NewAccounts(m.Cluster, 5*time.Second, 3)
	ctx := context.Background()

	const accounts, buys = 20, 15
	var wg sync.WaitGroup
	errs := make(chan error, accounts)
	for a := 0; a < accounts; a++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("acc-%02d", a)
			for _, req := range append(
				[]*grainv1.ExecuteRequest{openReqCap("open", 0), rechargeReq("ord-"+id, 10000)},
				purchases(id, buys)...) {
				resp, err := accts.Execute(ctx, id, req)
				if err != nil {
					errs <- fmt.Errorf("%s %s: %w", id, req.GetIdemKey(), err)
					return
				}
				if resp.GetAccepted() == nil {
					errs <- fmt.Errorf("%s %s declined: %v", id, req.GetIdemKey(), resp.GetDeclined())
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for a := 0; a < accounts; a++ {
		id := fmt.Sprintf("acc-%02d", a)
		st, err := accts.State(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(10000 - buys*100); st.GetBalanceFen() != want {
			t.Fatalf("%s balance %d, want %d", id, st.GetBalanceFen(), want)
		}
		verifyJournal(t, deps, id, 10000-buys*100)
	}
	// A duplicate through the cluster answers the stored outcome.
	resp, err := accts.Execute(ctx, "acc-00", purchaseReq("acc-00:0", 100, false))
	if err != nil || !resp.GetAccepted().GetReplayed() {
		t.Fatalf("duplicate: %v %v, want replayed", resp, err)
	}
}

func purchases(id string, n int) []*grainv1.ExecuteRequest {
	out := make([]*grainv1.ExecuteRequest, n)
	for i := range out {
		out[i] = purchaseReq(fmt.Sprintf("%s:%d", id, i), 100, false)
	}
	return out
}

// TestAccountPassivation: an idle activation stops itself (our passivation, not
// protoactor's receive timeout) and the next call activates the account again from the
// journal with its state intact.
func TestAccountPassivation(t *testing.T) {
	deps, clock := newTestDeps(t, 100)
	deps.IdleTimeout = 40 * time.Millisecond
	deps.Stats = &AccountStats{}
	m := startTestMember(t, NewAccountKind(deps))
	accts := NewAccounts(m.Cluster, 5*time.Second, 3)
	ctx := context.Background()
	for _, req := range []*grainv1.ExecuteRequest{openReqCap("open", 0), rechargeReq("o1", 500)} {
		if _, err := accts.Execute(ctx, "acc-idle", req); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(time.Second) // the activation is now idle past its timeout
	deadline := time.Now().Add(10 * time.Second)
	for deps.Stats.Passivated.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("idle activation was not passivated")
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline, not synchronisation by sleep
	}
	st, err := accts.State(ctx, "acc-idle")
	if err != nil {
		t.Fatal(err)
	}
	if st.GetBalanceFen() != 500 {
		t.Fatalf("balance after reactivation %d, want 500", st.GetBalanceFen())
	}
	if got := deps.Stats.Activated.Load(); got != 2 {
		t.Fatalf("activations %d, want 2 (one before, one after passivation)", got)
	}
}
