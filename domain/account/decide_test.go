package account

import (
	"errors"
	"testing"
	"time"

	"github.com/onecode/onecode/domain/money"
)

type at struct {
	cmd Command
	at  time.Time
}

func TestDecide(t *testing.T) {
	noCap := SetDailyCap{IdemKey: "nocap", Amount: 0}
	items := []Item{{Code: "R1", Name: "rice", UnitPrice: 150, Qty: 2}, {Code: "M1", Name: "pork", UnitPrice: 900, Qty: 1}}
	withItems := func(p Purchase, its []Item) Purchase { p.Items = its; return p }
	otherSchool := buy("P1", 100)
	otherSchool.SchoolID = "10002"
	otherTerminal := Void{IdemKey: "V1", TerminalID: "T2", PurchaseKey: "P0"}

	tests := []struct {
		name        string
		setup       []at // after opened (balance 30.00, cap 50.00/day, arrears 20.00)
		cmd         Command
		now         time.Time
		wantErr     error
		wantBalance money.Amount
		wantArrears bool
		wantGen     int
	}{
		// Purchase.
		{name: "purchase approved", cmd: buy("P1", 1200), wantBalance: 1800},
		{name: "purchase of the whole balance", cmd: buy("P1", 3000), wantBalance: 0},
		{name: "purchase with items", cmd: withItems(buy("P1", 1200), items), wantBalance: 1800},
		{name: "items not adding up", cmd: withItems(buy("P1", 1300), items), wantErr: ErrItemsMismatch},
		{name: "item without quantity", cmd: withItems(buy("P1", 0), []Item{{Code: "X", UnitPrice: 100}}), wantErr: ErrInvalidAmount},
		{name: "item with zero quantity", cmd: withItems(buy("P1", 100), []Item{{Code: "X", UnitPrice: 100}}), wantErr: ErrItemsMismatch},
		{name: "item with negative price", cmd: withItems(buy("P1", 100), []Item{{Code: "X", UnitPrice: -100, Qty: 1}}), wantErr: ErrItemsMismatch},
		{name: "zero amount", cmd: buy("P1", 0), wantErr: ErrInvalidAmount},
		{name: "negative amount", cmd: buy("P1", -5), wantErr: ErrInvalidAmount},
		{name: "missing key", cmd: buy("", 100), wantErr: ErrInvalid},
		{name: "terminal of another school", cmd: otherSchool, wantErr: ErrWrongSchool},
		{name: "card lost", setup: []at{{ReportLoss{IdemKey: "L1", By: ByParent}, t0}}, cmd: buy("P1", 100), wantErr: ErrCardLost},
		{name: "old card after reissue", setup: []at{{Reissue{IdemKey: "I1", Random: "42", Expiry: testExpiry}, t0}}, cmd: buy("P1", 100), wantErr: ErrCardReplaced},
		{name: "lost then reissued, old card", setup: []at{{ReportLoss{IdemKey: "L1", By: ByStaff}, t0}, {Reissue{IdemKey: "I1", Random: "42", Expiry: testExpiry}, t0}}, cmd: buy("P1", 100), wantErr: ErrCardReplaced},
		{name: "lost then reissued, new card", setup: []at{{ReportLoss{IdemKey: "L1", By: ByStaff}, t0}, {Reissue{IdemKey: "I1", Random: "42", Expiry: testExpiry}, t0}}, cmd: withCard(buy("P1", 100), "42", testExpiry), wantBalance: 2900, wantGen: 3},
		{name: "unknown random", cmd: withCard(buy("P1", 100), "08", testExpiry), wantErr: ErrCardReplaced},
		{name: "other expiry", cmd: withCard(buy("P1", 100), "07", 20280831), wantErr: ErrCardReplaced},
		{name: "on expiry day", cmd: buy("P1", 100), now: time.Date(2027, 8, 31, 23, 59, 0, 0, cst), wantBalance: 2900},
		{name: "after expiry day", cmd: buy("P1", 100), now: time.Date(2027, 9, 1, 0, 0, 30, 0, cst), wantErr: ErrCardExpired},
		{name: "after expiry day in Shanghai, not in UTC", cmd: buy("P1", 100), now: time.Date(2027, 8, 31, 16, 30, 0, 0, time.UTC), wantErr: ErrCardExpired},
		{name: "daily cap reached", setup: []at{{recharge("R1", 5000), t0}, {buy("P0", 4000), t0}}, cmd: buy("P1", 1001), wantErr: ErrDailyCap},
		{name: "daily cap exactly", setup: []at{{recharge("R1", 5000), t0}, {buy("P0", 4000), t0}}, cmd: buy("P1", 1000), wantBalance: 3000},
		{name: "daily cap next Shanghai day", setup: []at{{recharge("R1", 5000), t0}, {buy("P0", 4000), t0}}, cmd: buy("P1", 1001), now: time.Date(2026, 3, 3, 0, 0, 1, 0, cst), wantBalance: 2999},
		{name: "daily cap 0 is no cap", setup: []at{{recharge("R1", 10000), t0}, {noCap, t0}, {buy("P0", 6000), t0}}, cmd: buy("P1", 6000), wantBalance: 1000},
		{name: "daily cap counts voided purchase back", setup: []at{{recharge("R1", 5000), t0}, {buy("P0", 4000), t0}, {Void{IdemKey: "V0", TerminalID: "T1", PurchaseKey: "P0"}, t0}}, cmd: buy("P1", 4500), wantBalance: 3500},
		{name: "daily cap includes arrears", setup: []at{{buy("P0", 3000), t0}, {withOverride(buy("P2", 1500)), t0}}, cmd: withOverride(buy("P1", 501)), wantErr: ErrDailyCap},
		{name: "insufficient funds", cmd: buy("P1", 3001), wantErr: ErrInsufficientFunds},
		{name: "override on arrears", cmd: withOverride(buy("P1", 3500)), wantBalance: -500, wantArrears: true},
		{name: "override to the arrears cap", cmd: withOverride(buy("P1", 5000)), wantBalance: -2000, wantArrears: true},
		{name: "override beyond the arrears cap", setup: []at{{noCap, t0}}, cmd: withOverride(buy("P1", 5001)), wantErr: ErrArrearsCap},
		{name: "override with enough balance is no arrears", cmd: withOverride(buy("P1", 1000)), wantBalance: 2000},
		{name: "in debt, no override", setup: []at{{withOverride(buy("P0", 3500)), t0}}, cmd: buy("P1", 1), wantErr: ErrInsufficientFunds},
		{name: "purchase key reused", setup: []at{{buy("P1", 100), t0}}, cmd: buy("P1", 200), wantErr: ErrIdempotencyConflict},
		{name: "purchase at the balance overflow edge", cmd: withOverride(buy("P1", money.Amount(1<<62))), wantErr: ErrDailyCap},
		// Void.
		{name: "void", setup: []at{{buy("P0", 1200), t0}}, cmd: Void{IdemKey: "V1", TerminalID: "T1", PurchaseKey: "P0"}, now: t0.Add(VoidWindow), wantBalance: 3000},
		{name: "void of arrears", setup: []at{{withOverride(buy("P0", 4000)), t0}}, cmd: Void{IdemKey: "V1", TerminalID: "T1", PurchaseKey: "P0"}, wantBalance: 3000},
		{name: "void from another terminal", setup: []at{{buy("P0", 1200), t0}}, cmd: otherTerminal, wantErr: ErrVoidWrongTerminal},
		{name: "void twice", setup: []at{{buy("P0", 1200), t0}, {Void{IdemKey: "V0", TerminalID: "T1", PurchaseKey: "P0"}, t0}}, cmd: Void{IdemKey: "V1", TerminalID: "T1", PurchaseKey: "P0"}, wantErr: ErrAlreadyVoided},
		{name: "void unknown purchase", cmd: Void{IdemKey: "V1", TerminalID: "T1", PurchaseKey: "nope"}, wantErr: ErrPurchaseNotFound},
		{name: "void after the window", setup: []at{{buy("P0", 1200), t0}}, cmd: Void{IdemKey: "V1", TerminalID: "T1", PurchaseKey: "P0"}, now: t0.Add(VoidWindow + time.Second), wantErr: ErrVoidWindowClosed},
		// Recharge credit.
		{name: "recharge", cmd: recharge("R1", 500), wantBalance: 3500},
		{name: "recharge repays arrears first", setup: []at{{withOverride(buy("P0", 4000)), t0}}, cmd: recharge("R1", 500), wantBalance: -500},
		{name: "recharge above the balance cap is credited", cmd: recharge("R1", 300000), wantBalance: 303000},
		{name: "recharge of zero", cmd: recharge("R1", 0), wantErr: ErrInvalidAmount},
		{name: "recharge key is not the order", cmd: RechargeCredit{IdemKey: "K", OrderID: "R1", Amount: 100}, wantErr: ErrInvalid},
		{name: "recharge overflow", cmd: recharge("R1", money.Amount(1<<63-1)), wantErr: money.ErrOverflow},
		// Card.
		{name: "loss report", cmd: ReportLoss{IdemKey: "L1", By: ByParent}, wantBalance: 3000, wantGen: 2},
		{name: "loss report twice", setup: []at{{ReportLoss{IdemKey: "L0", By: ByParent}, t0}}, cmd: ReportLoss{IdemKey: "L1", By: ByStaff}, wantBalance: 3000, wantGen: 3},
		{name: "loss report by whom", cmd: ReportLoss{IdemKey: "L1", By: "pupil"}, wantErr: ErrInvalid},
		{name: "reissue", cmd: Reissue{IdemKey: "I1", Random: "42", Expiry: testExpiry}, wantBalance: 3000, wantGen: 2},
		{name: "reissue with the current random", cmd: Reissue{IdemKey: "I1", Random: "07", Expiry: testExpiry}, wantErr: ErrRandomReused},
		{name: "reissue with an old random", setup: []at{{Reissue{IdemKey: "I0", Random: "42", Expiry: testExpiry}, t0}}, cmd: Reissue{IdemKey: "I1", Random: "07", Expiry: testExpiry}, wantErr: ErrRandomReused},
		{name: "reissue with a bad random", cmd: Reissue{IdemKey: "I1", Random: "7", Expiry: testExpiry}, wantErr: ErrInvalidRandom},
		{name: "reissue with a past expiry", cmd: Reissue{IdemKey: "I1", Random: "42", Expiry: 20260301}, wantErr: ErrInvalidExpiry},
		{name: "reissue with no such day", cmd: Reissue{IdemKey: "I1", Random: "42", Expiry: 20270231}, wantErr: ErrInvalidExpiry},
		// Limits.
		{name: "daily cap set", cmd: SetDailyCap{IdemKey: "D1", Amount: 1000}, wantBalance: 3000},
		{name: "negative daily cap", cmd: SetDailyCap{IdemKey: "D1", Amount: -1}, wantErr: ErrInvalidLimits},
		{name: "school limits", cmd: SetSchoolLimits{IdemKey: "S1", SingleRechargeMax: 1, BalanceCap: 1, ArrearsCap: 0}, wantBalance: 3000},
		{name: "school limits zero max", cmd: SetSchoolLimits{IdemKey: "S1", SingleRechargeMax: 0, BalanceCap: 1}, wantErr: ErrInvalidLimits},
		{name: "arrears cap below debt", setup: []at{{withOverride(buy("P0", 4000)), t0}}, cmd: SetSchoolLimits{IdemKey: "S1", SingleRechargeMax: 1, BalanceCap: 1, ArrearsCap: 999}, wantErr: ErrArrearsCapBelowDebt},
		{name: "arrears cap at debt", setup: []at{{withOverride(buy("P0", 4000)), t0}}, cmd: SetSchoolLimits{IdemKey: "S1", SingleRechargeMax: 1, BalanceCap: 1, ArrearsCap: 1000}, wantBalance: -1000},
		// Fees and subsidies.
		{name: "fee paid leaves the wallet alone", cmd: PayFee{IdemKey: "F1", FeeItemID: "FI1", OrderID: "O1", Amount: 50000}, wantBalance: 3000},
		{name: "fee without item", cmd: PayFee{IdemKey: "F1", OrderID: "O1", Amount: 50000}, wantErr: ErrInvalid},
		{name: "fee of zero", cmd: PayFee{IdemKey: "F1", FeeItemID: "FI1", OrderID: "O1"}, wantErr: ErrInvalidAmount},
		{name: "subsidy", cmd: GrantSubsidy{IdemKey: "G1", Amount: 1000, Reason: "meal subsidy"}, wantBalance: 4000},
		{name: "subsidy without reason", cmd: GrantSubsidy{IdemKey: "G1", Amount: 1000}, wantErr: ErrInvalid},
		{name: "subsidy of zero", cmd: GrantSubsidy{IdemKey: "G1", Reason: "x"}, wantErr: ErrInvalidAmount},
		// Open.
		{name: "open twice", cmd: openCmd(), wantErr: ErrAlreadyOpened},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := opened(t)
			for _, st := range tt.setup {
				s = run(t, s, st.at, st.cmd)
			}
			now := tt.now
			if now.IsZero() {
				now = t0
			}
			before := s
			d, err := Decide(s, tt.cmd, now)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Decide error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if len(d.Events) != 0 {
					t.Errorf("declined with events %v", d.Events)
				}
				return
			}
			after := s
			for _, e := range d.Events {
				after = Apply(after, e)
			}
			wantGen := tt.wantGen
			if wantGen == 0 {
				wantGen = 1
			}
			got := d.Outcome
			if got.Balance != tt.wantBalance || after.Balance != tt.wantBalance {
				t.Errorf("balance = %s (state %s), want %s", got.Balance, after.Balance, tt.wantBalance)
			}
			if got.Arrears != tt.wantArrears {
				t.Errorf("arrears = %v, want %v", got.Arrears, tt.wantArrears)
			}
			if got.CardGeneration != wantGen || after.Card.Generation != wantGen {
				t.Errorf("generation = %d (state %d), want %d", got.CardGeneration, after.Card.Generation, wantGen)
			}
			if got.Seq != before.Seq+1 || after.Seq != got.Seq {
				t.Errorf("seq = %d (state %d), want %d", got.Seq, after.Seq, before.Seq+1)
			}
		})
	}
}

func TestDecideNotOpened(t *testing.T) {
	cmds := []Command{buy("P1", 100), recharge("R1", 100), ReportLoss{IdemKey: "L", By: ByParent}, Void{IdemKey: "V", TerminalID: "T1", PurchaseKey: "P"}}
	for _, c := range cmds {
		_, err := Decide(State{}, c, t0)
		if !errors.Is(err, ErrNotOpened) {
			t.Errorf("Decide(%T) error = %v, want %v", c, err, ErrNotOpened)
		}
	}
}

func TestDecideOpen(t *testing.T) {
	mod := func(f func(*Open)) Open { o := openCmd(); f(&o); return o }
	tests := []struct {
		name    string
		cmd     Open
		wantErr error
	}{
		{"ok", openCmd(), nil},
		{"no key", mod(func(o *Open) { o.IdemKey = "" }), ErrInvalid},
		{"no school", mod(func(o *Open) { o.SchoolID = "" }), ErrInvalid},
		{"no student", mod(func(o *Open) { o.StudentNo = "" }), ErrInvalid},
		{"no limits", mod(func(o *Open) { o.Limits = Limits{} }), ErrInvalidLimits},
		{"negative arrears cap", mod(func(o *Open) { o.Limits.ArrearsCap = -1 }), ErrInvalidLimits},
		{"bad random", mod(func(o *Open) { o.CardRandom = "a1" }), ErrInvalidRandom},
		{"past expiry", mod(func(o *Open) { o.Expiry = 20260301 }), ErrInvalidExpiry},
		{"bad expiry", mod(func(o *Open) { o.Expiry = 20261301 }), ErrInvalidExpiry},
	}
	for _, tt := range tests {
		d, err := Decide(State{}, tt.cmd, t0)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		s := Apply(State{}, d.Events[0])
		if s.AccountID != testAccount || s.Card.State != CardActive || s.Card.Generation != 1 || s.Seq != 1 || !s.UsedRandoms.Has("07") {
			t.Errorf("%s: opened state = %+v", tt.name, s)
		}
	}
}

func TestInsufficientFundsErrorCarriesAmounts(t *testing.T) {
	s := opened(t)
	_, err := Decide(s, buy("P1", 3500), t0)
	var ife *InsufficientFundsError
	if !errors.As(err, &ife) {
		t.Fatalf("error = %v, want *InsufficientFundsError", err)
	}
	got := *ife
	want := InsufficientFundsError{Balance: 3000, Amount: 3500, ArrearsAvailable: 2000}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}

	s = run(t, s, t0, withOverride(buy("P0", 4500)), SetDailyCap{IdemKey: "D", Amount: 0})
	_, err = Decide(s, withOverride(buy("P1", 600)), t0)
	var ace *ArrearsCapError
	if !errors.As(err, &ace) || !errors.Is(err, ErrArrearsCap) {
		t.Fatalf("error = %v, want *ArrearsCapError", err)
	}
	gotCap := *ace
	wantCap := ArrearsCapError{Balance: -1500, Amount: 600, ArrearsAvailable: 500}
	if gotCap != wantCap {
		t.Errorf("got %+v, want %+v", gotCap, wantCap)
	}
}

func TestCheckRecharge(t *testing.T) {
	s := opened(t) // balance 30.00, single max 1000.00, cap 2000.00
	tests := []struct {
		name    string
		s       State
		amount  money.Amount
		pending money.Amount
		wantErr error
	}{
		{"ok", s, 10000, 0, nil},
		{"single max", s, 100000, 0, nil},
		{"above single max", s, 100001, 0, ErrRechargeSingleMax},
		{"up to the cap with pending", s, 97000, 100000, nil},
		{"above the cap with pending", s, 97001, 100000, ErrRechargeBalanceCap},
		{"pending overflow", s, 1, 1<<63 - 1, ErrRechargeBalanceCap},
		{"zero", s, 0, 0, ErrInvalidAmount},
		{"negative pending", s, 100, -1, ErrInvalidAmount},
		{"not opened", State{}, 100, 0, ErrNotOpened},
	}
	for _, tt := range tests {
		if err := CheckRecharge(tt.s, tt.amount, tt.pending); !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
}

func TestVoidKeepsRecentBounded(t *testing.T) {
	s := run(t, opened(t), t0, recharge("R1", 100000), SetDailyCap{IdemKey: "D", Amount: 0})
	for i := range MaxRecentPurchases + 1 {
		s = run(t, s, t0, buy("P"+string(rune('A'+i)), 10))
	}
	if got, want := len(s.Recent), MaxRecentPurchases; got != want {
		t.Fatalf("len(Recent) = %d, want %d", got, want)
	}
	if _, err := Decide(s, Void{IdemKey: "V", TerminalID: "T1", PurchaseKey: "PA"}, t0); !errors.Is(err, ErrPurchaseNotFound) {
		t.Errorf("void of evicted purchase: %v, want %v", err, ErrPurchaseNotFound)
	}
	if _, err := Decide(s, Void{IdemKey: "V", TerminalID: "T1", PurchaseKey: "PB"}, t0); err != nil {
		t.Errorf("void of kept purchase: %v", err)
	}
}

func TestApplyDoesNotModifyItsInput(t *testing.T) {
	s := run(t, opened(t), t0, buy("P0", 100))
	d, err := Decide(s, Void{IdemKey: "V", TerminalID: "T1", PurchaseKey: "P0"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	_ = Apply(s, d.Events[0])
	if s.Recent[0].Voided {
		t.Errorf("Apply modified the recent purchases of its input")
	}
}

func TestApplyUnknownEventPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("Apply(nil) did not panic")
		}
	}()
	Apply(State{}, nil)
}

func TestDayOf(t *testing.T) {
	tests := []struct {
		in   time.Time
		want Date
	}{
		{time.Date(2026, 3, 1, 15, 59, 59, 0, time.UTC), 20260301},
		{time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC), 20260302},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, cst), 20261231},
	}
	for _, tt := range tests {
		if got := DayOf(tt.in); got != tt.want {
			t.Errorf("DayOf(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDateValid(t *testing.T) {
	tests := []struct {
		in   Date
		want bool
	}{
		{20260228, true},
		{20280229, true},
		{20260229, false},
		{20261301, false},
		{20260100, false},
		{0, false},
		{-20260101, false},
	}
	for _, tt := range tests {
		if got := tt.in.Valid(); got != tt.want {
			t.Errorf("Date(%d).Valid() = %v, want %v", tt.in, got, tt.want)
		}
	}
}
