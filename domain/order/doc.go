// Package order is the life of an online recharge order (DESIGN.md §2 and §4): its
// states, the moves allowed between them, and what each answer of the payment
// aggregator (to a create, a query or a payment notification) moves an order to.
//
// It is pure: the stores (persistence/orders) refuse a move CanMove refuses, and the
// recharge use cases (app/recharge) ask Resolve and AfterCreate what to do, so that
// the rules live in one place and are tested as a table.
package order
