package pgoutbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/outbox/outboxtest"
	"github.com/onecode/onecode/persistence/outbox/pgoutbox"
	"github.com/onecode/onecode/persistence/pgtest"
)

func TestCountQueued(t *testing.T) {
	outboxtest.RunCount(t, func(t *testing.T, now func() time.Time) outboxtest.CountingStore {
		s, err := pgoutbox.Open(context.Background(), pgtest.DSN(t), pgoutbox.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
