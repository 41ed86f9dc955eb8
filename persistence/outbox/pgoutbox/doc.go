// Package pgoutbox is the outbox.Store of a cluster, on PostgreSQL: members
// claim with FOR UPDATE SKIP LOCKED under a lease, so no two members hold the
// same notice while its lease runs.
package pgoutbox
