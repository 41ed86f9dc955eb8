package fees

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// TestFeeNoticesArriveOnce against a real outbox store: a publish (run twice)
// tells each pupil's guardians once; the due-tomorrow runner, run twice on the
// day before the due day, tells the unpaid bills once (not the paid one); a
// refund settled twice (a repeated notification) is told once.
func TestFeeNoticesArriveOnce(t *testing.T) {
	ctx := context.Background()
	svc, _, dir := newWorld(t, 3)
	for i := range dir.list {
		dir.list[i].Name = "王小明"
	}
	now := func() time.Time { return time.Date(2026, 10, 30, 10, 0, 0, 0, shanghai) } // the item is due 20261031
	box, err := sqliteoutbox.Open(ctx, filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	ns := notify.Notices{Store: box, Now: now}
	svc.d.Notices, svc.d.Now = &ns, now

	it := classItem(t, svc, 3000, false)
	for range 2 {
		if _, err := svc.Publish(ctx, fin, it.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.RecordCash(ctx, fin, Movement{ItemID: it.ID, AccountID: "acc_0000", AmountFen: 3000, RequestID: "cash-0"}); err != nil {
		t.Fatal(err)
	}
	if r, err := svc.DueTomorrow(ctx); err != nil || r != (Reminded{Queued: 2}) {
		t.Fatalf("first due-tomorrow run: %+v %v", r, err)
	}
	if r, err := svc.DueTomorrow(ctx); err != nil || r != (Reminded{Skipped: 2}) {
		t.Fatalf("second due-tomorrow run: %+v %v", r, err)
	}
	rn := notify.RefundNotices{Notices: ns, Pupils: dir}
	for range 2 {
		if err := rn.RefundSettled(ctx, notify.SettledRefund{RefundNo: "F1", SchoolID: "35001", AccountID: "acc_0001",
			AmountFen: 1500, Succeeded: true}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := box.Claim(ctx, 50, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, n := range got {
		seen[n.Kind+" "+n.Recipient]++
	}
	want := map[string]int{
		"fee_published acc_0000": 1, "fee_published acc_0001": 1, "fee_published acc_0002": 1,
		"fee_due_tomorrow acc_0001": 1, "fee_due_tomorrow acc_0002": 1, "refund_done acc_0001": 1,
	}
	if len(seen) != len(want) || len(got) != len(want) {
		t.Fatalf("notices %v, want each of %v once", seen, want)
	}
	for k, n := range want {
		if seen[k] != n {
			t.Fatalf("notices %v, want each of %v once", seen, want)
		}
	}
}
