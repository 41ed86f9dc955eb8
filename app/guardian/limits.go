package guardian

import (
	"context"

	"github.com/onecode/onecode/app/access"

	"github.com/onecode/onecode/persistence/cache"
)

var errNotCached = cache.ErrNotFound

func proofPupilKey(accountID string) string { return "rl:bind-proof:pupil:" + accountID }
func proofParentKey(parentID string) string { return "rl:bind-proof:parent:" + parentID }

// checkRate records one event under key and answers RATE_LIMITED over limit (or the
// cache's failure: limits fail closed), as every limit does (access.CheckRate).
func (s *Service) checkRate(ctx context.Context, key string, limit Limit) error {
	return access.CheckRate(ctx, s.c.Cache, key, limit)
}
