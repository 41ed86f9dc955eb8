package pgoutbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/outboxtest"
	"github.com/onecode/onecode/persistence/outbox/pgoutbox"
	"github.com/onecode/onecode/persistence/pgtest"
)

func TestConformance(t *testing.T) {
	outboxtest.Run(t, func(t *testing.T, now func() time.Time) outbox.Store {
		s, err := pgoutbox.Open(context.Background(), pgtest.DSN(t), pgoutbox.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	dsn := pgtest.DSN(t)
	for range 2 {
		s, err := pgoutbox.Open(context.Background(), dsn, pgoutbox.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
	}
}

func TestPreferences(t *testing.T) {
	outboxtest.RunPreferences(t, func(t *testing.T, now func() time.Time) outbox.PreferenceStore {
		s, err := pgoutbox.Open(context.Background(), pgtest.DSN(t), pgoutbox.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestDeliveries(t *testing.T) {
	outboxtest.RunDeliveries(t, func(t *testing.T, now func() time.Time) outboxtest.DeliveryStore {
		s, err := pgoutbox.Open(context.Background(), pgtest.DSN(t), pgoutbox.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
