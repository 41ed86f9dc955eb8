package cache_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/cache/cachetest"
)

func TestMemoryConformance(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) cache.Cache {
		m, err := cache.NewMemory(cache.MemoryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	})
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newMemory(t *testing.T, max int) (*cache.Memory, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)}
	m, err := cache.NewMemory(cache.MemoryOptions{MaxEntries: max, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return m, clk
}

// TestMemoryBounded: no sequence of writes grows a table past MaxEntries;
// the least recently used entry goes first.
func TestMemoryBounded(t *testing.T) {
	ctx := context.Background()
	m, _ := newMemory(t, 100)
	for i := range 1000 {
		if err := m.Set(ctx, fmt.Sprint("k", i), []byte("v"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 { // keep k0 in use
			if _, err := m.Get(ctx, "k0"); err != nil {
				t.Fatalf("k0 evicted although recently used (i=%d)", i)
			}
		}
		if _, err := m.Allow(ctx, fmt.Sprint("ip", i), cache.PerMinute(5)); err != nil {
			t.Fatal(err)
		}
	}
	kv, rates := m.Len()
	if kv != 100 || rates != 100 {
		t.Errorf("Len got %d, %d, want 100, 100", kv, rates)
	}
	if _, err := m.Get(ctx, "k1"); err == nil {
		t.Error("k1 (least recently used) survived")
	}
	if _, err := m.Get(ctx, "k999"); err != nil {
		t.Errorf("k999 (newest): %v", err)
	}
}

// TestMemoryExpirySweeps: expired entries are dropped on later writes, so
// a quiet table does not keep dead entries forever.
func TestMemoryExpirySweeps(t *testing.T) {
	ctx := context.Background()
	m, clk := newMemory(t, 1000)
	for i := range 50 {
		_ = m.Set(ctx, fmt.Sprint("s", i), []byte("v"), time.Minute)
		_, _ = m.Allow(ctx, fmt.Sprint("r", i), cache.PerMinute(60)) // state lives one second
	}
	clk.advance(2 * time.Minute)
	for i := range 10 {
		_ = m.Set(ctx, fmt.Sprint("new", i), []byte("v"), time.Hour)
		_, _ = m.Allow(ctx, fmt.Sprint("rnew", i), cache.PerMinute(60))
	}
	if kv, rates := m.Len(); kv != 10 || rates != 10 {
		t.Errorf("Len got %d, %d, want 10, 10 (expired swept)", kv, rates)
	}
}

// TestMemoryGCRA follows a limit on the fake clock.
func TestMemoryGCRA(t *testing.T) {
	ctx := context.Background()
	m, clk := newMemory(t, 0)
	day := cache.Limit{Rate: 10, Burst: 10, Period: 24 * time.Hour}
	for i := range 10 {
		if r, _ := m.Allow(ctx, "phone", day); !r.Allowed || r.Remaining != 9-i {
			t.Fatalf("event %d: %+v", i, r)
		}
	}
	r, _ := m.Allow(ctx, "phone", day)
	if r.Allowed || r.RetryAfter != 144*time.Minute {
		t.Fatalf("11th: got %+v, want denied for 2h24m", r)
	}
	clk.advance(144 * time.Minute)
	if r, _ := m.Allow(ctx, "phone", day); !r.Allowed || r.Remaining != 0 {
		t.Errorf("after 2h24m: got %+v, want one allowed", r)
	}
	clk.advance(24 * time.Hour)
	if r, _ := m.Allow(ctx, "phone", day); !r.Allowed || r.Remaining != 9 {
		t.Errorf("a day later: got %+v, want a full burst again", r)
	}
}
