package access

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/cache"
)

func TestCheckRate(t *testing.T) {
	m, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	limit := cache.Limit{Rate: 2, Burst: 2, Period: time.Minute}
	for i := range 2 {
		if err := CheckRate(ctx, m, "k", limit); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	err = CheckRate(ctx, m, "k", limit)
	e, ok := reason.As(err)
	if !ok || e.Kind != reason.KindResourceExhausted || e.Code != reason.RateLimited || e.RetryAfter < time.Second ||
		e.Meta["retry_after_seconds"] == "" {
		t.Fatalf("over the limit: %#v", err)
	}
	if err := CheckRate(ctx, m, "other", limit); err != nil {
		t.Errorf("another key: %v", err)
	}
}

func TestRateLimitedError(t *testing.T) {
	for _, tc := range []struct {
		in       time.Duration
		wantSecs string
		wantMsg  string
		want     time.Duration
	}{
		{0, "1", "too many requests: retry in 1 s", time.Second},
		{1500 * time.Millisecond, "2", "too many requests: retry in 2 s", 2 * time.Second},
		{time.Minute, "60", "too many requests: retry in 60 s", time.Minute},
	} {
		e := RateLimitedError(tc.in)
		if e.Meta["retry_after_seconds"] != tc.wantSecs || e.Msg != tc.wantMsg || e.RetryAfter != tc.want {
			t.Errorf("RateLimitedError(%v) = %+v, want %s s", tc.in, e, tc.wantSecs)
		}
	}
}
