package pgalarms_test

import (
	"context"
	"testing"

	"github.com/onecode/onecode/persistence/alarms"
	"github.com/onecode/onecode/persistence/alarms/alarmstest"
	"github.com/onecode/onecode/persistence/alarms/pgalarms"
	"github.com/onecode/onecode/persistence/pgtest"
)

func TestConformance(t *testing.T) {
	alarmstest.Run(t, func(t *testing.T) alarms.Store {
		s, err := pgalarms.Open(context.Background(), pgtest.DSN(t), pgalarms.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	dsn := pgtest.DSN(t)
	for range 2 {
		s, err := pgalarms.Open(context.Background(), dsn, pgalarms.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
	}
}
