package pgfees_test

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/fees"
	"github.com/onecode/onecode/persistence/fees/feestest"
	"github.com/onecode/onecode/persistence/fees/pgfees"
	"github.com/onecode/onecode/persistence/pgtest"
)

func TestConformance(t *testing.T) {
	feestest.Run(t, func(t *testing.T, now func() time.Time) fees.Store {
		s, err := pgfees.Open(context.Background(), pgtest.DSN(t), pgfees.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	dsn := pgtest.DSN(t)
	for range 2 {
		s, err := pgfees.Open(context.Background(), dsn, pgfees.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
	}
}
