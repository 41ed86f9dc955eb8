package account

import (
	"errors"
	"slices"
	"testing"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/ledger"
	"github.com/onecode/onecode/domain/money"
)

func online(order, item string, amount money.Amount) PayBillOnline {
	return PayBillOnline{IdemKey: order, OrderID: order, ItemID: item, Amount: amount}
}

func TestPayBillOnline(t *testing.T) {
	base := run(t, opened(t), t0, issue("F1", 5000, false)) // balance 3000
	bill := func(paid, exempted money.Amount, closed bool) Bill {
		return Bill{ItemID: "F1", Due: 5000, Paid: paid, Exempted: exempted, DueDay: 20260331, Closed: closed}
	}
	tests := []struct {
		name        string
		setup       []Command
		cmd         Command
		wantErr     error
		wantEvent   string
		wantBill    Bill
		wantBalance money.Amount
	}{
		{"pays the whole bill", nil, online("R1", "F1", 5000), nil, "BillPaidOnline", bill(5000, 0, false), 3000},
		{"pays part", []Command{exempt("e1", "F1", 1000)}, online("R1", "F1", 2000), nil, "BillPaidOnline", bill(2000, 1000, false), 3000},
		{"bill paid in cash meanwhile: to the wallet", []Command{cash("c1", "F1", 5000)}, online("R1", "F1", 5000), nil,
			"BillPaymentCredited", bill(5000, 0, false), 8000},
		{"one fen too many: all to the wallet", []Command{cash("c1", "F1", 1)}, online("R1", "F1", 5000), nil,
			"BillPaymentCredited", bill(1, 0, false), 8000},
		{"bill closed meanwhile: to the wallet", []Command{CloseBill{IdemKey: "k", ItemID: "F1"}}, online("R1", "F1", 5000), nil,
			"BillPaymentCredited", bill(0, 0, true), 8000},
		{"unknown bill", nil, online("R1", "F9", 100), ErrBillNotFound, "", Bill{}, 0},
		{"zero", nil, online("R1", "F1", 0), ErrInvalidAmount, "", Bill{}, 0},
		{"key is not the order", nil, PayBillOnline{IdemKey: "x", OrderID: "R1", ItemID: "F1", Amount: 100}, ErrInvalid, "", Bill{}, 0},
	}
	for _, tt := range tests {
		s := run(t, base, t0, tt.setup...)
		d, err := Decide(s, tt.cmd, t0)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("%s: Decide = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if d.Outcome.Event != tt.wantEvent || d.Outcome.Bill != tt.wantBill || d.Outcome.Balance != tt.wantBalance {
			t.Errorf("%s: %s, bill %+v, balance %s; want %s, %+v, %s", tt.name, d.Outcome.Event, d.Outcome.Bill,
				d.Outcome.Balance, tt.wantEvent, tt.wantBill, tt.wantBalance)
		}
		// paid + exempted ≤ due always; the ledger of the whole history sums to zero.
		if b, _ := d.Next.Bill("F1"); b.Paid+b.Exempted > b.Due {
			t.Errorf("%s: bill %+v overpaid", tt.name, b)
		}
		var all []ledger.Posting
		for _, e := range d.Events {
			all = append(all, Postings(testAccount, testSchool, e)...)
		}
		if !ledger.Balanced(all) {
			t.Errorf("%s: postings %v do not sum to zero", tt.name, all)
		}
	}
}

func TestPayBillOnlineOnce(t *testing.T) {
	s := run(t, opened(t), t0, issue("F1", 5000, false), online("R1", "F1", 2000))
	d, err := Decide(s, online("R1", "F1", 2000), t0)
	// The grain dedupes by key before Decide; Decide alone sees a second payment.
	if err != nil || d.Outcome.Bill.Paid != 4000 {
		t.Fatalf("second decide: %+v, %v", d.Outcome, err)
	}
	if fp1, fp2 := Fingerprint(online("R1", "F1", 2000)), Fingerprint(online("R1", "F1", 2001)); fp1 == fp2 {
		t.Fatal("another amount under the same order id has the same fingerprint")
	}
}

func TestBillOnlinePostings(t *testing.T) {
	leg := func(id ledger.ID, a money.Amount) ledger.Posting { return ledger.Posting{Account: id, Amount: a} }
	for _, tt := range []struct {
		e    Event
		want []ledger.Posting
	}{
		{BillPaidOnline{Amount: 900}, []ledger.Posting{leg(ledger.AggregatorClearing, -900), leg(ledger.FeeIncome(testSchool), 900)}},
		{BillPaymentCredited{Amount: 900}, []ledger.Posting{leg(ledger.AggregatorClearing, -900), leg(ledger.Wallet(testAccount), 900)}},
	} {
		if got := Postings(testAccount, testSchool, tt.e); !slices.Equal(got, tt.want) || !ledger.Balanced(got) {
			t.Errorf("Postings(%s) = %v, want %v", tt.e.EventType(), got, tt.want)
		}
	}
	_ = fee.ErrOverpaid
}
