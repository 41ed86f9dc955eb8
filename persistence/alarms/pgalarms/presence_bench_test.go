package pgalarms_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/alarms"
	"github.com/onecode/onecode/persistence/alarms/pgalarms"
	"github.com/onecode/onecode/persistence/pgtest"
)

// BenchmarkBeat1000: one watcher check's write of 1000 terminals' beats (the
// terminals a member saw within one period), one transaction.
func BenchmarkBeat1000(b *testing.B) {
	s, err := pgalarms.Open(context.Background(), pgtest.DSN(b), pgalarms.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	beats := make([]alarms.Beat, 1000)
	t0 := time.Now()
	for i := range beats {
		beats[i] = alarms.Beat{TerminalID: "T-" + strconv.Itoa(i), SchoolID: "35001", Member: "m1", Online: true}
	}
	b.ResetTimer()
	for n := range b.N {
		for i := range beats {
			beats[i].LastSeen = t0.Add(time.Duration(n) * time.Second)
		}
		if err := s.Beat(context.Background(), beats); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSilent10k: one watcher check's read of the silent terminals among
// 10,000 (500 of them silent).
func BenchmarkSilent10k(b *testing.B) {
	ctx := context.Background()
	s, err := pgalarms.Open(ctx, pgtest.DSN(b), pgalarms.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	for k := range 10 {
		beats := make([]alarms.Beat, 1000)
		for i := range beats {
			id := k*1000 + i
			seen := now
			if id%20 == 0 {
				seen = now.Add(-time.Hour)
			}
			beats[i] = alarms.Beat{TerminalID: "T-" + strconv.Itoa(id), SchoolID: "35001", Member: "m1", Online: true, LastSeen: seen}
		}
		if err := s.Beat(ctx, beats); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		got, err := s.Silent(ctx, now.Add(-7*24*time.Hour), now.Add(-90*time.Second), alarms.MaxListLimit)
		if err != nil || len(got) != 500 {
			b.Fatalf("%d silent, %v", len(got), err)
		}
	}
}
