package sqlitejournal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/onecode/onecode/persistence/journal"
)

var _ journal.AuditReader = (*Store)(nil)

// AuditAccounts implements journal.AuditReader (on the query-only connections).
func (s *Store) AuditAccounts(ctx context.Context, after string, limit int) ([]string, error) {
	if err := journal.ValidateAuditPage(limit); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT account FROM events WHERE account > ? ORDER BY account LIMIT ?`,
		after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitejournal: audit accounts: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("sqlitejournal: audit accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AuditEvents implements journal.AuditReader: the events, then their postings,
// in one read transaction.
func (s *Store) AuditEvents(ctx context.Context, account string, afterSeq int64, limit int) ([]journal.Event, error) {
	if err := journal.ValidateAuditPage(limit); err != nil {
		return nil, err
	}
	if err := journal.ValidateAccount(account); err != nil {
		return nil, err
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlitejournal: audit events: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, `SELECT seq, type, data, at, amount, merchant FROM events
		WHERE account = ? AND seq > ? ORDER BY seq LIMIT ?`, account, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitejournal: audit events: %w", err)
	}
	events, err := scanEvents(rows)
	if err != nil || len(events) == 0 {
		return events, err
	}
	at := make(map[int64]int, len(events))
	for i, e := range events {
		at[e.Seq] = i
	}
	prow, err := tx.QueryContext(ctx, `SELECT seq, ledger, amount FROM postings
		WHERE account = ? AND seq BETWEEN ? AND ? ORDER BY seq, idx`, account, events[0].Seq, events[len(events)-1].Seq)
	if err != nil {
		return nil, fmt.Errorf("sqlitejournal: audit postings: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		var seq int64
		var p journal.Posting
		if err := prow.Scan(&seq, &p.Ledger, &p.Amount); err != nil {
			return nil, fmt.Errorf("sqlitejournal: audit postings: %w", err)
		}
		if i, ok := at[seq]; ok {
			events[i].Postings = append(events[i].Postings, p)
		}
	}
	return events, prow.Err()
}

// LatestSnapshot implements journal.AuditReader.
func (s *Store) LatestSnapshot(ctx context.Context, account string) (*journal.Snapshot, error) {
	if err := journal.ValidateAccount(account); err != nil {
		return nil, err
	}
	var snap journal.Snapshot
	err := s.r.QueryRowContext(ctx, "SELECT seq, data FROM snapshots WHERE account = ? ORDER BY seq DESC LIMIT 1",
		account).Scan(&snap.Seq, &snap.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitejournal: latest snapshot: %w", err)
	}
	return &snap, nil
}
