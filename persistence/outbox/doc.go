// Package outbox is the durable queue of notices (issue 12), apart from the
// directory: each notice has a dedupe key (a second Enqueue of the key answers
// the first notice, so a replayed cause queues nothing twice), a not-before
// time (quiet hours), a claim lease (members drain it together; a claim whose
// member died comes back when its lease runs out), and an end state: sent,
// failed with a reason, or withdrawn when its cause was withdrawn before it went
// out. Delivery receipts record delivered or undelivered on a sent notice.
//
// Implementations: pgoutbox (PostgreSQL) and sqliteoutbox (SQLite), held to the
// same contract by outboxtest.
package outbox
