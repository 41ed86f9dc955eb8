// Package orderstest is the conformance suite every orders.Store passes: idempotent
// creation by (parent, request id), a cap check serialised per account, optimistic
// state transitions, the pending sum and the bounded list of orders to resolve are
// written down once here and run against each implementation.
package orderstest
