package sqlitejournal_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/journal/journaltest"
	"github.com/onecode/onecode/persistence/journal/sqlitejournal"
)

func TestConformance(t *testing.T) {
	journaltest.Run(t, func(t *testing.T) journal.Store {
		s, err := sqlitejournal.Open(context.Background(), filepath.Join(t.TempDir(), "journal.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	for range 2 {
		s, err := sqlitejournal.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
