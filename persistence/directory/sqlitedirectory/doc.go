// Package sqlitedirectory is the embedded SQLite directory.Store, used by a
// single-node `onecode serve` with no external services.
//
// It uses modernc.org/sqlite (pure Go) in WAL mode with foreign keys on and
// every transaction BEGIN IMMEDIATE, so a transaction that reads before it
// writes never fails half-way on a lock upgrade. Migrations are embedded and
// applied at Open, recorded in directory_migrations so that the directory
// can share a database file with the journal. SQLite has one writer at a
// time, so an outbox claim is a single UPDATE … RETURNING that no other
// claimer can interleave with; the lease keeps claimed rows off afterwards.
package sqlitedirectory
