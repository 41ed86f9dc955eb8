package account

import "testing"

// TestLowBalanceOncePerCrossing runs purchases and recharges and counts the
// purchases that cross the threshold with the notice armed.
func TestLowBalanceOncePerCrossing(t *testing.T) {
	s := opened(t) // 30.00
	type step struct {
		cmd   Command
		cross bool
	}
	steps := []step{
		{buy("P1", 1500), false},        // 15.00
		{buy("P2", 600), true},          // 9.00: crossed
		{buy("P3", 100), false},         // 8.00: below already
		{recharge("R1", 400), false},    // 12.00 < 15.00: not re-armed
		{buy("P4", 300), false},         // 9.00: crossed again, not armed
		{recharge("R2", 600), false},    // 15.00: re-armed
		{buy("P5", 400), false},         // 11.00
		{buy("P6", 200), true},          // 9.00: crossed
		{recharge("R3", 1000), false},   // 19.00: re-armed
		{buy("P7", 1000), true},         // 9.00: crossed (daily cap 50.00)
		{recharge("R4", 100000), false}, // re-armed
	}
	crossings := 0
	for i, st := range steps {
		d, err := Decide(s, st.cmd, t0)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		for _, e := range d.Events {
			if got := LowBalanceCrossed(s, e); got != st.cross {
				t.Fatalf("step %d (%s, balance %v): crossed %v, want %v", i, st.cmd.Key(), s.Balance, got, st.cross)
			}
			if LowBalanceCrossed(s, e) {
				crossings++
			}
			s = Apply(s, e)
		}
	}
	if crossings != 3 || s.LowBalanceNotified {
		t.Fatalf("%d crossings, notified %v; want 3, false", crossings, s.LowBalanceNotified)
	}
}
