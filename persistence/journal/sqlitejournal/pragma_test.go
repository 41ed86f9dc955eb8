package sqlitejournal

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/onecode/onecode/persistence/migrate"
)

func TestDurabilityPragmas(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "j.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mode string
	var sync, fk, busy int
	if err := s.w.QueryRowContext(ctx, "SELECT * FROM pragma_journal_mode, pragma_synchronous, pragma_foreign_keys, pragma_busy_timeout").
		Scan(&mode, &sync, &fk, &busy); err != nil {
		t.Fatal(err)
	}
	want := int(migrate.SQLiteBusyTimeout.Milliseconds())
	if mode != "wal" || sync != 2 || fk != 1 || busy != want {
		t.Errorf("got journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d, want wal 2(FULL) 1 %d", mode, sync, fk, busy, want)
	}
}
