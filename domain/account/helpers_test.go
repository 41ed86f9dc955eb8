package account

import (
	"testing"
	"time"

	"github.com/onecode/onecode/domain/money"
)

var (
	cst = time.FixedZone("CST", 8*3600)
	// t0 is a Monday lunch time in Shanghai.
	t0 = time.Date(2026, 3, 2, 11, 30, 0, 0, cst)
)

const (
	testAccount = "A1"
	testSchool  = "10001"
	testExpiry  = Date(20270831)
)

func testLimits() Limits {
	return Limits{SingleRechargeMax: 100000, BalanceCap: 200000, DailySpendCap: 5000, ArrearsCap: 2000}
}

func openCmd() Open {
	return Open{
		IdemKey: "open", AccountID: testAccount, SchoolID: testSchool, StudentNo: "2026000001",
		Limits: testLimits(), CardRandom: "07", Expiry: testExpiry,
	}
}

// buy returns a purchase of amount with the first card at terminal T1.
func buy(key string, amount money.Amount) Purchase {
	return Purchase{
		IdemKey: key, SchoolID: testSchool, TerminalID: "T1", CanteenID: "C1",
		Amount: amount, Card: PresentedCard{Random: "07", Expiry: testExpiry},
	}
}

func withCard(p Purchase, random string, expiry Date) Purchase {
	p.Card = PresentedCard{Random: random, Expiry: expiry}
	return p
}

func withOverride(p Purchase) Purchase {
	p.Override = true
	return p
}

func recharge(order string, amount money.Amount) RechargeCredit {
	return RechargeCredit{IdemKey: order, OrderID: order, Amount: amount}
}

// run decides and applies cmds in order at time at, failing on a decline.
func run(t *testing.T, s State, at time.Time, cmds ...Command) State {
	t.Helper()
	for _, c := range cmds {
		d, err := Decide(s, c, at)
		if err != nil {
			t.Fatalf("setup %T %q: %v", c, c.Key(), err)
		}
		for _, e := range d.Events {
			s = Apply(s, e)
		}
	}
	return s
}

// opened returns an account opened at t0 with 30.00 CNY.
func opened(t *testing.T) State {
	t.Helper()
	return run(t, State{}, t0, openCmd(), recharge("R0", 3000))
}
