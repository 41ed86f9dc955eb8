package pgjournal

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/journal"
)

var _ journal.AuditReader = (*Store)(nil)

// AuditAccounts implements journal.AuditReader: a loose index scan of the
// primary key (one index probe per account, not a scan of every event).
func (s *Store) AuditAccounts(ctx context.Context, after string, limit int) ([]string, error) {
	if err := journal.ValidateAuditPage(limit); err != nil {
		return nil, err
	}
	var out []string
	err := s.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `WITH RECURSIVE a(account, n) AS (
				(SELECT account, 1 FROM events WHERE account > $1 ORDER BY account LIMIT 1)
				UNION ALL
				SELECT (SELECT e.account FROM events e WHERE e.account > a.account ORDER BY e.account LIMIT 1), a.n + 1
				  FROM a WHERE a.account IS NOT NULL AND a.n < $2)
			SELECT account FROM a WHERE account IS NOT NULL`, after, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pgjournal: audit accounts: %w", err)
	}
	return out, nil
}

// AuditEvents implements journal.AuditReader.
func (s *Store) AuditEvents(ctx context.Context, account string, afterSeq int64, limit int) ([]journal.Event, error) {
	if err := journal.ValidateAuditPage(limit); err != nil {
		return nil, err
	}
	if err := journal.ValidateAccount(account); err != nil {
		return nil, err
	}
	var out []journal.Event
	err := s.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT seq, type, data, at, amount, merchant, posting_ledgers, posting_amounts
			FROM events WHERE account = $1 AND seq > $2 ORDER BY seq LIMIT $3`, account, afterSeq, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (journal.Event, error) {
			var e journal.Event
			var ledgers []string
			var amounts []int64
			if err := row.Scan(&e.Seq, &e.Type, &e.Data, &e.At, &e.Amount, &e.Merchant, &ledgers, &amounts); err != nil {
				return e, err
			}
			for i := range min(len(ledgers), len(amounts)) {
				e.Postings = append(e.Postings, journal.Posting{Ledger: ledgers[i], Amount: amounts[i]})
			}
			return e, nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pgjournal: audit events: %w", err)
	}
	return out, nil
}

// LatestSnapshot implements journal.AuditReader.
func (s *Store) LatestSnapshot(ctx context.Context, account string) (*journal.Snapshot, error) {
	if err := journal.ValidateAccount(account); err != nil {
		return nil, err
	}
	var snap journal.Snapshot
	err := s.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT seq, data FROM snapshots WHERE account = $1 ORDER BY seq DESC LIMIT 1`,
			account).Scan(&snap.Seq, &snap.Data)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pgjournal: latest snapshot: %w", err)
	}
	return &snap, nil
}
