package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/pgdirectory"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
	"github.com/onecode/onecode/persistence/fees"
	"github.com/onecode/onecode/persistence/fees/pgfees"
	"github.com/onecode/onecode/persistence/fees/sqlitefees"
	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/journal/pgjournal"
	"github.com/onecode/onecode/persistence/journal/sqlitejournal"
	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/pgoutbox"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// stores are the member's durable stores: the account journal (money truth) and the
// directory (schools, pupils, terminals, catalog, outbox).
type stores struct {
	kind      string
	journal   journal.Store
	writer    *journal.Writer
	directory directory.Store
	fees      fees.Store
	// outbox is the notices' durable outbox (issue 12); the directory's old
	// outbox table stays in place but nothing writes it any more.
	outbox outbox.Store
}

func (s *stores) Ping(ctx context.Context) error {
	_, err := s.journal.LedgerSum(ctx)
	return err
}

func (s *stores) Close() {
	if s.writer != nil {
		s.writer.Close()
	}
	if s.journal != nil {
		s.journal.Close()
	}
	if s.directory != nil {
		s.directory.Close()
	}
	if s.fees != nil {
		s.fees.Close()
	}
	if s.outbox != nil {
		s.outbox.Close()
	}
}

func openStores(ctx context.Context, cfg Config, logger *slog.Logger) (*stores, error) {
	st := &stores{}
	var err error
	if dsn := cfg.Server.PostgresDSN; dsn != "" {
		st.kind = "postgres"
		if err := ensureDatabase(ctx, dsn, logger); err != nil {
			return nil, err
		}
		if st.journal, err = pgjournal.Open(ctx, dsn, pgjournal.Options{MaxConns: cfg.Journal.MaxConns}); err != nil {
			return nil, fmt.Errorf("journal on postgres: %w", err)
		}
		if st.directory, err = pgdirectory.Open(ctx, dsn, pgdirectory.Options{}); err != nil {
			st.Close()
			return nil, fmt.Errorf("directory on postgres: %w", err)
		}
		if st.fees, err = pgfees.Open(ctx, dsn, pgfees.Options{}); err != nil {
			st.Close()
			return nil, fmt.Errorf("fees on postgres: %w", err)
		}
		if st.outbox, err = pgoutbox.Open(ctx, dsn, pgoutbox.Options{MaxConns: 8}); err != nil {
			st.Close()
			return nil, fmt.Errorf("outbox on postgres: %w", err)
		}
	} else {
		st.kind = "sqlite"
		if err := os.MkdirAll(cfg.Server.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		path := filepath.Join(cfg.Server.DataDir, "onecode.db")
		if st.journal, err = sqlitejournal.Open(ctx, path); err != nil {
			return nil, fmt.Errorf("journal %s: %w", path, err)
		}
		if st.directory, err = sqlitedirectory.Open(ctx, path, sqlitedirectory.Options{}); err != nil {
			st.Close()
			return nil, fmt.Errorf("directory %s: %w", path, err)
		}
		if st.fees, err = sqlitefees.Open(ctx, path, sqlitefees.Options{}); err != nil {
			st.Close()
			return nil, fmt.Errorf("fees %s: %w", path, err)
		}
		if st.outbox, err = sqliteoutbox.Open(ctx, path, sqliteoutbox.Options{}); err != nil {
			st.Close()
			return nil, fmt.Errorf("outbox %s: %w", path, err)
		}
		logger.Info("embedded store", slog.String("path", path))
	}
	st.writer, err = journal.NewWriter(st.journal, journal.WriterOptions{MaxBatch: cfg.Journal.MaxBatch, MaxDelay: writerDelay(cfg.Journal.MaxDelay), Flushers: cfg.Journal.Flushers})
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// loadKeyring reads the card keyring from dir, creating one on first start when create
// is set (single node and demo). Keys never reach the log.
func loadKeyring(dir string, create bool, logger *slog.Logger) (*card.Keyring, error) {
	ringPath, kekPath := filepath.Join(dir, "keyring.json"), filepath.Join(dir, "kek.pem")
	ring, err := os.ReadFile(ringPath)
	if errors.Is(err, fs.ErrNotExist) && create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("keys dir: %w", err)
		}
		r, kek, err := card.NewKeyring(rand.Reader, nowUTC())
		if err != nil {
			return nil, err
		}
		if err := writeNew(kekPath, kek); err != nil {
			return nil, err
		}
		if err := writeNew(ringPath, r); err != nil {
			return nil, err
		}
		logger.Info("created a card keyring", slog.String("dir", dir))
		ring = r
	} else if err != nil {
		return nil, fmt.Errorf("card keyring: %w (create one with: onecode keys init --out %s)", err, dir)
	}
	kek, err := os.ReadFile(kekPath)
	if err != nil {
		return nil, fmt.Errorf("card keyring: %w", err)
	}
	return card.LoadKeyring(ring, kek)
}

// loadSecret reads a 32-byte secret from path, creating it when create is set and
// it does not exist yet.
func loadSecret(path string, create bool) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !create {
		return nil, fmt.Errorf("%w (cluster members share one keys directory: onecode keys init --out DIR, then copy DIR to every member)", err)
	}
	if errors.Is(err, fs.ErrNotExist) {
		b = make([]byte, 32)
		if _, err := io.ReadFull(rand.Reader, b); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		return b, writeNew(path, b)
	}
	if err != nil {
		return nil, err
	}
	if len(b) < 32 {
		return nil, fmt.Errorf("%s: secret shorter than 32 bytes", path)
	}
	return b, nil
}

func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func nowUTC() time.Time { return time.Now().UTC() }

// writerDelay maps the config's max_delay (0: no wait) to the writer's option.
func writerDelay(d time.Duration) time.Duration {
	if d == 0 {
		return journal.NoDelay
	}
	return d
}
