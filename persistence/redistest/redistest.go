package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultAddr is used when ONECODE_TEST_REDIS_ADDR is unset.
const DefaultAddr = "127.0.0.1:6379"

const (
	timeout       = 5 * time.Second
	scanCount     = 1000
	maxScanRounds = 100000 // bounds cleanup at ~10^8 keys
)

// Client returns a client and a prefix unique to this test ("onecode_t_<hex>:").
// Keys with that prefix are deleted and the client closed when the test
// ends. If the server is unreachable the test is skipped, or failed when
// services are required (CI).
func Client(t testing.TB) (*redis.Client, string) {
	t.Helper()
	addr := Addr()
	c := redis.NewClient(&redis.Options{
		Addr:         addr,
		DialTimeout:  timeout,
		ReadTimeout:  timeout,
		WriteTimeout: timeout,
		MaxRetries:   1,
	})
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		unavailable(t, err)
	}
	prefix := "onecode_t_" + randomHex(t, 8) + ":"
	t.Cleanup(func() {
		if err := deletePrefix(c, prefix); err != nil {
			t.Errorf("redistest: delete keys %s*: %v", prefix, err)
		}
		_ = c.Close()
	})
	return c, prefix
}

// Addr is the test Redis server: ONECODE_TEST_REDIS_ADDR, or DefaultAddr.
func Addr() string {
	if addr := os.Getenv("ONECODE_TEST_REDIS_ADDR"); addr != "" {
		return addr
	}
	return DefaultAddr
}

func deletePrefix(c *redis.Client, prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 4*timeout)
	defer cancel()
	var cursor uint64
	for range maxScanRounds {
		keys, next, err := c.Scan(ctx, cursor, prefix+"*", scanCount).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			if err := c.Unlink(ctx, keys...).Err(); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
	return context.DeadlineExceeded
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("redistest: random: %v", err)
	}
	return hex.EncodeToString(b)
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" || os.Getenv("ONECODE_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatalf("redistest: Redis unavailable and services are required (CI=true or ONECODE_TEST_REQUIRE_SERVICES=1): %v", err)
	}
	t.Skipf("redistest: Redis unavailable, skipping (set ONECODE_TEST_REQUIRE_SERVICES=1 to fail instead; ONECODE_TEST_REDIS_ADDR to point elsewhere): %v", err)
}
