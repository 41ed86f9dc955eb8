// Package orders keeps the online-payment orders (a wallet recharge or a fee bill's
// payment, the order's purpose): what OneCode asked the payment provider for, on
// whose behalf, with which merchant, and how far each order got (pending → awaiting payment →
// credited, or closed / failed; the state machine itself is domain/order).
//
// An order is written before the aggregator is called (DESIGN.md §4), so that a
// timeout, a crash or a lost answer always leaves a row for the resolver to query.
// The money itself never lives here: a paid order is credited to the Account grain
// under the order id as idempotency key, and only then moved to credited. The sum of
// the open recharge orders of an account (PendingSum) is the "pending" of the
// balance-cap check (seed 1 §4.2); the open orders of one bill (OpenForBill) keep a
// bill from being ordered twice.
//
// Store is implemented by pgorders (PostgreSQL) and sqliteorders (embedded SQLite);
// orderstest is the conformance suite both pass. Validate runs before every write and
// the database constraints check the same invariants again.
package orders
