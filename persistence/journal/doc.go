// Package journal defines the event journal: the only money truth of OneCode.
//
// Every pupil account is an event-sourced grain. The grain appends the events
// it decided at the sequence it expects; the journal's unique (account, seq)
// and (account, idempotency key) are the real fence against a second
// activation of the same account and against retried commands. Events are
// opaque bytes to the journal, plus a few queryable columns (wallet amount,
// merchant, double-entry postings) that feed read models through SQL
// aggregates.
//
// Store is implemented by pgjournal (PostgreSQL) and sqlitejournal (embedded
// SQLite); journaltest is the conformance suite both pass. Writer groups
// appends from many grains into one transaction (group commit).
package journal
