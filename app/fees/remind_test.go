package fees

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// TestRemindUnpaid against a real outbox store: only unpaid bills are reminded; a
// second run on the same China day queues nothing; a reminder made at 22:30 is not
// claimable before 07:00 and is the next morning; the next day reminds again.
func TestRemindUnpaid(t *testing.T) {
	ctx := context.Background()
	svc, _, dir := newWorld(t, 3)
	for i := range dir.list {
		dir.list[i].Name = "王小明"
	}
	var clock atomic.Int64 // unix micro
	now := func() time.Time { return time.UnixMicro(clock.Load()).UTC() }
	set := func(s string) {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		clock.Store(tm.UnixMicro())
	}
	set("2026-09-01T22:30:00+08:00")
	box, err := sqliteoutbox.Open(ctx, filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	it := classItem(t, svc, 3000, false)
	if _, err := svc.RemindUnpaid(ctx, fin, it.ID, ""); !errors.Is(err, ErrNoNotices) {
		t.Fatalf("without notices: %v", err)
	}
	svc.d.Notices, svc.d.Now = &notify.Notices{Store: box, Now: now}, now

	if _, err := svc.Publish(ctx, fin, it.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordCash(ctx, fin, Movement{ItemID: it.ID, AccountID: "acc_0000", AmountFen: 3000, RequestID: "cash-0"}); err != nil {
		t.Fatal(err)
	}
	r, err := svc.RemindUnpaid(ctx, fin, it.ID, "")
	if err != nil || r != (Reminded{Queued: 2}) {
		t.Fatalf("first run: %+v %v", r, err)
	}
	if r, err = svc.RemindUnpaid(ctx, fin, it.ID, ""); err != nil || r != (Reminded{Skipped: 2}) {
		t.Fatalf("same day: %+v %v", r, err)
	}
	if got, err := box.Claim(ctx, 10, time.Minute); err != nil || len(got) != 0 {
		t.Fatalf("claimed in quiet hours: %v %v", got, err)
	}
	set("2026-09-02T07:00:01+08:00")
	got, err := box.Claim(ctx, 10, time.Minute)
	if err != nil || len(got) != 5 { // 2 reminders and the 3 fee_published notices of the publish
		t.Fatalf("morning claim: %v %v", got, err)
	}
	var who []string
	for _, n := range got {
		if n.Kind == string(notify.KindFeeReminder) {
			who = append(who, n.Recipient)
		}
	}
	sort.Strings(who)
	if len(who) != 2 || who[0] != "acc_0001" || who[1] != "acc_0002" {
		t.Fatalf("reminded %v, want the unpaid acc_0001, acc_0002", who)
	}
	if r, err = svc.RemindUnpaid(ctx, fin, it.ID, ""); err != nil || r != (Reminded{Queued: 2}) {
		t.Fatalf("next day: %+v %v", r, err)
	}
}
