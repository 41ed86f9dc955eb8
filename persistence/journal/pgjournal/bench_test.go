package pgjournal_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/journal"
)

const benchParallelism = 64 // goroutines per GOMAXPROCS: 128 callers on 2 cores

func purchase(account string, expected int64) journal.Append {
	return journal.Append{
		Account: account, ExpectedSeq: expected,
		IdemKey: fmt.Sprintf("pay-%d", expected+1), Fingerprint: "fp", Outcome: []byte("approved"),
		Events: []journal.Event{{
			Type: "Purchased", Data: make([]byte, 96), At: time.Now(), Amount: -1250, Merchant: "canteen-1",
			Postings: []journal.Posting{{Ledger: "wallet", Amount: -1250}, {Ledger: "canteen", Amount: 1250}},
		}},
	}
}

// benchAppends runs b.N appends from many goroutines, each on accounts of
// its own, through appendFn, and reports appends/s.
func benchAppends(b *testing.B, appendFn func(context.Context, journal.Append) error) {
	var worker atomic.Int64
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		id := worker.Add(1)
		const accounts = 4
		var seq [accounts]int64
		for i := 0; pb.Next(); i++ {
			a := i % accounts
			if err := appendFn(context.Background(), purchase(fmt.Sprintf("pupil-%d-%d", id, a), seq[a])); err != nil {
				b.Error(err)
				return
			}
			seq[a]++
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "appends/s")
}

func BenchmarkAppendBatched(b *testing.B) {
	s := open(b)
	defer s.Close()
	w, err := journal.NewWriter(s, journal.WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	benchAppends(b, w.Append)
}

func BenchmarkAppendUnbatched(b *testing.B) {
	s := open(b)
	defer s.Close()
	benchAppends(b, func(ctx context.Context, a journal.Append) error {
		return s.AppendBatch(ctx, []journal.Append{a})[0]
	})
}

// BenchmarkLoad: cold activation read of a snapshot plus a 50-event tail.
func BenchmarkLoad(b *testing.B) {
	s := open(b)
	defer s.Close()
	ctx := context.Background()
	first := purchase("pupil", 0)
	first.Snapshot = &journal.Snapshot{Seq: 1, Data: make([]byte, 512)}
	appends := []journal.Append{first}
	for i := range int64(50) {
		appends = append(appends, purchase("pupil", i+1))
	}
	for i, err := range s.AppendBatch(ctx, appends) {
		if err != nil {
			b.Fatalf("setup append %d: %v", i, err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		snap, tail, err := s.Load(ctx, "pupil")
		if err != nil || snap == nil || len(tail) != 50 {
			b.Fatalf("got snapshot %v, %d events, %v; want a snapshot and 50", snap, len(tail), err)
		}
	}
}
