package actors

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/persistence/journal"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// seedAccounts writes n accounts of events events each straight into the journal (through
// the same decide/encode path as the grain), with a snapshot every snapshotEvery events.
func seedAccounts(b testing.TB, deps *AccountDeps, prefix string, n, events int) []string {
	b.Helper()
	ctx := context.Background()
	ids := make([]string, n)
	batch := make([]journal.Append, 0, 256)
	flush := func() {
		for i, err := range deps.Store.AppendBatch(ctx, batch) {
			if err != nil {
				b.Fatalf("seed append %d: %v", i, err)
			}
		}
		batch = batch[:0]
	}
	for a := range ids {
		ids[a] = fmt.Sprintf("%s-%05d", prefix, a)
		c := newAccountCore(ids[a], deps)
		reqs := []*grainv1.ExecuteRequest{openReqCap("open", 0), rechargeReq("ord-"+ids[a], 1_000_000)}
		for i := 0; len(reqs) < events; i++ {
			reqs = append(reqs, purchaseReq(fmt.Sprintf("T1:%d", i), 100, false))
		}
		for _, req := range reqs {
			cmd, err := codec.Command(c.id, req)
			if err != nil {
				b.Fatal(err)
			}
			dec, err := account.Decide(c.state, cmd, deps.Now())
			if err != nil {
				b.Fatalf("seed decide: %v", err)
			}
			next := c.state
			for _, e := range dec.Events {
				next = account.Apply(next, e)
			}
			app, err := c.appendFor(cmd, dec, next)
			if err != nil {
				b.Fatal(err)
			}
			batch = append(batch, app)
			c.state = next
			if len(batch) == cap(batch) {
				flush()
			}
		}
	}
	flush()
	return ids
}

func percentile(d []time.Duration, p int) time.Duration {
	slices.Sort(d)
	return d[(len(d)-1)*p/100]
}

// BenchmarkColdLoad is the journal part of an activation: the latest snapshot and a
// 20-event tail of an account of 120 events, from PostgreSQL.
//
//	go test -run '^$' -bench ColdLoad -benchtime 2000x ./actors/
func BenchmarkColdLoad(b *testing.B) {
	deps, _ := newTestDeps(b, 100)
	ids := seedAccounts(b, deps, "cold", 500, 120)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := newAccountCore(ids[i%len(ids)], deps)
		start := time.Now()
		if err := c.load(context.Background()); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if c.state.Seq != 120 {
			b.Fatalf("loaded at seq %d, want 120", c.state.Seq)
		}
	}
	b.ReportMetric(float64(percentile(lat, 50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(percentile(lat, 99).Microseconds()), "p99-µs")
}

// BenchmarkActivation activates accounts of 120 events through the real cluster (the
// first GetState spawns the grain and loads it) and reports the activation latency and
// the heap each active account holds.
//
//	go test -run '^$' -bench Activation -benchtime 2000x ./actors/
func BenchmarkActivation(b *testing.B) {
	deps, _ := newTestDeps(b, 100)
	ids := seedAccounts(b, deps, "act", b.N, 120)
	m := startTestMember(b, NewAccountKind(deps))
	accts := NewAccounts(m.Cluster, 5*time.Second, 3)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for _, id := range ids {
		start := time.Now()
		st, err := accts.State(context.Background(), id)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if st.GetSeq() != 120 {
			b.Fatalf("%s activated at seq %d", id, st.GetSeq())
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(percentile(lat, 50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(percentile(lat, 99).Microseconds()), "p99-µs")
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "heap-B/account")
}
