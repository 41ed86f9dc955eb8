package cache_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/cache/cachetest"
	"github.com/onecode/onecode/persistence/redistest"
)

func TestRedisConformance(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) cache.Cache {
		c, prefix := redistest.Client(t)
		r, err := cache.NewRedis(c, cache.RedisOptions{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
}

// TestRedisKeysCarryPrefix: every key written, rate limit states included,
// is under the prefix.
func TestRedisKeysCarryPrefix(t *testing.T) {
	ctx := context.Background()
	c, prefix := redistest.Client(t)
	r, err := cache.NewRedis(c, cache.RedisOptions{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	name := "unique-" + strings.TrimSuffix(prefix, ":")
	if err := r.Set(ctx, name+"-set", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Incr(ctx, name+"-incr", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Allow(ctx, name+"-rate", cache.PerMinute(5)); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(ctx, "*"+name+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Errorf("found keys %v, want 3", keys)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			t.Errorf("key %q lacks the prefix %q", k, prefix)
		}
	}
	if ttl := c.PTTL(ctx, prefix+"kv:"+name+"-incr").Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("counter TTL %v, want within a minute", ttl)
	}
}
