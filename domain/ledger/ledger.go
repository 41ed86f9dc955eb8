package ledger

import "github.com/onecode/onecode/domain/money"

// ID names a ledger account, e.g. "wallet:A123". IDs are built only by the
// constructors below so that their spelling is stable storage.
type ID string

// AggregatorClearing is the single ledger account through which online
// payments (recharges and fees) enter the system.
const AggregatorClearing ID = "aggregator-clearing"

// Wallet is the ledger account of a pupil's account (its balance).
func Wallet(accountID string) ID { return ID("wallet:" + accountID) }

// Merchant is the ledger account of a canteen, credited by purchases.
func Merchant(canteenID string) ID { return ID("merchant:" + canteenID) }

// FeeIncome is the ledger account of a school's fee (学杂费) income.
func FeeIncome(schoolID string) ID { return ID("fee-income:" + schoolID) }

// FeeCash is the ledger account of the cash (and bank transfers) a school's finance
// staff take for fees at the desk (线下登记).
func FeeCash(schoolID string) ID { return ID("fee-cash:" + schoolID) }

// SubsidyFund is the ledger account of a school's subsidy fund, debited
// when a subsidy is granted to a pupil.
func SubsidyFund(schoolID string) ID { return ID("subsidy-fund:" + schoolID) }

// Posting is one leg of a double-entry record. Amount > 0 credits Account,
// Amount < 0 debits it (see the package documentation).
type Posting struct {
	Account ID
	Amount  money.Amount
}

// Transfer returns the two postings that move amount from one ledger
// account to another: from is debited, to is credited. A negative amount
// is a transfer in the other direction.
func Transfer(from, to ID, amount money.Amount) []Posting {
	return []Posting{{Account: from, Amount: -amount}, {Account: to, Amount: amount}}
}

// Sum returns the sum of the postings' amounts, or money.ErrOverflow.
func Sum(ps []Posting) (money.Amount, error) {
	var total money.Amount
	for _, p := range ps {
		var err error
		if total, err = total.Add(p.Amount); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// SumFor returns the sum of the postings on one ledger account, that is
// its balance if ps is its whole history; or money.ErrOverflow.
func SumFor(ps []Posting, account ID) (money.Amount, error) {
	var total money.Amount
	for _, p := range ps {
		if p.Account != account {
			continue
		}
		var err error
		if total, err = total.Add(p.Amount); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// Balanced reports whether the postings sum to zero without overflow. An
// empty set is balanced.
func Balanced(ps []Posting) bool {
	total, err := Sum(ps)
	return err == nil && total == 0
}
