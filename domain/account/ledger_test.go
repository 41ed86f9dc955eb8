package account

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/onecode/onecode/domain/ledger"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
)

func TestPostings(t *testing.T) {
	w := ledger.Wallet(testAccount)
	leg := func(id ledger.ID, a money.Amount) ledger.Posting { return ledger.Posting{Account: id, Amount: a} }
	tests := []struct {
		e    Event
		want []ledger.Posting
	}{
		{Purchased{CanteenID: "C1", Amount: 500}, []ledger.Posting{leg(w, -500), leg(ledger.Merchant("C1"), 500)}},
		{PurchaseVoided{CanteenID: "C1", Amount: 500}, []ledger.Posting{leg(ledger.Merchant("C1"), -500), leg(w, 500)}},
		{RechargeCredited{Amount: 700}, []ledger.Posting{leg(ledger.AggregatorClearing, -700), leg(w, 700)}},
		{FeePaid{Amount: 900}, []ledger.Posting{leg(ledger.AggregatorClearing, -900), leg(ledger.FeeIncome(testSchool), 900)}},
		{SubsidyGranted{Amount: 300}, []ledger.Posting{leg(ledger.SubsidyFund(testSchool), -300), leg(w, 300)}},
		{AccountOpened{}, nil},
		{CardReportedLost{}, nil},
		{CardReissued{}, nil},
		{DailyCapSet{}, nil},
		{SchoolLimitsSet{}, nil},
	}
	for _, tt := range tests {
		got := Postings(testAccount, testSchool, tt.e)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Postings(%s) = %v, want %v", tt.e.EventType(), got, tt.want)
		}
		if !ledger.Balanced(got) {
			t.Errorf("Postings(%s) not balanced", tt.e.EventType())
		}
	}
}

func TestReason(t *testing.T) {
	tests := []struct {
		err  error
		want reason.Code
	}{
		{nil, ""},
		{ErrCardLost, "CARD_LOST"},
		{fmt.Errorf("grain: %w", ErrCardReplaced), "CARD_REPLACED"},
		{ErrCardExpired, "CARD_EXPIRED"},
		{ErrWrongSchool, "WRONG_SCHOOL"},
		{&InsufficientFundsError{}, "INSUFFICIENT_FUNDS"},
		{&ArrearsCapError{}, "ARREARS_CAP_EXCEEDED"},
		{ErrDailyCap, "DAILY_CAP_EXCEEDED"},
		{ErrInvalidAmount, "INVALID_AMOUNT"},
		{ErrItemsMismatch, "ITEMS_MISMATCH"},
		{ErrRandomReused, "CARD_RANDOM_REUSED"},
		{fmt.Errorf("%w: x", ErrInvalid), "INVALID_COMMAND"},
		{ErrIdempotencyConflict, "IDEMPOTENCY_CONFLICT"},
		{ErrVoidWindowClosed, "VOID_WINDOW_CLOSED"},
		{ErrRechargeBalanceCap, "RECHARGE_BALANCE_CAP"},
		{money.ErrOverflow, "AMOUNT_OVERFLOW"},
		{errors.New("disk on fire"), "INTERNAL"},
	}
	for _, tt := range tests {
		if got := Reason(tt.err); got != tt.want {
			t.Errorf("Reason(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestReasonCodesAreDistinct(t *testing.T) {
	seen := map[reason.Code]error{}
	for _, r := range reasons {
		if prev, ok := seen[r.code]; ok {
			t.Errorf("code %s for both %v and %v", r.code, prev, r.err)
		}
		seen[r.code] = r.err
		if got := Reason(r.err); got != r.code {
			t.Errorf("Reason(%v) = %q, want %q", r.err, got, r.code)
		}
	}
}

func TestFingerprint(t *testing.T) {
	p := buy("P1", 100)
	p.Items = []Item{{Code: "R", Name: "rice", UnitPrice: 100, Qty: 1}}
	mods := []Command{
		buy("P1", 101),
		buy("P2", 100),
		withOverride(p),
		withCard(p, "08", testExpiry),
		Void{IdemKey: "P1", TerminalID: "T1", PurchaseKey: "P"},
		func() Purchase { q := p; q.Items = []Item{{Code: "R", Name: "ric", UnitPrice: 100, Qty: 1}}; return q }(),
		func() Purchase { q := p; q.CanteenID = "C2"; return q }(),
	}
	fp := Fingerprint(p)
	if got := Fingerprint(p); got != fp {
		t.Errorf("Fingerprint not deterministic: %s, %s", got, fp)
	}
	for _, m := range mods {
		if Fingerprint(m) == fp {
			t.Errorf("Fingerprint(%+v) equals the original's", m)
		}
	}
	// Length prefixes keep field boundaries.
	a := Void{IdemKey: "ab", TerminalID: "c", PurchaseKey: "d"}
	b := Void{IdemKey: "a", TerminalID: "bc", PurchaseKey: "d"}
	if Fingerprint(a) == Fingerprint(b) {
		t.Errorf("field boundaries are ambiguous")
	}
}

func TestReplay(t *testing.T) {
	p := buy("P1", 100)
	stored := Outcome{Event: "Purchased", Seq: 3, Amount: 100, Balance: 2900}
	tests := []struct {
		name    string
		cmd     Command
		want    Outcome
		wantErr error
	}{
		{"same payload", p, stored, nil},
		{"other amount", buy("P1", 200), Outcome{}, ErrIdempotencyConflict},
		{"other command, same key", RechargeCredit{IdemKey: "P1", OrderID: "P1", Amount: 100}, Outcome{}, ErrIdempotencyConflict},
	}
	for _, tt := range tests {
		got, err := Replay(Fingerprint(p), stored, tt.cmd)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Replay = %+v, %v, want %+v, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}
