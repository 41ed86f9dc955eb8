// Package ledger provides the double-entry vocabulary of OneCode: ledger
// account identifiers and postings.
//
// Every domain event that moves money is expressed as a set of postings
// whose amounts sum to zero, so that conservation of money can be checked
// mechanically: in the decision, in tests, and by the database.
//
// Sign convention: a posting's Amount is the change of that ledger
// account's balance as seen by its holder. Positive credits the account
// (value flows in), negative debits it (value flows out). Money flows from
// the negative postings to the positive ones. Hence:
//
//   - Wallet(a) balance = what the pupil's account holds (negative = arrears);
//   - Merchant(c) balance = what is owed to the canteen for meals;
//   - FeeIncome(s) balance = fees collected for the school;
//   - AggregatorClearing balance is negative: money the payment aggregator
//     collected from parents and has not yet settled;
//   - SubsidyFund(s) balance is negative: subsidies the school paid out.
package ledger
