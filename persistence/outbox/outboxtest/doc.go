// Package outboxtest is the contract every outbox.Store meets: a dedupe key
// queues once, claims lease and never overlap, due times hold notices back, a
// notice ends once (sent, failed or withdrawn), receipts land on sent notices
// only, and a school's notices list newest first.
package outboxtest
