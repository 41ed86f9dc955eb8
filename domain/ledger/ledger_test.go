package ledger

import (
	"errors"
	"math"
	"testing"

	"github.com/onecode/onecode/domain/money"
)

func TestIDs(t *testing.T) {
	tests := []struct {
		got  ID
		want ID
	}{
		{Wallet("A1"), "wallet:A1"},
		{Merchant("C1"), "merchant:C1"},
		{FeeIncome("10001"), "fee-income:10001"},
		{SubsidyFund("10001"), "subsidy-fund:10001"},
		{AggregatorClearing, "aggregator-clearing"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestSumAndBalanced(t *testing.T) {
	tests := []struct {
		name         string
		ps           []Posting
		want         money.Amount
		wantErr      error
		wantBalanced bool
	}{
		{"empty", nil, 0, nil, true},
		{"transfer", Transfer(Wallet("A"), Merchant("C"), 500), 0, nil, true},
		{"one leg", []Posting{{Wallet("A"), 500}}, 500, nil, false},
		{"three legs", []Posting{{Wallet("A"), -500}, {Merchant("C"), 300}, {FeeIncome("S"), 200}}, 0, nil, true},
		{"overflow", []Posting{{Wallet("A"), math.MaxInt64}, {Merchant("C"), 1}}, 0, money.ErrOverflow, false},
	}
	for _, tt := range tests {
		got, err := Sum(tt.ps)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Sum = %d, %v, want %d, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
		if got := Balanced(tt.ps); got != tt.wantBalanced {
			t.Errorf("%s: Balanced = %v, want %v", tt.name, got, tt.wantBalanced)
		}
	}
}

func TestTransferDirection(t *testing.T) {
	ps := Transfer(AggregatorClearing, Wallet("A"), 1000)
	got, err := SumFor(ps, Wallet("A"))
	if err != nil || got != 1000 {
		t.Errorf("SumFor(wallet) = %d, %v, want 1000, nil", got, err)
	}
	got, err = SumFor(ps, AggregatorClearing)
	if err != nil || got != -1000 {
		t.Errorf("SumFor(clearing) = %d, %v, want -1000, nil", got, err)
	}
}
