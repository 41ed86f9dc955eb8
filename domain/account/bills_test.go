package account

import (
	"errors"
	"slices"
	"testing"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/ledger"
	"github.com/onecode/onecode/domain/money"
)

func issue(item string, amount money.Amount, allowBalance bool) IssueBill {
	return IssueBill{IdemKey: fee.BillKey(item, testAccount), SchoolID: testSchool, ItemID: item,
		Amount: amount, DueDay: 20260331, AllowBalance: allowBalance}
}

func cash(key, item string, amount money.Amount) PayBillCash {
	return PayBillCash{IdemKey: key, ItemID: item, Amount: amount, Voucher: "V" + key, StaffID: "S1"}
}

func exempt(key, item string, amount money.Amount) ExemptBill {
	return ExemptBill{IdemKey: key, ItemID: item, Amount: amount, Reason: "hardship", ApprovedBy: "S1"}
}

func TestDecideBills(t *testing.T) {
	base := run(t, opened(t), t0, issue("F1", 5000, true), issue("F2", 2000, false))
	tests := []struct {
		name        string
		setup       []Command
		cmd         Command
		wantErr     error
		wantBill    Bill
		wantBalance money.Amount
	}{
		{"issue", nil, issue("F3", 100, false), nil, Bill{ItemID: "F3", Due: 100, DueDay: 20260331}, 3000},
		{"issue twice under another key", nil, func() IssueBill { c := issue("F1", 5000, true); c.IdemKey = "other"; return c }(), ErrBillAlreadyIssued, Bill{}, 0},
		{"issue of another school", nil, func() IssueBill { c := issue("F3", 100, false); c.SchoolID = "99999"; return c }(), ErrWrongSchool, Bill{}, 0},
		{"issue of zero", nil, issue("F3", 0, false), ErrInvalidAmount, Bill{}, 0},
		{"issue without item", nil, issue("", 100, false), ErrInvalid, Bill{}, 0},
		{"cash whole", nil, cash("c1", "F1", 5000), nil, Bill{ItemID: "F1", Due: 5000, Paid: 5000, DueDay: 20260331, AllowBalance: true}, 3000},
		{"cash then exempt the rest", []Command{cash("c1", "F1", 3000)}, exempt("e1", "F1", 2000), nil,
			Bill{ItemID: "F1", Due: 5000, Paid: 3000, Exempted: 2000, DueDay: 20260331, AllowBalance: true}, 3000},
		{"cash one fen over", []Command{cash("c1", "F1", 3000)}, cash("c2", "F1", 2001), fee.ErrOverpaid, Bill{}, 0},
		{"exempt more than outstanding", []Command{cash("c1", "F1", 3000)}, exempt("e1", "F1", 2001), fee.ErrOverpaid, Bill{}, 0},
		{"cash of zero", nil, cash("c1", "F1", 0), ErrInvalidAmount, Bill{}, 0},
		{"cash of a negative amount", nil, cash("c1", "F1", -100), ErrInvalidAmount, Bill{}, 0},
		{"cash without staff", nil, PayBillCash{IdemKey: "c1", ItemID: "F1", Amount: 100}, ErrInvalid, Bill{}, 0},
		{"cash of an unknown bill", nil, cash("c1", "F9", 100), ErrBillNotFound, Bill{}, 0},
		{"exempt without reason", nil, ExemptBill{IdemKey: "e1", ItemID: "F1", Amount: 100, ApprovedBy: "S1"}, fee.ErrNeedsReason, Bill{}, 0},
		{"exempt without approver", nil, ExemptBill{IdemKey: "e1", ItemID: "F1", Amount: 100, Reason: "x"}, fee.ErrNeedsApprover, Bill{}, 0},
		{"cash after close", []Command{CloseBill{IdemKey: "k", ItemID: "F1"}}, cash("c1", "F1", 100), fee.ErrBillClosed, Bill{}, 0},
		{"exempt after close", []Command{CloseBill{IdemKey: "k", ItemID: "F1"}}, exempt("e1", "F1", 100), fee.ErrBillClosed, Bill{}, 0},
		{"balance after close", []Command{CloseBill{IdemKey: "k", ItemID: "F1"}}, PayBillFromBalance{IdemKey: "b1", ItemID: "F1", Amount: 100}, fee.ErrBillClosed, Bill{}, 0},
		{"close twice", []Command{CloseBill{IdemKey: "k", ItemID: "F1"}}, CloseBill{IdemKey: "k2", ItemID: "F1"}, fee.ErrBillClosed, Bill{}, 0},
		{"balance pays part", nil, PayBillFromBalance{IdemKey: "b1", ItemID: "F1", Amount: 3000}, nil,
			Bill{ItemID: "F1", Due: 5000, Paid: 3000, DueDay: 20260331, AllowBalance: true}, 0},
		{"balance short by one fen", nil, PayBillFromBalance{IdemKey: "b1", ItemID: "F1", Amount: 3001}, ErrInsufficientFunds, Bill{}, 0},
		{"balance in arrears", []Command{withOverride(buy("P1", 4000))}, PayBillFromBalance{IdemKey: "b1", ItemID: "F1", Amount: 100}, ErrInsufficientFunds, Bill{}, 0},
		{"balance not allowed", nil, PayBillFromBalance{IdemKey: "b1", ItemID: "F2", Amount: 100}, ErrBalanceNotAllowed, Bill{}, 0},
	}
	for _, tt := range tests {
		s := run(t, base, t0, tt.setup...)
		d, err := Decide(s, tt.cmd, t0)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("%s: Decide = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			if Reason(err) == "INTERNAL" {
				t.Errorf("%s: decline %v has no reason", tt.name, err)
			}
			continue
		}
		if d.Outcome.Bill != tt.wantBill || d.Outcome.Balance != tt.wantBalance {
			t.Errorf("%s: outcome bill %+v, balance %s; want %+v, %s", tt.name, d.Outcome.Bill, d.Outcome.Balance, tt.wantBill, tt.wantBalance)
		}
		if got, _ := d.Next.Bill(d.Outcome.Bill.ItemID); got != tt.wantBill {
			t.Errorf("%s: state bill %+v, want %+v", tt.name, got, tt.wantBill)
		}
	}
}

func TestTooManyBills(t *testing.T) {
	s := opened(t)
	for i := range MaxBills {
		s = run(t, s, t0, issue(string(rune('a'+i/26))+string(rune('a'+i%26)), 100, false))
	}
	if _, err := Decide(s, issue("zz-next", 100, false), t0); !errors.Is(err, ErrTooManyBills) {
		t.Errorf("bill %d: %v, want %v", MaxBills+1, err, ErrTooManyBills)
	}
}

// TestApplyBillsCopyOnWrite: Apply never modifies the state it is given.
func TestApplyBillsCopyOnWrite(t *testing.T) {
	s := run(t, opened(t), t0, issue("F1", 5000, true))
	before := slices.Clone(s.Bills)
	_ = Apply(s, BillPaidCash{Key: "c", ItemID: "F1", Amount: 100, StaffID: "S1", At: t0})
	_ = Apply(s, BillIssued{Key: "i", ItemID: "F2", Amount: 100, At: t0})
	if !slices.Equal(s.Bills, before) {
		t.Errorf("bills changed under Apply: %+v, want %+v", s.Bills, before)
	}
}

func TestBillPostings(t *testing.T) {
	leg := func(id ledger.ID, a money.Amount) ledger.Posting { return ledger.Posting{Account: id, Amount: a} }
	income := ledger.FeeIncome(testSchool)
	tests := []struct {
		e    Event
		want []ledger.Posting
	}{
		{BillPaidCash{Amount: 900}, []ledger.Posting{leg(ledger.FeeCash(testSchool), -900), leg(income, 900)}},
		{BillPaidFromBalance{Amount: 400}, []ledger.Posting{leg(ledger.Wallet(testAccount), -400), leg(income, 400)}},
		{BillIssued{Amount: 400}, nil},
		{BillExempted{Amount: 400}, nil},
		{BillClosed{}, nil},
	}
	for _, tt := range tests {
		if got := Postings(testAccount, testSchool, tt.e); !slices.Equal(got, tt.want) || !ledger.Balanced(got) {
			t.Errorf("Postings(%s) = %v, want %v", tt.e.EventType(), got, tt.want)
		}
	}
}
