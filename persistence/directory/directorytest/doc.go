// Package directorytest is the conformance suite every directory.Store
// passes. The semantics (all-or-nothing imports, immutable pupil keys,
// cursor pages, catalog versions that move only on change, an outbox that
// never hands one message to two claimers) are written down once here and
// run against each implementation.
package directorytest
