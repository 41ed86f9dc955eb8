// Package fee provides the rules of school fee items (学杂费, seed 1 §5.1) and of the
// bills they create, as pure functions over values: no I/O, no clock, no randomness.
//
// # Where bill state that is money lives
//
// A fee item (title, category, amount per pupil, target, due day, whether the card
// balance may pay it, draft → published → closed) is a definition that staff edit; it
// moves no money and lives in a store (persistence/fees, one contract suite over
// PostgreSQL and SQLite).
//
// A bill — what one pupil owes for one item, and what was paid or exempted — is money,
// so it lives where money is serialized and journaled: in the pupil's Account grain
// (domain/account State.Bills), created and moved only by journaled account events,
// each under an idempotency key:
//
//	BillIssued           key "bill:<item>:<account>" — due amount, no money moves
//	BillPaidCash         cash of the school (ledger fee-cash:<school>) → fee income
//	BillPaidFromBalance  the pupil's wallet → fee income (only if the item allows it,
//	                     and only while the balance covers it: no arrears for fees)
//	BillExempted         reason + approving staff id; no money moves
//	BillClosed           the item was closed: no payment after it
//
// Why the grain: one pupil's bills are serialized with their wallet, so paying a bill
// from the balance is one decision over one state, under the journal's (account, seq)
// and (account, key) fences, with no distributed transaction. Nothing is shared
// between payers of one item: publishing to 5,000 pupils is 5,000 independent grain
// commands (bounded fan-out), and the evening rush of payments touches 5,000 grains,
// never one row or actor that every payer passes through. The per-item views
// (paid/unpaid per class) are read models: rows per bill written after each commit,
// guarded by the account sequence so a late writer never rolls a bill back, and
// rebuildable from the grains at any time.
//
// Rules (Bill.Pay, Bill.Exempt, Bill.Close): amounts are int64 fen and > 0;
// paid + exempted ≤ due, checked without overflow; no payment or exemption after the
// bill is closed; an exemption needs a reason and the id of the staff member who
// approved it.
package fee
