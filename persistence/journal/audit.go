package journal

import (
	"context"
	"fmt"
)

// MaxAuditPage bounds one page of AuditAccounts or AuditEvents.
const MaxAuditPage = 1000

// AuditReader reads the journal for the wallet auditor (app/ops): the accounts in
// order and every event of one, postings included, with its latest snapshot. It
// only reads, on read connections (pgjournal's pool, sqlitejournal's query-only
// connections), so it never holds the writer. pgjournal and sqlitejournal
// implement it; journaltest checks both.
type AuditReader interface {
	// AuditAccounts returns up to limit account ids greater than after, ascending.
	AuditAccounts(ctx context.Context, after string, limit int) ([]string, error)
	// AuditEvents returns up to limit events of account with seq > afterSeq,
	// ascending, with their postings.
	AuditEvents(ctx context.Context, account string, afterSeq int64, limit int) ([]Event, error)
	// LatestSnapshot returns the account's latest snapshot, nil if none.
	LatestSnapshot(ctx context.Context, account string) (*Snapshot, error)
}

// ValidateAuditPage checks an audit page request.
func ValidateAuditPage(limit int) error {
	if limit < 1 || limit > MaxAuditPage {
		return fmt.Errorf("%w: audit page of %d, want 1..%d", ErrInvalid, limit, MaxAuditPage)
	}
	return nil
}
