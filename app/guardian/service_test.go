package guardian

import (
	"crypto/rand"
	"testing"
	"time"
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
