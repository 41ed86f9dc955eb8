package account

import (
	"errors"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/onecode/onecode/domain/ledger"
	"github.com/onecode/onecode/domain/money"
)

func reserve(no, item string, amount money.Amount) ReserveRefund {
	return ReserveRefund{IdemKey: no, RefundID: no, OrderID: "RO1", ItemID: item, Amount: amount}
}

func TestRefunds(t *testing.T) {
	// Balance 3000 (opened), bill F1 of 5000 paid 4000 online.
	base := run(t, opened(t), t0, issue("F1", 5000, false), online("RO1", "F1", 4000))
	tests := []struct {
		name        string
		setup       []Command
		cmd         Command
		wantErr     error
		wantEvent   string
		wantRefund  money.Amount // the bill's Refunded after
		wantBalance money.Amount
	}{
		{"part of a bill", nil, reserve("F01", "F1", 1500), nil, "RefundReserved", 1500, 3000},
		{"the rest of a bill", []Command{reserve("F01", "F1", 1500)}, reserve("F02", "F1", 2500), nil, "RefundReserved", 4000, 3000},
		{"one fen above what was paid", []Command{reserve("F01", "F1", 1500)}, reserve("F02", "F1", 2501), ErrRefundExceeded, "", 0, 0},
		{"above paid, settled before", []Command{reserve("F01", "F1", 4000), SettleRefund{IdemKey: "s", RefundID: "F01"}},
			reserve("F02", "F1", 1), ErrRefundExceeded, "", 0, 0},
		{"released money is refundable again", []Command{reserve("F01", "F1", 4000), ReleaseRefund{IdemKey: "r", RefundID: "F01"}},
			reserve("F02", "F1", 4000), nil, "RefundReserved", 4000, 3000},
		{"settled", []Command{reserve("F01", "F1", 1000)}, SettleRefund{IdemKey: "s", RefundID: "F01"}, nil, "RefundSettled", 1000, 3000},
		{"released", []Command{reserve("F01", "F1", 1000)}, ReleaseRefund{IdemKey: "r", RefundID: "F01"}, nil, "RefundReleased", 0, 3000},
		{"release after settle", []Command{reserve("F01", "F1", 1000), SettleRefund{IdemKey: "s", RefundID: "F01"}},
			ReleaseRefund{IdemKey: "r", RefundID: "F01"}, ErrRefundNotOpen, "", 0, 0},
		{"settle of nothing", nil, SettleRefund{IdemKey: "s", RefundID: "F09"}, ErrRefundNotOpen, "", 0, 0},
		{"unknown bill", nil, reserve("F01", "F9", 1), ErrBillNotFound, "", 0, 0},
		{"recharge within the balance", nil, reserve("F01", "", 3000), nil, "RefundReserved", 0, 0},
		{"recharge above the balance", nil, reserve("F01", "", 3001), ErrRefundBalanceShort, "", 0, 0},
		{"recharge released", []Command{reserve("F01", "", 1000)}, ReleaseRefund{IdemKey: "r", RefundID: "F01"}, nil, "RefundReleased", 0, 3000},
		{"zero", nil, reserve("F01", "F1", 0), ErrInvalidAmount, "", 0, 0},
		{"key is not the refund", nil, ReserveRefund{IdemKey: "x", RefundID: "F01", OrderID: "RO1", ItemID: "F1", Amount: 1}, ErrInvalid, "", 0, 0},
		{"no order", nil, ReserveRefund{IdemKey: "F01", RefundID: "F01", ItemID: "F1", Amount: 1}, ErrInvalid, "", 0, 0},
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
		b, _ := d.Next.Bill("F1")
		if d.Outcome.Event != tt.wantEvent || b.Refunded != tt.wantRefund || d.Outcome.Balance != tt.wantBalance {
			t.Errorf("%s: %s, refunded %s, balance %s; want %s, %s, %s", tt.name, d.Outcome.Event, b.Refunded,
				d.Outcome.Balance, tt.wantEvent, tt.wantRefund, tt.wantBalance)
		}
	}
	if got := Reason(ErrRefundExceeded); got != "REFUND_EXCEEDED" {
		t.Errorf("Reason(ErrRefundExceeded) = %s", got)
	}
}

func TestRefundPostings(t *testing.T) {
	leg := func(id ledger.ID, a money.Amount) ledger.Posting { return ledger.Posting{Account: id, Amount: a} }
	for _, tt := range []struct {
		e    Event
		want []ledger.Posting
	}{
		{RefundReserved{ItemID: "F1", Amount: 700}, []ledger.Posting{leg(ledger.FeeIncome(testSchool), -700), leg(ledger.AggregatorClearing, 700)}},
		{RefundReleased{ItemID: "F1", Amount: 700}, []ledger.Posting{leg(ledger.AggregatorClearing, -700), leg(ledger.FeeIncome(testSchool), 700)}},
		{RefundReserved{Amount: 700}, []ledger.Posting{leg(ledger.Wallet(testAccount), -700), leg(ledger.AggregatorClearing, 700)}},
		{RefundReleased{Amount: 700}, []ledger.Posting{leg(ledger.AggregatorClearing, -700), leg(ledger.Wallet(testAccount), 700)}},
		{RefundSettled{ItemID: "F1", Amount: 700}, nil},
	} {
		got := Postings(testAccount, testSchool, tt.e)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || !ledger.Balanced(got) {
			t.Errorf("Postings(%s %+v) = %v, want %v", tt.e.EventType(), tt.e, got, tt.want)
		}
	}
}

// TestRefundProperties: over random payments, refunds, settlements and releases, a
// bill's refunded never exceeds its paid, the wallet never goes below zero through a
// refund, the ledger sums to zero, and the fee income kept equals paid − refunded.
func TestRefundProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := State{}
		var all []ledger.Posting
		step := func(c Command) {
			before := s.Balance
			d, err := Decide(s, c, t0)
			if err != nil {
				return
			}
			for _, e := range d.Events {
				all = append(all, Postings(testAccount, testSchool, e)...)
				s = Apply(s, e)
			}
			if r, ok := c.(ReserveRefund); ok && r.ItemID == "" && s.Balance < 0 && s.Balance != before {
				t.Fatalf("a recharge refund took the balance to %s", s.Balance)
			}
		}
		step(openCmd())
		step(issue("F1", 10000, false))
		for i := range rapid.IntRange(1, 40).Draw(t, "steps") {
			no := fmt.Sprintf("F%03d", i)
			amount := money.Amount(rapid.Int64Range(1, 6000).Draw(t, "amount"))
			open := s.OpenRefunds
			switch rapid.IntRange(0, 5).Draw(t, "kind") {
			case 0:
				step(recharge(fmt.Sprintf("RC%03d", i), amount))
			case 1:
				step(online(fmt.Sprintf("RO%03d", i), "F1", amount))
			case 2:
				step(reserve(no, rapid.SampledFrom([]string{"", "F1"}).Draw(t, "item"), amount))
			case 3:
				step(buy(no, min(amount, 5000)))
			case 4, 5:
				if len(open) == 0 {
					continue
				}
				r := rapid.SampledFrom(open).Draw(t, "open")
				if rapid.Bool().Draw(t, "settle") {
					step(SettleRefund{IdemKey: no, RefundID: r.RefundID})
				} else {
					step(ReleaseRefund{IdemKey: no, RefundID: r.RefundID})
				}
			}
			b, _ := s.Bill("F1")
			if b.Refunded > b.Paid || b.Refunded < 0 {
				t.Fatalf("bill refunded %s of paid %s", b.Refunded, b.Paid)
			}
			if !ledger.Balanced(all) {
				t.Fatalf("ledger does not sum to zero: %v", all)
			}
			income, _ := ledger.SumFor(all, ledger.FeeIncome(testSchool))
			if income != b.Paid-b.Refunded {
				t.Fatalf("fee income %s, want paid %s − refunded %s", income, b.Paid, b.Refunded)
			}
		}
	})
}
