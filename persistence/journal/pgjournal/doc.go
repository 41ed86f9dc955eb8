// Package pgjournal is the PostgreSQL journal.Store: the production money
// truth. Appends from many accounts share one transaction with per-row
// conflict detection, so one account's conflict never fails the others;
// read models (canteen totals, ledger sums, wallet balances) are SQL
// aggregates over the journal, never rows updated per payment.
//
// An event is one row: a command's idempotency record rides on its first
// event and the double-entry postings are array columns (the views commands
// and postings show them as the tables they were before migration 0002). A
// batch is one INSERT … ON CONFLICT DO NOTHING and one COMMIT round trip.
//
// It uses a bounded pgxpool. Migrations are embedded and applied at Open under a transaction-scoped
// advisory lock. fsync and synchronous_commit stay on: an append is
// acknowledged only after COMMIT returned.
package pgjournal
