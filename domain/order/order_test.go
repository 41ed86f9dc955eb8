package order

import "testing"

var allStates = []State{StatePending, StateAwaitingPayment, StateCredited, StateClosed, StateFailed}

func TestCanMove(t *testing.T) {
	// allowed[from] lists the states from may move to.
	allowed := map[State][]State{
		StatePending:         {StatePending, StateAwaitingPayment, StateCredited, StateClosed, StateFailed},
		StateAwaitingPayment: {StateAwaitingPayment, StateCredited, StateClosed, StateFailed},
		StateCredited:        {},
		StateClosed:          {StateCredited},
		StateFailed:          {StateCredited},
		State("paid"):        {},
	}
	for from, tos := range allowed {
		want := map[State]bool{}
		for _, to := range tos {
			want[to] = true
		}
		for _, to := range append(allStates, State("paid")) {
			if got := CanMove(from, to); got != want[to] {
				t.Errorf("CanMove(%q, %q) = %v, want %v", from, to, got, want[to])
			}
		}
	}
}

func TestStates(t *testing.T) {
	for _, tc := range []struct {
		s               State
		valid, open, cr bool
	}{
		{StatePending, true, true, true},
		{StateAwaitingPayment, true, true, true},
		{StateCredited, true, false, false},
		{StateClosed, true, false, true},
		{StateFailed, true, false, true},
		{"", false, false, false},
		{"paid", false, false, false},
	} {
		cr := false
		for _, c := range CreditableStates() {
			cr = cr || c == tc.s
		}
		if tc.s.Valid() != tc.valid || tc.s.Open() != tc.open || cr != tc.cr {
			t.Errorf("%q: valid %v open %v creditable %v, want %v %v %v", tc.s, tc.s.Valid(), tc.s.Open(), cr, tc.valid, tc.open, tc.cr)
		}
		for _, c := range CreditableStates() {
			if !CanMove(c, StateCredited) {
				t.Errorf("creditable state %q cannot move to credited", c)
			}
		}
	}
	for _, s := range OpenStates() {
		if !s.Open() {
			t.Errorf("OpenStates has %q, which is not open", s)
		}
	}
}

func TestAfterCreate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		r         CreateResult
		wantState State
		wantMove  bool
	}{
		{"accepted", CreateAccepted, StateAwaitingPayment, true},
		{"refused", CreateRefused, StateFailed, true},
		{"unknown stays pending", CreateUnknown, StatePending, false},
	} {
		got, moved := AfterCreate(tc.r)
		if got != tc.wantState || moved != tc.wantMove {
			t.Errorf("%s: AfterCreate = %q, %v; want %q, %v", tc.name, got, moved, tc.wantState, tc.wantMove)
		}
		if moved && !CanMove(StatePending, got) {
			t.Errorf("%s: %q is not a move of a pending order", tc.name, got)
		}
	}
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       State
		r       Remote
		expired bool
		want    Action
	}{
		{"lost create never reached the aggregator", StatePending, RemoteUnknown, false, ActionMarkFailed},
		{"pending unknown, expired", StatePending, RemoteUnknown, true, ActionMarkFailed},
		{"awaiting unknown, expired", StateAwaitingPayment, RemoteUnknown, true, ActionMarkClosed},
		{"awaiting unknown, not expired", StateAwaitingPayment, RemoteUnknown, false, ActionTouch},
		{"paid while pending", StatePending, RemotePaid, false, ActionCredit},
		{"paid after expiry", StateAwaitingPayment, RemotePaid, true, ActionCredit},
		{"closed there", StateAwaitingPayment, RemoteClosed, false, ActionMarkClosed},
		{"closed there, pending here", StatePending, RemoteClosed, true, ActionMarkClosed},
		{"unpaid, expired", StateAwaitingPayment, RemoteNotPaid, true, ActionClose},
		{"unpaid pending, expired", StatePending, RemoteNotPaid, true, ActionClose},
		{"lost create answer", StatePending, RemoteNotPaid, false, ActionReplace},
		{"unpaid, still time", StateAwaitingPayment, RemoteNotPaid, false, ActionTouch},
		{"refunded", StateAwaitingPayment, RemoteRefunded, false, ActionTouch},
		{"refunded, expired", StatePending, RemoteRefunded, true, ActionTouch},
	} {
		if got := Resolve(tc.s, tc.r, tc.expired); got != tc.want {
			t.Errorf("%s: Resolve(%q, %d, %v) = %d, want %d", tc.name, tc.s, tc.r, tc.expired, got, tc.want)
		}
	}
}
