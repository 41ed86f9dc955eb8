package cache

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Bounds enforced by every implementation.
const (
	MaxKeyLen = 512                  // bytes in a key
	MaxValue  = 64 << 10             // bytes in a value
	MaxTTL    = 400 * 24 * time.Hour // longest TTL (and rate limit period)
	MaxRate   = 1_000_000            // events per period, at most
)

// Errors. Check them with errors.Is.
var (
	// ErrNotFound: the key does not exist or has expired.
	ErrNotFound = errors.New("cache: not found")
	// ErrInvalid: a bad key, value, TTL or limit, or Incr on a value that is
	// not an integer. Nothing was written.
	ErrInvalid = errors.New("cache: invalid request")
	// ErrUnavailable: the backing server could not be reached or failed; the
	// operation may or may not have been applied.
	ErrUnavailable = errors.New("cache: unavailable")
)

// KV is a key/value store where every value expires.
type KV interface {
	// Set stores value under key for ttl (> 0), replacing any value.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetNX stores value under key for ttl only if key is absent, and
	// reports whether it did.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Get returns the value under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes key and reports whether it existed. Of concurrent
	// Deletes of one key, one reports true: it can consume a one-time value.
	Delete(ctx context.Context, key string) (bool, error)
	// Incr adds one to the integer under key and returns the new value. An
	// absent key counts from 0 and expires ttl after this first Incr (the
	// window does not slide); an existing key keeps its expiry.
	Incr(ctx context.Context, key string, ttl time.Duration) (int64, error)
}

// Limit is a rate: Rate events per Period, with bursts of up to Burst.
// It is enforced as GCRA (a leaky bucket): one event is allowed every
// Period/Rate on average, and up to Burst at once after a quiet time.
type Limit struct {
	Rate   int
	Burst  int
	Period time.Duration
}

// PerMinute is n events a minute, n at once.
func PerMinute(n int) Limit { return Limit{Rate: n, Burst: n, Period: time.Minute} }

// Result is the answer of Allow.
type Result struct {
	Allowed bool
	// RetryAfter is how long until the next event is allowed; 0 when allowed.
	RetryAfter time.Duration
	// Remaining is how many more events would be allowed right now.
	Remaining int
}

// Limiter counts events per key.
type Limiter interface {
	// Allow records one event for key if limit allows it. A denied event is
	// not recorded.
	Allow(ctx context.Context, key string, limit Limit) (Result, error)
}

// Cache is both.
type Cache interface {
	KV
	Limiter
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// ValidateKey checks a key: 1..MaxKeyLen bytes.
func ValidateKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return invalid("key of %d bytes, want 1..%d", len(key), MaxKeyLen)
	}
	return nil
}

// ValidateTTL checks a TTL: at least a millisecond, at most MaxTTL.
func ValidateTTL(ttl time.Duration) error {
	if ttl < time.Millisecond || ttl > MaxTTL {
		return invalid("ttl %v, want %v..%v", ttl, time.Millisecond, MaxTTL)
	}
	return nil
}

func validateSet(key string, value []byte, ttl time.Duration) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if len(value) > MaxValue {
		return invalid("value of %d bytes, want at most %d", len(value), MaxValue)
	}
	return ValidateTTL(ttl)
}

// ValidateLimit checks a limit.
func ValidateLimit(l Limit) error {
	switch {
	case l.Rate < 1 || l.Rate > MaxRate:
		return invalid("rate %d, want 1..%d", l.Rate, MaxRate)
	case l.Burst < 1 || l.Burst > MaxRate:
		return invalid("burst %d, want 1..%d", l.Burst, MaxRate)
	case l.Period < time.Millisecond || l.Period > MaxTTL:
		return invalid("period %v, want %v..%v", l.Period, time.Millisecond, MaxTTL)
	}
	return nil
}
