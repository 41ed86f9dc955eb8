// Package pgdirectory is the PostgreSQL directory.Store, used when OneCode
// runs as a cluster.
//
// It connects through pgxpool with a bounded pool. Migrations are embedded
// and applied at Open under a transaction-scoped advisory lock, recorded in
// directory_migrations so that the directory can share a database with the
// journal. The outbox is claimed with FOR UPDATE SKIP LOCKED plus a lease,
// so several senders on several members never send one message at once.
package pgdirectory
