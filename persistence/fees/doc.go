// Package fees keeps the fee items (学杂费) staff define and the per-bill read model of
// who paid what.
//
// An item is a definition (title, category, amount per pupil, target, due day,
// whether the balance may pay it, draft → published → closed); it moves no money.
// The bills themselves are money and live in the pupils' Account grains (see
// domain/fee): the Bill rows here are a read model written after each committed
// grain command, guarded by the account sequence (a write with an older sequence
// changes nothing), so that staff can list paid/unpaid per class without waking
// thousands of grains. A lost write is repaired by the next command on that bill or
// by a re-run of publish, which re-reads every bill from its grain.
//
// Store is implemented over PostgreSQL (pgfees) and embedded SQLite (sqlitefees),
// both through sqlstore; feestest is the conformance suite both pass.
package fees
