// Package journaltest is the conformance suite every journal.Store passes.
// The semantics that make the journal the money truth (sequence fence,
// idempotency, per-append isolation within a batch, bad input rejected
// with nothing written) are written down once here and run against each
// implementation.
package journaltest
