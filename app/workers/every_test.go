package workers

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestEveryPausesAsEachRoundAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var at []time.Duration
		start := time.Now()
		done := make(chan struct{})
		go func() {
			defer close(done)
			Every(ctx, func(context.Context) time.Duration {
				at = append(at, time.Since(start))
				if len(at) < 3 {
					return 0 // a full batch: again at once
				}
				return time.Hour
			})
		}()
		time.Sleep(2*time.Hour + time.Minute)
		synctest.Wait()
		cancel()
		<-done
		want := []time.Duration{0, 0, 0, time.Hour, 2 * time.Hour}
		if len(at) != len(want) {
			t.Fatalf("rounds at %v, want %v", at, want)
		}
		for i := range want {
			if at[i] != want[i] {
				t.Fatalf("rounds at %v, want %v", at, want)
			}
		}
	})
}
