// Package account provides the rules of a pupil's account as pure
// functions over state, commands and events.
//
// It exists so that every money rule of OneCode (purchase, arrears, void,
// recharge, card loss and re-issue, limits, fees, subsidies, idempotency)
// lives in one place, without I/O, clocks or randomness, and can be tested
// exhaustively. The actor that owns an account (actors/) is a thin loop:
//
//	d, err := account.Decide(state, cmd, now)   // declines are typed errors
//	journal.Append(d.Events)                    // durable first
//	for _, e := range d.Events { state = account.Apply(state, e) }
//
// State is rebuilt by folding Apply over the journal; Postings turns each
// event into balanced ledger postings; Fingerprint and Replay implement
// idempotency over the store's (key → fingerprint, outcome) table.
//
// Choices made here:
//   - Card expiry and daily caps use the Asia/Shanghai calendar day (UTC+8).
//     A card is valid through its expiry day.
//   - A Limits.DailySpendCap of 0 means no daily cap. ArrearsCap 0 means no
//     arrears. SingleRechargeMax and BalanceCap must be positive.
//   - The school may not lower ArrearsCap below the pupil's current debt
//     (ErrArrearsCapBelowDebt), so Balance >= -ArrearsCap always holds and
//     can be a database constraint too.
//   - A presented card matches only if both its random and its expiry equal
//     the current card's; re-issue refuses every random the account has
//     ever used (ErrRandomReused), so an old printed QR can never become
//     valid again.
//   - A void is accepted within VoidWindow (10 minutes) of the purchase,
//     only from the purchase's terminal, among the last MaxRecentPurchases
//     purchases. It refunds the balance and, if the purchase counted
//     towards the current cap day, the daily spend.
//   - Declines produce no events and are not remembered: retrying a declined
//     key decides afresh.
package account
