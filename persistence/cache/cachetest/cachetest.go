package cachetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/cache"
)

// Run runs the suite; open returns a new, empty Cache for each subtest. The
// suite uses the real clock with short TTLs (Redis keeps its own time).
func Run(t *testing.T, open func(t *testing.T) cache.Cache) {
	tests := []struct {
		name string
		f    func(t *testing.T, c cache.Cache)
	}{
		{"SetGetDelete", testSetGetDelete},
		{"SetNX", testSetNX},
		{"Expiry", testExpiry},
		{"Incr", testIncr},
		{"ConcurrentIncrAndDelete", testConcurrent},
		{"Invalid", testInvalid},
		{"LimiterBurstThenDeny", testLimiterBurst},
		{"LimiterRecovers", testLimiterRecovers},
		{"LimiterConcurrent", testLimiterConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, open(t)) })
	}
}

var ctx = context.Background()

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v", what, err, want)
	}
}

func testSetGetDelete(t *testing.T, c cache.Cache) {
	_, err := c.Get(ctx, "session:a")
	wantErr(t, "get absent", err, cache.ErrNotFound)
	v := []byte(`{"kind":"staff"}`)
	must(t, c.Set(ctx, "session:a", v, time.Minute))
	v[0] = 'X' // the cache keeps its own copy
	got, err := c.Get(ctx, "session:a")
	must(t, err)
	if string(got) != `{"kind":"staff"}` {
		t.Errorf("got %q", got)
	}
	must(t, c.Set(ctx, "session:a", []byte("2"), time.Minute))
	if got, _ := c.Get(ctx, "session:a"); string(got) != "2" {
		t.Errorf("after overwrite got %q, want 2", got)
	}
	must(t, c.Set(ctx, "empty", nil, time.Minute))
	if got, err := c.Get(ctx, "empty"); err != nil || len(got) != 0 {
		t.Errorf("empty value: got %q, %v", got, err)
	}
	ok, err := c.Delete(ctx, "session:a")
	must(t, err)
	if !ok {
		t.Error("Delete of a present key reported false")
	}
	ok, err = c.Delete(ctx, "session:a")
	must(t, err)
	if ok {
		t.Error("second Delete reported true")
	}
	_, err = c.Get(ctx, "session:a")
	wantErr(t, "get deleted", err, cache.ErrNotFound)
}

func testSetNX(t *testing.T, c cache.Cache) {
	ok, err := c.SetNX(ctx, "ticket", []byte("first"), time.Minute)
	must(t, err)
	if !ok {
		t.Fatal("SetNX on an absent key reported false")
	}
	ok, err = c.SetNX(ctx, "ticket", []byte("second"), time.Minute)
	must(t, err)
	if ok {
		t.Error("SetNX on a present key reported true")
	}
	if got, _ := c.Get(ctx, "ticket"); string(got) != "first" {
		t.Errorf("got %q, want first", got)
	}
}

func testExpiry(t *testing.T, c cache.Cache) {
	must(t, c.Set(ctx, "short", []byte("v"), 150*time.Millisecond))
	must(t, c.Set(ctx, "long", []byte("v"), time.Minute))
	if _, err := c.Incr(ctx, "count", 150*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "short"); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	time.Sleep(400 * time.Millisecond)
	_, err := c.Get(ctx, "short")
	wantErr(t, "after expiry", err, cache.ErrNotFound)
	if ok, _ := c.Delete(ctx, "short"); ok {
		t.Error("Delete of an expired key reported true")
	}
	if _, err := c.Get(ctx, "long"); err != nil {
		t.Errorf("long-lived key: %v", err)
	}
	n, err := c.Incr(ctx, "count", time.Minute)
	must(t, err)
	if n != 1 {
		t.Errorf("Incr after expiry got %d, want 1 (a new window)", n)
	}
	ok, err := c.SetNX(ctx, "short", []byte("again"), time.Minute)
	if err != nil || !ok {
		t.Errorf("SetNX on an expired key: %v, %v", ok, err)
	}
}

func testIncr(t *testing.T, c cache.Cache) {
	for want := int64(1); want <= 3; want++ {
		n, err := c.Incr(ctx, "tries", 300*time.Millisecond)
		must(t, err)
		if n != want {
			t.Fatalf("Incr got %d, want %d", n, want)
		}
	}
	// Later increments do not extend the window.
	time.Sleep(150 * time.Millisecond)
	if n, _ := c.Incr(ctx, "tries", time.Hour); n != 4 {
		t.Errorf("Incr got %d, want 4", n)
	}
	time.Sleep(300 * time.Millisecond)
	_, err := c.Get(ctx, "tries")
	wantErr(t, "counter after its first TTL", err, cache.ErrNotFound)

	must(t, c.Set(ctx, "text", []byte("abc"), time.Minute))
	_, err = c.Incr(ctx, "text", time.Minute)
	wantErr(t, "Incr of text", err, cache.ErrInvalid)
	must(t, c.Set(ctx, "num", []byte("41"), time.Minute))
	if n, err := c.Incr(ctx, "num", time.Minute); err != nil || n != 42 {
		t.Errorf("Incr of 41 got %d, %v", n, err)
	}
	if got, _ := c.Get(ctx, "num"); string(got) != "42" {
		t.Errorf("Get after Incr got %q, want 42", got)
	}
}

// testConcurrent: concurrent Incr count every call; of concurrent Deletes
// exactly one wins.
func testConcurrent(t *testing.T, c cache.Cache) {
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				if _, err := c.Incr(ctx, "n", time.Minute); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got, _ := c.Get(ctx, "n"); string(got) != fmt.Sprint(workers*each) {
		t.Errorf("counter %q, want %d", got, workers*each)
	}
	for round := range 5 {
		key := fmt.Sprint("code:", round)
		must(t, c.Set(ctx, key, []byte("x"), time.Minute))
		var mu sync.Mutex
		won := 0
		for range workers {
			wg.Go(func() {
				ok, err := c.Delete(ctx, key)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Errorf("round %d: %d Deletes won, want 1", round, won)
		}
	}
}

func testInvalid(t *testing.T, c cache.Cache) {
	long := strings.Repeat("k", cache.MaxKeyLen+1)
	wantErr(t, "empty key", c.Set(ctx, "", nil, time.Minute), cache.ErrInvalid)
	wantErr(t, "long key", c.Set(ctx, long, nil, time.Minute), cache.ErrInvalid)
	wantErr(t, "no ttl", c.Set(ctx, "k", nil, 0), cache.ErrInvalid)
	wantErr(t, "huge ttl", c.Set(ctx, "k", nil, cache.MaxTTL+time.Second), cache.ErrInvalid)
	wantErr(t, "huge value", c.Set(ctx, "k", make([]byte, cache.MaxValue+1), time.Minute), cache.ErrInvalid)
	_, err := c.SetNX(ctx, "k", nil, -time.Second)
	wantErr(t, "SetNX negative ttl", err, cache.ErrInvalid)
	_, err = c.Get(ctx, "")
	wantErr(t, "Get empty key", err, cache.ErrInvalid)
	_, err = c.Delete(ctx, long)
	wantErr(t, "Delete long key", err, cache.ErrInvalid)
	_, err = c.Incr(ctx, "k", 0)
	wantErr(t, "Incr no ttl", err, cache.ErrInvalid)
	for _, l := range []cache.Limit{{}, {Rate: 1, Burst: 0, Period: time.Second}, {Rate: 1, Burst: 1}, {Rate: -1, Burst: 1, Period: time.Second}} {
		_, err := c.Allow(ctx, "k", l)
		wantErr(t, fmt.Sprintf("limit %+v", l), err, cache.ErrInvalid)
	}
	if _, err := c.Get(ctx, "k"); !errors.Is(err, cache.ErrNotFound) {
		t.Errorf("an invalid write wrote: Get got %v", err)
	}
}

func testLimiterBurst(t *testing.T, c cache.Cache) {
	l := cache.Limit{Rate: 3, Burst: 3, Period: time.Minute}
	for i := range 3 {
		r, err := c.Allow(ctx, "login:35001:alice", l)
		must(t, err)
		if !r.Allowed || r.RetryAfter != 0 || r.Remaining != 2-i {
			t.Errorf("event %d: got %+v, want allowed with %d remaining", i, r, 2-i)
		}
	}
	for range 2 {
		r, err := c.Allow(ctx, "login:35001:alice", l)
		must(t, err)
		if r.Allowed || r.Remaining != 0 || r.RetryAfter <= 0 || r.RetryAfter > 20*time.Second {
			t.Errorf("event over the burst: got %+v, want denied with a retry within 20s", r)
		}
	}
	r, err := c.Allow(ctx, "login:35001:bob", l)
	must(t, err)
	if !r.Allowed || r.Remaining != 2 {
		t.Errorf("another key: got %+v, want allowed with 2 remaining", r)
	}
	// Another limit on the same key name shares the state: callers put
	// the limit's purpose in the key.
}

func testLimiterRecovers(t *testing.T, c cache.Cache) {
	l := cache.Limit{Rate: 10, Burst: 1, Period: time.Second} // one every 100 ms
	if r, _ := c.Allow(ctx, "k", l); !r.Allowed {
		t.Fatalf("first event denied: %+v", r)
	}
	r, err := c.Allow(ctx, "k", l)
	must(t, err)
	if r.Allowed || r.RetryAfter > 100*time.Millisecond {
		t.Fatalf("second event at once: got %+v, want denied, retry within 100ms", r)
	}
	time.Sleep(r.RetryAfter + 30*time.Millisecond)
	if r, _ := c.Allow(ctx, "k", l); !r.Allowed {
		t.Errorf("after the retry-after: got %+v, want allowed", r)
	}
}

// testLimiterConcurrent: concurrent events on one key never pass the burst.
func testLimiterConcurrent(t *testing.T, c cache.Cache) {
	l := cache.Limit{Rate: 5, Burst: 5, Period: time.Hour}
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			r, err := c.Allow(ctx, "otp:day:abc", l)
			if err != nil {
				t.Error(err)
				return
			}
			if r.Allowed {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != 5 {
		t.Errorf("%d events allowed, want 5", allowed)
	}
}
