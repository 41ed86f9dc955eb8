package access

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/cache"
)

// CheckRate records one event under key and answers RateLimitedError when limit is
// exceeded (or the cache's error: limits fail closed).
func CheckRate(ctx context.Context, l cache.Limiter, key string, limit cache.Limit) error {
	r, err := l.Allow(ctx, key, limit)
	if err != nil {
		return err
	}
	if !r.Allowed {
		return RateLimitedError(r.RetryAfter)
	}
	return nil
}

// RateLimitedError is a call over a rate limit: kind ResourceExhausted, reason
// RATE_LIMITED, the wait in whole seconds (at least one) in RetryAfter and in the
// metadata "retry_after_seconds" (REST: error.meta.retry_after_seconds).
func RateLimitedError(retryAfter time.Duration) *reason.Error {
	secs := max(int64(math.Ceil(retryAfter.Seconds())), 1)
	return &reason.Error{Kind: reason.KindResourceExhausted, Code: reason.RateLimited,
		Msg:        fmt.Sprintf("too many requests: retry in %d s", secs),
		Meta:       map[string]string{"retry_after_seconds": strconv.FormatInt(secs, 10)},
		RetryAfter: time.Duration(secs) * time.Second}
}
