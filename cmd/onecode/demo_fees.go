package main

import (
	"context"
	"fmt"
	"time"

	"github.com/onecode/onecode/app/fees"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/gateway"
)

// demoFinanceStaff is who the demo's fee entries are recorded for.
const demoFinanceStaff = "demo-finance"

// seedDemoFees publishes the demo's one fee item, the autumn uniform for the whole
// school, and settles some of its bills the ways a finance office does: cash with a
// voucher for two pupils, half exempted for one; the others stay unpaid, for the
// parent to pay from the balance or online.
func seedDemoFees(ctx context.Context, svc *fees.Service, now time.Time) error {
	st := fees.Staff{ID: demoFinanceStaff, SchoolID: demoSchoolID}
	it, err := svc.CreateItem(ctx, st, fees.Definition{Title: "2026秋季校服费", Category: fee.Uniform, AmountFen: 12_000,
		Target: fee.Target{Kind: fee.TargetSchool}, DueDay: int32(schoolday.Of(now.AddDate(0, 0, 30))), AllowBalance: true})
	if err != nil {
		return fmt.Errorf("demo fee item: %w", err)
	}
	if _, err := svc.Publish(ctx, st, it.ID); err != nil {
		return fmt.Errorf("demo fee publish: %w", err)
	}
	for i, no := range []string{"2024000103", "2024000202"} {
		if _, err := svc.RecordCash(ctx, st, fees.Movement{ItemID: it.ID, AccountID: gateway.AccountID(demoSchoolID, no),
			AmountFen: 12_000, Text: fmt.Sprintf("XJ-2026-%04d", i+1), RequestID: "demo-cash-" + no}); err != nil {
			return fmt.Errorf("demo fee cash: %w", err)
		}
	}
	if _, err := svc.GrantExemption(ctx, st, fees.Movement{ItemID: it.ID, AccountID: gateway.AccountID(demoSchoolID, "2024000204"),
		AmountFen: 6_000, Text: "家庭经济困难，减免一半", RequestID: "demo-exempt-2024000204"}); err != nil {
		return fmt.Errorf("demo fee exemption: %w", err)
	}
	return nil
}
