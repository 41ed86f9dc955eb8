// Package pgorders is the PostgreSQL orders.Store, used when OneCode runs on
// PostgreSQL (and so in cluster mode).
//
// It connects through pgxpool with a bounded pool. Migrations are embedded and
// applied at Open under a transaction-scoped advisory lock, recorded in
// orders_migrations so that the orders can share a database with the journal
// and the directory. Create takes a transaction-scoped advisory lock on the
// account, so the balance-cap check of two concurrent orders of one account
// (from two members, or two guardians) sees the other's pending amount.
package pgorders
