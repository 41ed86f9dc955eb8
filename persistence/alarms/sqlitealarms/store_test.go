package sqlitealarms_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/onecode/onecode/persistence/alarms"
	"github.com/onecode/onecode/persistence/alarms/alarmstest"
	"github.com/onecode/onecode/persistence/alarms/sqlitealarms"
)

func TestConformance(t *testing.T) {
	alarmstest.Run(t, func(t *testing.T) alarms.Store {
		s, err := sqlitealarms.Open(context.Background(), filepath.Join(t.TempDir(), "onecode.db"), sqlitealarms.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onecode.db")
	for range 2 {
		s, err := sqlitealarms.Open(context.Background(), path, sqlitealarms.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
	}
}
