// Package sqliteorders is the embedded SQLite orders.Store, used by a single-node
// `onecode serve` with no external services.
//
// It uses modernc.org/sqlite (pure Go) in WAL mode with every transaction BEGIN
// IMMEDIATE: SQLite has one writer at a time, so the balance-cap check inside Create
// sees every pending order of the account. Migrations are embedded and applied at
// Open, recorded in orders_migrations so that the orders can share a database file
// with the journal and the directory.
package sqliteorders
