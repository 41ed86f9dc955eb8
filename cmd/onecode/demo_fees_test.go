package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/app/fees"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/fees/pgfees"
)

// TestSeedDemoFees: the demo has one published fee item for the whole school, with
// two bills paid in cash, one half exempted and the rest unpaid.
func TestSeedDemoFees(t *testing.T) {
	ctx := context.Background()
	sw := switchtest.New(t, switchtest.Options{Name: "demo-fees-test"})
	deps := sw.Deps()
	deps.IDHashKey = bytes.Repeat([]byte{1}, 32)
	store, err := pgfees.Open(ctx, sw.DSN, pgfees.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	deps.FeeStore = store
	now := time.Now()
	if _, err := seedDemo(ctx, gateway.NewAdminService(deps), t.TempDir(), now); err != nil {
		t.Fatal(err)
	}
	svc, err := deps.Fees()
	if err != nil {
		t.Fatal(err)
	}
	if err := seedDemoFees(ctx, svc, now); err != nil {
		t.Fatal(err)
	}
	st := fees.Staff{ID: demoFinanceStaff, SchoolID: demoSchoolID}
	items, err := svc.ListItems(ctx, st, 10)
	if err != nil || len(items) != 1 || items[0].State != fee.Published {
		t.Fatalf("items %+v (%v), want one published", items, err)
	}
	bills, _, err := svc.ListBills(ctx, st, items[0].ID, "", "", 100)
	if err != nil || len(bills) != len(demoPupils) {
		t.Fatalf("%d bills (%v), want one per demo pupil (%d)", len(bills), err, len(demoPupils))
	}
	var paid, exempted, unpaid int
	for _, b := range bills {
		switch {
		case b.PaidFen == b.DueFen:
			paid++
		case b.ExemptedFen == b.DueFen/2 && b.PaidFen == 0:
			exempted++
		case b.PaidFen == 0 && b.ExemptedFen == 0:
			unpaid++
		default:
			t.Errorf("bill %+v: not one the demo makes", b)
		}
	}
	if paid != 2 || exempted != 1 || unpaid != len(demoPupils)-3 {
		t.Errorf("paid %d, half exempted %d, unpaid %d; want 2, 1, %d", paid, exempted, unpaid, len(demoPupils)-3)
	}
}
