// Package sqlitejournal is the embedded SQLite journal.Store used by the
// single-node default (`onecode serve` with no flags) and by tests without
// servers. Same semantics as pgjournal, checked by the same conformance
// suite.
//
// One writer connection (SQLite has one writer anyway) runs each batch in a
// BEGIN IMMEDIATE transaction with a savepoint per append, so one append's
// failure rolls back only that append. Readers use a separate pool. The
// database runs in WAL mode with synchronous=FULL: every commit syncs the
// WAL, so an acknowledged append survives power loss (NORMAL would only
// survive a process crash). busy_timeout covers other processes opening the
// same file. Times are stored as Unix microseconds; canteen days are UTC+8
// (see journal.CanteenZone).
package sqlitejournal
