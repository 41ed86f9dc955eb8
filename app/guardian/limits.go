package guardian

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/cache"
)

var errNotCached = cache.ErrNotFound

func proofPupilKey(accountID string) string { return "rl:bind-proof:pupil:" + accountID }
func proofParentKey(parentID string) string { return "rl:bind-proof:parent:" + parentID }

// checkRate records one event under key and answers RATE_LIMITED over limit (or the
// cache's failure: limits fail closed).
func (s *Service) checkRate(ctx context.Context, key string, limit Limit) error {
	r, err := s.c.Cache.Allow(ctx, key, limit)
	if err != nil {
		return err
	}
	if !r.Allowed {
		return rateLimited(r.RetryAfter)
	}
	return nil
}

// rateLimited is RESOURCE_EXHAUSTED RATE_LIMITED with the wait in whole seconds in the
// metadata "retry_after_seconds" (as every limit of the edge answers).
func rateLimited(retryAfter time.Duration) *reason.Error {
	secs := max(int64(math.Ceil(retryAfter.Seconds())), 1)
	return &reason.Error{Kind: reason.KindResourceExhausted, Code: reason.RateLimited,
		Msg:        fmt.Sprintf("too many requests: retry in %d s", secs),
		Meta:       map[string]string{"retry_after_seconds": strconv.FormatInt(secs, 10)},
		RetryAfter: time.Duration(secs) * time.Second}
}
