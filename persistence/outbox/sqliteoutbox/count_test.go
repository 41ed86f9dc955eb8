package sqliteoutbox_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/outbox/outboxtest"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

func TestCountQueued(t *testing.T) {
	outboxtest.RunCount(t, func(t *testing.T, now func() time.Time) outboxtest.CountingStore {
		s, err := sqliteoutbox.Open(context.Background(), filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
