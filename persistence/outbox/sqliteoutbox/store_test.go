package sqliteoutbox_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/outboxtest"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

func TestConformance(t *testing.T) {
	outboxtest.Run(t, func(t *testing.T, now func() time.Time) outbox.Store {
		s, err := sqliteoutbox.Open(context.Background(), filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	for range 2 {
		s, err := sqliteoutbox.Open(context.Background(), path, sqliteoutbox.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
	}
}

func TestPreferences(t *testing.T) {
	outboxtest.RunPreferences(t, func(t *testing.T, now func() time.Time) outbox.PreferenceStore {
		s, err := sqliteoutbox.Open(context.Background(), filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestDeliveries(t *testing.T) {
	outboxtest.RunDeliveries(t, func(t *testing.T, now func() time.Time) outboxtest.DeliveryStore {
		s, err := sqliteoutbox.Open(context.Background(), filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
