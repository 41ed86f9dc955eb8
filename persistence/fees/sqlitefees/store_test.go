package sqlitefees_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/fees"
	"github.com/onecode/onecode/persistence/fees/feestest"
	"github.com/onecode/onecode/persistence/fees/sqlitefees"
)

func TestConformance(t *testing.T) {
	feestest.Run(t, func(t *testing.T, now func() time.Time) fees.Store {
		s, err := sqlitefees.Open(context.Background(), filepath.Join(t.TempDir(), "onecode.db"), sqlitefees.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onecode.db")
	for range 2 {
		s, err := sqlitefees.Open(context.Background(), path, sqlitefees.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
	}
}
