package account

import (
	"fmt"
	"testing"
)

// BenchmarkDecidePurchase decides (and so applies) one purchase on an account whose
// recent-purchase list is full, as every account is after a few weeks of meals.
func BenchmarkDecidePurchase(b *testing.B) {
	s := Apply(State{}, AccountOpened{AccountID: testAccount, SchoolID: testSchool, StudentNo: "2026000001",
		Limits: Limits{SingleRechargeMax: 100000, BalanceCap: 1 << 40, ArrearsCap: 2000}, CardRandom: "07", Expiry: testExpiry})
	s = Apply(s, RechargeCredited{OrderID: "r", Amount: 1 << 39})
	for i := range MaxRecentPurchases {
		// Keys as terminals make them: one terminal's, all of one length.
		d, err := Decide(s, buy(fmt.Sprint("T1:", 100000+i), 100), t0)
		if err != nil {
			b.Fatal(err)
		}
		s = d.Next
	}
	cmds := make([]Purchase, 1024)
	for i := range cmds {
		cmds[i] = buy(fmt.Sprint("T1:", 200000+i), 100)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d, err := Decide(s, cmds[i%len(cmds)], t0)
		if err != nil {
			b.Fatal(err)
		}
		if d.Next.Seq != s.Seq+1 {
			b.Fatal("no event")
		}
	}
}
