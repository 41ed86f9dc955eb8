// Package recharge is the online recharge of DESIGN.md §2 and §4 (seed 1 §4.2) as use
// cases: a parent's order is checked against the single maximum and the balance cap
// first, written before the aggregator is called, credited to the Account grain once
// and only on a verified payment, and an open order whose outcome is unknown is
// resolved by query, never by a second order.
//
// It speaks Go types and typed errors (*reason.Error) and knows no transport: the
// aggregator is a port (Aggregator) that an outbound adapter implements
// (gateway/aggregator), and the signed HTTP notification is verified at the edge
// (gateway), which hands the payment to Service.Paid. The order state machine is
// domain/order's. Canteen payments never go through here.
package recharge
