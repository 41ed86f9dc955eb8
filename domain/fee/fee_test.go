package fee

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/onecode/onecode/domain/money"
)

func bill(due, paid, exempted money.Amount, closed bool) Bill {
	return Bill{ItemID: "F1", Due: due, Paid: paid, Exempted: exempted, Closed: closed}
}

func TestBillPay(t *testing.T) {
	tests := []struct {
		name    string
		b       Bill
		amount  money.Amount
		want    Bill
		wantErr error
	}{
		{"whole bill", bill(5000, 0, 0, false), 5000, bill(5000, 5000, 0, false), nil},
		{"part", bill(5000, 0, 0, false), 1, bill(5000, 1, 0, false), nil},
		{"rest after exemption", bill(5000, 0, 2000, false), 3000, bill(5000, 3000, 2000, false), nil},
		{"one fen over", bill(5000, 4000, 0, false), 1001, Bill{}, ErrOverpaid},
		{"over after exemption", bill(5000, 0, 4000, false), 1001, Bill{}, ErrOverpaid},
		{"paid bill", bill(5000, 5000, 0, false), 1, Bill{}, ErrOverpaid},
		{"zero", bill(5000, 0, 0, false), 0, Bill{}, ErrInvalidAmount},
		{"negative", bill(5000, 0, 0, false), -1, Bill{}, ErrInvalidAmount},
		{"overflow", bill(5000, 4000, 0, false), math.MaxInt64, Bill{}, ErrOverpaid},
		{"after close", bill(5000, 0, 0, true), 100, Bill{}, ErrBillClosed},
	}
	for _, tt := range tests {
		got, err := tt.b.Pay(tt.amount)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Pay(%s) = %+v, %v, want %+v, %v", tt.name, tt.amount, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestBillExempt(t *testing.T) {
	tests := []struct {
		name             string
		b                Bill
		amount           money.Amount
		reason, approver string
		want             Bill
		wantErr          error
	}{
		{"whole", bill(5000, 0, 0, false), 5000, "hardship", "S1", bill(5000, 0, 5000, false), nil},
		{"rest after cash", bill(5000, 3000, 0, false), 2000, "hardship", "S1", bill(5000, 3000, 2000, false), nil},
		{"no reason", bill(5000, 0, 0, false), 100, "", "S1", Bill{}, ErrNeedsReason},
		{"no approver", bill(5000, 0, 0, false), 100, "hardship", "", Bill{}, ErrNeedsApprover},
		{"more than outstanding", bill(5000, 3000, 0, false), 2001, "hardship", "S1", Bill{}, ErrOverpaid},
		{"zero", bill(5000, 0, 0, false), 0, "hardship", "S1", Bill{}, ErrInvalidAmount},
		{"after close", bill(5000, 0, 0, true), 100, "hardship", "S1", Bill{}, ErrBillClosed},
	}
	for _, tt := range tests {
		got, err := tt.b.Exempt(tt.amount, tt.reason, tt.approver)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Exempt = %+v, %v, want %+v, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestBillStatus(t *testing.T) {
	tests := []struct {
		b    Bill
		want Status
	}{
		{bill(5000, 0, 0, false), StatusUnpaid},
		{bill(5000, 1, 0, false), StatusPartlyPaid},
		{bill(5000, 0, 1, false), StatusPartlyPaid},
		{bill(5000, 5000, 0, false), StatusPaid},
		{bill(5000, 3000, 2000, false), StatusPaid},
		{bill(5000, 0, 5000, false), StatusExempt},
		{bill(5000, 0, 0, true), StatusClosed},
		{bill(5000, 5000, 0, true), StatusPaid},
	}
	for _, tt := range tests {
		if got := tt.b.Status(); got != tt.want {
			t.Errorf("Status(%+v) = %s, want %s", tt.b, got, tt.want)
		}
	}
}

func TestBillClose(t *testing.T) {
	b, err := bill(5000, 0, 0, false).Close()
	if err != nil || !b.Closed {
		t.Fatalf("Close = %+v, %v", b, err)
	}
	if _, err := b.Close(); !errors.Is(err, ErrBillClosed) {
		t.Errorf("second Close: %v, want %v", err, ErrBillClosed)
	}
}

func TestNewBill(t *testing.T) {
	tests := []struct {
		name    string
		item    string
		due     money.Amount
		wantErr error
	}{
		{"valid", "F1", 5000, nil},
		{"no item", "", 5000, ErrInvalidItem},
		{"zero", "F1", 0, ErrInvalidAmount},
		{"negative", "F1", -5, ErrInvalidAmount},
		{"too large", "F1", MaxAmount + 1, ErrInvalidAmount},
	}
	for _, tt := range tests {
		if _, err := NewBill(tt.item, tt.due, 20260915, false); !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: NewBill: %v, want %v", tt.name, err, tt.wantErr)
		}
	}
}

func TestItemValidate(t *testing.T) {
	valid := Item{Title: "校服", Category: Uniform, Amount: 12000, Due: 20260930,
		Target: Target{Kind: TargetClasses, ClassIDs: []string{"C1", "C2"}}}
	mod := func(f func(*Item)) Item { it := valid; f(&it); return it }
	tests := []struct {
		name    string
		it      Item
		wantErr error
	}{
		{"valid", valid, nil},
		{"whole school", mod(func(it *Item) { it.Target = Target{Kind: TargetSchool} }), nil},
		{"listed pupils", mod(func(it *Item) { it.Target = Target{Kind: TargetAccounts, AccountIDs: []string{"A1"}} }), nil},
		{"no title", mod(func(it *Item) { it.Title = "" }), ErrInvalidItem},
		{"long title", mod(func(it *Item) { it.Title = strings.Repeat("费", MaxTitleRunes+1) }), ErrInvalidItem},
		{"unknown category", mod(func(it *Item) { it.Category = "beer" }), ErrInvalidItem},
		{"zero amount", mod(func(it *Item) { it.Amount = 0 }), ErrInvalidItem},
		{"negative amount", mod(func(it *Item) { it.Amount = -1 }), ErrInvalidItem},
		{"huge amount", mod(func(it *Item) { it.Amount = MaxAmount + 1 }), ErrInvalidItem},
		{"bad due day", mod(func(it *Item) { it.Due = 20260231 }), ErrInvalidItem},
		{"no classes", mod(func(it *Item) { it.Target.ClassIDs = nil }), ErrEmptyTarget},
		{"repeated class", mod(func(it *Item) { it.Target.ClassIDs = []string{"C1", "C1"} }), ErrInvalidItem},
		{"classes and pupils", mod(func(it *Item) { it.Target.AccountIDs = []string{"A1"} }), ErrInvalidItem},
		{"school with a list", mod(func(it *Item) { it.Target = Target{Kind: TargetSchool, ClassIDs: []string{"C1"}} }), ErrInvalidItem},
		{"unknown kind", mod(func(it *Item) { it.Target.Kind = "grade" }), ErrInvalidItem},
	}
	for _, tt := range tests {
		if err := tt.it.Validate(); !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("%s: Validate = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
}

func TestCanMove(t *testing.T) {
	for _, tt := range []struct {
		from, to State
		want     bool
	}{
		{Draft, Published, true}, {Published, Closed, true},
		{Draft, Closed, false}, {Closed, Published, false}, {Published, Draft, false}, {Closed, Draft, false},
	} {
		if got := CanMove(tt.from, tt.to); got != tt.want {
			t.Errorf("CanMove(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}
