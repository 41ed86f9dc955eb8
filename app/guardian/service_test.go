package guardian

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/onecode/onecode/domain/reason"
)

func TestNewNeedsItsParts(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    Config
	}{
		{"nothing", Config{}},
		{"no code key", Config{HashIDNumber: func(string) ([]byte, error) { return nil, nil }, Now: time.Now, Rand: rand.Reader}},
	} {
		if _, err := New(tt.c); err == nil {
			t.Errorf("%s: New answered no error", tt.name)
		}
	}
}

func TestRateLimitedRoundsUp(t *testing.T) {
	e := rateLimited(1500 * time.Millisecond)
	if e.Kind != reason.KindResourceExhausted || e.Code != reason.RateLimited || e.Meta["retry_after_seconds"] != "2" || e.RetryAfter != 2*time.Second {
		t.Errorf("rateLimited(1.5s) = %+v", e)
	}
}
