package fees

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	feestore "github.com/onecode/onecode/persistence/fees"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// flakyJournal is a Store whose AppendChange fails while down is set.
type flakyJournal struct {
	Store
	down atomic.Bool
}

func (f *flakyJournal) AppendChange(ctx context.Context, ch feestore.Change) (feestore.Change, bool, error) {
	if f.down.Load() {
		return feestore.Change{}, false, context.DeadlineExceeded
	}
	return f.Store.AppendChange(ctx, ch)
}

func changesOf(t *testing.T, svc *Service, itemID string) []Change {
	t.Helper()
	got, next, err := svc.ListChanges(context.Background(), fin, itemID, 0, MaxChangePage)
	if err != nil || next != 0 {
		t.Fatalf("ListChanges = %d rows, next %d, %v", len(got), next, err)
	}
	return got
}

func kindsOf(cs []Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c.Kind)
		if c.AccountID != "" {
			out[i] += " " + c.AccountID
		}
	}
	return out
}

func wantKinds(t *testing.T, got []Change, want ...string) {
	t.Helper()
	k := kindsOf(got)
	if len(k) != len(want) {
		t.Fatalf("changes %q, want %q", k, want)
	}
	for i := range k {
		if k[i] != want[i] || got[i].Seq != int64(i+1) {
			t.Fatalf("changes %q, want %q (seq 1…)", k, want)
		}
	}
}

// TestFeeItemChanges: every action on an item is one row of its journal, in order,
// with the staff member and role; a retried action (same request id) adds none.
func TestFeeItemChanges(t *testing.T) {
	svc, _, _ := newWorld(t, 2)
	ctx := context.Background()
	boss := Staff{ID: "adm_1", SchoolID: "35001", Role: "school_admin"}
	it := classItem(t, svc, 5000, true)
	d := Definition{Title: "书本费（秋）", Category: fee.Books, AmountFen: 6000,
		Target: fee.Target{Kind: fee.TargetClasses, ClassIDs: []string{"3-1"}}, DueDay: 20261031}
	if _, err := svc.UpdateItem(ctx, boss, it.ID, d); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := svc.Publish(ctx, fin, it.ID); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := svc.RecordCash(ctx, fin, Movement{ItemID: it.ID, AccountID: "acc_0000", AmountFen: 1000, Text: "V-1", RequestID: "c1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.GrantExemption(ctx, boss, Movement{ItemID: it.ID, AccountID: "acc_0001", AmountFen: 6000, Text: "低保", RequestID: "e1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.JournalRefund(ctx, RefundNote{SchoolID: "35001", StaffID: "fin_1", AccountID: "acc_0000", ItemID: it.ID,
		RequestID: "rf1", RefundNo: "F1", AmountFen: 500, Reason: "多交"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Close(ctx, fin, it.ID); err != nil {
		t.Fatal(err)
	}
	got := changesOf(t, svc, it.ID)
	wantKinds(t, got, "create", "edit", "publish", "cash acc_0000", "exempt acc_0001", "refund acc_0000", "close")
	if got[1].StaffID != "adm_1" || got[1].Role != "school_admin" || got[4].Detail != "60.00: 低保" {
		t.Fatalf("edit %+v, exemption %+v", got[1], got[4])
	}
	if got[3].Detail != "10.00: V-1" || got[0].StaffID != "fin_1" || got[0].At.IsZero() {
		t.Fatalf("cash %+v, create %+v", got[3], got[0])
	}
	page, next, err := svc.ListChanges(ctx, fin, it.ID, 0, 3)
	if err != nil || len(page) != 3 || next != 3 {
		t.Fatalf("first page %d rows, next %d, %v", len(page), next, err)
	}
	if _, _, err := svc.ListChanges(ctx, Staff{ID: "x", SchoolID: "35002"}, it.ID, 0, 10); reason.Of(err) != reason.FeeItemNotFound {
		t.Fatalf("another school's journal: %v", err)
	}
	if _, _, err := svc.ListChanges(ctx, fin, it.ID, 0, MaxChangePage+1); reason.Of(err) != reason.InvalidPageSize {
		t.Fatalf("huge page: %v", err)
	}
}

// TestFeeItemAddPupil: a pupil who joined later gets the bill of an open item, once;
// one who left, of another school, or a draft or closed item is refused; a close
// closes the added pupil's bill too.
func TestFeeItemAddPupil(t *testing.T) {
	svc, g, dir := newWorld(t, 2)
	ctx := context.Background()
	joined := newPupil(t, g, dir, "acc_0100", "3-2", directory.PupilActive)
	newPupil(t, g, dir, "acc_0101", "3-2", directory.PupilLeft)
	it := classItem(t, svc, 3000, false)
	if _, err := svc.AddPupil(ctx, fin, it.ID, joined); reason.Of(err) != reason.FeeItemNotPublished {
		t.Fatalf("add to a draft: %v", err)
	}
	if _, err := svc.Publish(ctx, fin, it.ID); err != nil {
		t.Fatal(err)
	}
	b, err := svc.AddPupil(ctx, fin, it.ID, joined)
	if err != nil || b.DueFen != 3000 || b.Status != fee.StatusUnpaid || b.Replayed {
		t.Fatalf("AddPupil = %+v, %v", b, err)
	}
	if b, err := svc.AddPupil(ctx, fin, it.ID, joined); err != nil || !b.Replayed {
		t.Fatalf("second AddPupil = %+v, %v; want the bill, replayed", b, err)
	}
	if bills := g.states[joined].Bills; len(bills) != 1 {
		t.Fatalf("bills of the added pupil: %+v", bills)
	}
	for name, tc := range map[string]struct {
		st      Staff
		account string
		want    reason.Code
	}{
		"left the school": {fin, "acc_0101", reason.PupilNotActive},
		"unknown pupil":   {fin, "acc_9999", reason.BillNotFound},
		"another school":  {Staff{ID: "f2", SchoolID: "35002"}, joined, reason.FeeItemNotFound},
	} {
		if _, err := svc.AddPupil(ctx, tc.st, it.ID, tc.account); reason.Of(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	rows, _, err := svc.ListBills(ctx, fin, it.ID, "3-2", "", 10)
	if err != nil || len(rows) != 1 || rows[0].AccountID != joined {
		t.Fatalf("read model of class 3-2: %+v, %v", rows, err)
	}
	if _, err := svc.Close(ctx, fin, it.ID); err != nil {
		t.Fatal(err)
	}
	if bill, _ := g.states[joined].Bill(it.ID); !bill.Closed {
		t.Fatalf("the added pupil's bill is open after the close: %+v", bill)
	}
	if _, err := svc.AddPupil(ctx, fin, it.ID, joined); reason.Of(err) != reason.FeeItemClosed {
		t.Fatalf("add to a closed item: %v", err)
	}
	wantKinds(t, changesOf(t, svc, it.ID), "create", "publish", "add_pupil "+joined, "close")
}

// newPupil adds an opened account of school 35001 to the directory.
func newPupil(t *testing.T, g *grains, dir *pupils, id, class string, status directory.PupilStatus) string {
	t.Helper()
	no := "2025" + id[len(id)-4:]
	dir.list = append(dir.list, directory.Pupil{AccountID: id, SchoolID: "35001", StudentNo: no, ClassID: class, Status: status, Name: "李新生"})
	openAccount(t, g, id, no)
	return id
}

// TestAddPupilNoticeAndJournal: the added pupil's guardians get the item's notice
// once (an added pupil already told on the publish gets none), and the journal
// names the pupil.
func TestAddPupilNoticeAndJournal(t *testing.T) {
	ctx := context.Background()
	svc, g, dir := newWorld(t, 2)
	now := func() time.Time { return time.Date(2026, 10, 20, 10, 0, 0, 0, shanghai) }
	box, err := sqliteoutbox.Open(ctx, filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	ns := notify.Notices{Store: box, Now: now}
	svc.d.Notices, svc.d.Now = &ns, now
	joined := newPupil(t, g, dir, "acc_0100", "3-2", directory.PupilActive)
	it := classItem(t, svc, 3000, false)
	if _, err := svc.Publish(ctx, fin, it.ID); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{joined, joined, "acc_0000"} {
		if _, err := svc.AddPupil(ctx, fin, it.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.RemindUnpaid(ctx, fin, it.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, err := box.Claim(ctx, 50, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, n := range got {
		seen[n.Kind+" "+n.Recipient]++
	}
	for _, k := range []string{"fee_published acc_0000", "fee_published acc_0001", "fee_published " + joined,
		"fee_reminder acc_0000", "fee_reminder acc_0001", "fee_reminder " + joined} {
		if seen[k] != 1 {
			t.Fatalf("notices %v: want one %q", seen, k)
		}
	}
	if len(got) != 6 {
		t.Fatalf("notices %v, want 6", seen)
	}
	cs := changesOf(t, svc, it.ID)
	wantKinds(t, cs, "create", "publish", "add_pupil "+joined, "add_pupil acc_0000", "remind")
	if cs[3].Detail != "bill 30.00 (already billed)" || cs[4].Key != "remind:20261020:" {
		t.Fatalf("changes %+v", cs)
	}
}

// TestJournalDownFailsTheAction: when the journal cannot be written the action
// answers Unavailable (its effect is kept); the retry answers the first outcome and
// writes exactly one row.
func TestJournalDownFailsTheAction(t *testing.T) {
	svc, g, dir := newWorld(t, 2)
	ctx := context.Background()
	flaky := &flakyJournal{Store: svc.d.Store}
	svc.d.Store = flaky
	joined := newPupil(t, g, dir, "acc_0100", "3-2", directory.PupilActive)
	it := classItem(t, svc, 3000, false)
	cash := Movement{ItemID: it.ID, AccountID: "acc_0000", AmountFen: 3000, Text: "V-9", RequestID: "c9"}
	steps := []struct {
		name string
		f    func() error
	}{
		{"publish", func() error { _, err := svc.Publish(ctx, fin, it.ID); return err }},
		{"cash", func() error { _, err := svc.RecordCash(ctx, fin, cash); return err }},
		{"add pupil", func() error { _, err := svc.AddPupil(ctx, fin, it.ID, joined); return err }},
		{"refund", func() error {
			return svc.JournalRefund(ctx, RefundNote{SchoolID: "35001", StaffID: "fin_1", AccountID: "acc_0000", ItemID: it.ID, RequestID: "r9"})
		}},
		{"close", func() error { _, err := svc.Close(ctx, fin, it.ID); return err }},
	}
	for _, st := range steps {
		flaky.down.Store(true)
		err := st.f()
		if e, ok := reason.As(err); !ok || e.Kind != reason.KindUnavailable || e.Code != reason.Unavailable {
			t.Fatalf("%s with the journal down: %v, want UNAVAILABLE", st.name, err)
		}
		flaky.down.Store(false)
		for range 2 {
			if err := st.f(); err != nil {
				t.Fatalf("%s retried: %v", st.name, err)
			}
		}
	}
	if b, _ := g.states["acc_0000"].Bill(it.ID); b.Paid != 3000 {
		t.Fatalf("cash paid %d, want 3000 once", b.Paid)
	}
	wantKinds(t, changesOf(t, svc, it.ID), "create", "publish", "cash acc_0000", "add_pupil "+joined, "refund acc_0000", "close")
}

func openAccount(t *testing.T, g *grains, id, studentNo string) {
	t.Helper()
	open := &grainv1.ExecuteRequest{IdemKey: "open", Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{
		SchoolId: "35001", StudentNo: studentNo, CardRandom: "07", CardExpiry: "20270831",
		Limits: &grainv1.Limits{SingleRechargeMaxFen: 100000, BalanceCapFen: 200000}}}}
	if r, err := g.Execute(context.Background(), id, open); err != nil || r.GetAccepted() == nil {
		t.Fatalf("open %s: %v %v", id, r, err)
	}
}
