package pgjournal_test

import (
	"context"
	"testing"

	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/journal/journaltest"
	"github.com/onecode/onecode/persistence/journal/pgjournal"
	"github.com/onecode/onecode/persistence/pgtest"
)

func open(t testing.TB) *pgjournal.Store {
	t.Helper()
	s, err := pgjournal.Open(context.Background(), pgtest.DSN(t), pgjournal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	journaltest.Run(t, func(t *testing.T) journal.Store { return open(t) })
}

func TestMigrationsIdempotent(t *testing.T) {
	dsn := pgtest.DSN(t)
	for range 2 {
		s, err := pgjournal.Open(context.Background(), dsn, pgjournal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
	}
}
