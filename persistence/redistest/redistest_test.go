package redistest_test

import (
	"context"
	"testing"

	"github.com/onecode/onecode/persistence/redistest"
)

func TestClientPrefixIsolatedAndCleaned(t *testing.T) {
	ctx := context.Background()
	var key string
	var check func() int64
	t.Run("inner", func(t *testing.T) {
		c, prefix := redistest.Client(t)
		_, other := redistest.Client(t)
		if prefix == other {
			t.Fatalf("two clients got the same prefix %q", prefix)
		}
		key = prefix + "k"
		if err := c.Set(ctx, key, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		got, err := c.Get(ctx, key).Result()
		if err != nil || got != "v" {
			t.Fatalf("got %q, %v, want \"v\"", got, err)
		}
	})
	if key == "" {
		t.Skip("inner test skipped")
	}
	c, _ := redistest.Client(t)
	check = func() int64 { return c.Exists(ctx, key).Val() }
	if got := check(); got != 0 {
		t.Errorf("key %s exists after cleanup (%d)", key, got)
	}
}
