// Package feestest is the conformance suite of fees.Store: every implementation
// (pgfees, sqlitefees) runs it.
package feestest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/persistence/fees"
)

// Opener returns a new, empty Store whose clock is now.
type Opener func(t *testing.T, now func() time.Time) fees.Store

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// Run runs the suite; each subtest gets a new Store (closed by the suite).
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		f    func(t *testing.T, s fees.Store, c *clock)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"CreateInvalid", testCreateInvalid},
		{"UpdateDraftOnly", testUpdateDraft},
		{"MoveItem", testMoveItem},
		{"ListItemsPerSchool", testListItems},
		{"PublishedDueOn", testPublishedDueOn},
		{"PutBillBySeq", testPutBill},
		{"PutBillsBySeq", testPutBills},
		{"UpdateBillKeepsClass", testUpdateBill},
		{"ListBillsAndTotals", testListBills},
		{"ChangesWithCreateAndEdit", testChangesWithItem},
		{"AppendChangeOncePerKey", testAppendChangeOnce},
		{"AppendChangeConcurrent", testAppendChangeConcurrent},
		{"ChangeInvalid", testChangeInvalid},
		{"ReplaceAmounts", testReplaceAmounts},
		{"ReplaceAmountsDraftOnly", testReplaceAmountsDraftOnly},
		{"ReplaceAmountsOncePerKey", testReplaceAmountsOncePerKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: time.Date(2026, 9, 1, 11, 30, 0, 123456789, time.UTC)}
			s := open(t, c.Now)
			t.Cleanup(func() { _ = s.Close() })
			tc.f(t, s, c)
		})
	}
}

func item(id, school string) fees.Item {
	return fees.Item{Item: fee.Item{ID: id, SchoolID: school, Title: "校服费", Category: fee.Uniform, Amount: 12000,
		Target: fee.Target{Kind: fee.TargetClasses, ClassIDs: []string{"C1", "C2"}}, Due: 20260930, AllowBalance: true},
		CreatedBy: "fin-1", CreatedAt: time.Date(2026, 9, 1, 10, 0, 0, 1500, time.UTC)}
}

func create(t *testing.T, s fees.Store, it fees.Item) fees.Item {
	t.Helper()
	got, err := s.CreateItem(context.Background(), it, created(it.ID))
	if err != nil {
		t.Fatalf("CreateItem %s: %v", it.ID, err)
	}
	return got
}

func testCreateAndGet(t *testing.T, s fees.Store, c *clock) {
	ctx := context.Background()
	want := item("FI1", "S1")
	got := create(t, s, want)
	want.State = fee.Draft
	want.CreatedAt = fees.Micro(want.CreatedAt)
	want.UpdatedAt = fees.Micro(c.Now())
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("created\n got %+v\nwant %+v", got, want)
	}
	if again, err := s.GetItem(ctx, "FI1"); err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("GetItem = %+v, %v", again, err)
	}
	if _, err := s.CreateItem(ctx, item("FI1", "S1"), created("FI1")); !errors.Is(err, fees.ErrConflict) {
		t.Errorf("second create: %v, want %v", err, fees.ErrConflict)
	}
	if _, err := s.GetItem(ctx, "nope"); !errors.Is(err, fees.ErrNotFound) {
		t.Errorf("GetItem unknown: %v, want %v", err, fees.ErrNotFound)
	}
	listed := item("FI2", "S1")
	listed.Target = fee.Target{Kind: fee.TargetAccounts, AccountIDs: []string{"A1", "A2"}}
	if got := create(t, s, listed); !reflect.DeepEqual(got.Target, listed.Target) {
		t.Errorf("target %+v, want %+v", got.Target, listed.Target)
	}
}

func testCreateInvalid(t *testing.T, s fees.Store, _ *clock) {
	for name, f := range map[string]func(*fees.Item){
		"no id":          func(it *fees.Item) { it.ID = "" },
		"no school":      func(it *fees.Item) { it.SchoolID = "" },
		"no creator":     func(it *fees.Item) { it.CreatedBy = "" },
		"zero amount":    func(it *fees.Item) { it.Amount = 0 },
		"empty target":   func(it *fees.Item) { it.Target.ClassIDs = nil },
		"no created_at":  func(it *fees.Item) { it.CreatedAt = time.Time{} },
		"unknown option": func(it *fees.Item) { it.Category = "x" },
	} {
		it := item("FI-"+name, "S1")
		f(&it)
		if _, err := s.CreateItem(context.Background(), it, created(it.ID)); !errors.Is(err, fees.ErrInvalid) {
			t.Errorf("%s: %v, want %v", name, err, fees.ErrInvalid)
		}
	}
}

func testUpdateDraft(t *testing.T, s fees.Store, c *clock) {
	ctx := context.Background()
	create(t, s, item("FI1", "S1"))
	c.Add(time.Minute)
	up := item("FI1", "S1")
	up.Title, up.Amount = "校服费（秋）", 15000
	got, err := s.UpdateDraft(ctx, up, edited("e1"))
	if err != nil || got.Title != up.Title || got.Amount != 15000 || !got.UpdatedAt.Equal(fees.Micro(c.Now())) {
		t.Fatalf("UpdateDraft = %+v, %v", got, err)
	}
	other := up
	other.SchoolID = "S2"
	if _, err := s.UpdateDraft(ctx, other, edited("e2")); !errors.Is(err, fees.ErrNotFound) {
		t.Errorf("update from another school: %v, want %v", err, fees.ErrNotFound)
	}
	if _, err := s.MoveItem(ctx, "FI1", fee.Draft, fee.Published); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateDraft(ctx, up, edited("e1")); !errors.Is(err, fees.ErrConflict) {
		t.Errorf("update of a published item: %v, want %v", err, fees.ErrConflict)
	}
}

func testMoveItem(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	create(t, s, item("FI1", "S1"))
	steps := []struct {
		from, to fee.State
		wantErr  error
	}{
		{fee.Published, fee.Closed, fees.ErrConflict},
		{fee.Draft, fee.Closed, fees.ErrInvalid},
		{fee.Draft, fee.Published, nil},
		{fee.Draft, fee.Published, fees.ErrConflict},
		{fee.Published, fee.Closed, nil},
		{fee.Closed, fee.Published, fees.ErrInvalid},
	}
	for _, st := range steps {
		got, err := s.MoveItem(ctx, "FI1", st.from, st.to)
		if !errors.Is(err, st.wantErr) || (st.wantErr == nil) != (err == nil) {
			t.Fatalf("MoveItem %s→%s: %v, want %v", st.from, st.to, err, st.wantErr)
		}
		if err == nil && got.State != st.to {
			t.Fatalf("state %s, want %s", got.State, st.to)
		}
	}
	if _, err := s.MoveItem(ctx, "nope", fee.Draft, fee.Published); !errors.Is(err, fees.ErrNotFound) {
		t.Errorf("move unknown: %v", err)
	}
}

func testListItems(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	for i := range 3 {
		it := item(fmt.Sprintf("FI%d", i), "S1")
		it.CreatedAt = it.CreatedAt.Add(time.Duration(i) * time.Hour)
		create(t, s, it)
	}
	create(t, s, item("FX", "S2"))
	got, err := s.ListItems(ctx, "S1", 2)
	if err != nil || len(got) != 2 || got[0].ID != "FI2" || got[1].ID != "FI1" {
		t.Fatalf("ListItems = %v, %v; want FI2, FI1", got, err)
	}
	if _, err := s.ListItems(ctx, "S1", 0); !errors.Is(err, fees.ErrInvalid) {
		t.Errorf("limit 0: %v", err)
	}
}

func testPublishedDueOn(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	for _, id := range []string{"FA", "FB", "FC"} {
		create(t, s, item(id, "S"+id))
	}
	other := item("FD", "S1")
	other.Due = 20261001
	create(t, s, other)
	for _, id := range []string{"FA", "FC", "FD"} {
		if _, err := s.MoveItem(ctx, id, fee.Draft, fee.Published); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.PublishedDueOn(ctx, 20260930, "", 1)
	if err != nil || len(got) != 1 || got[0].ID != "FA" {
		t.Fatalf("first page = %v, %v; want FA", got, err)
	}
	got, err = s.PublishedDueOn(ctx, 20260930, "FA", 10)
	if err != nil || len(got) != 1 || got[0].ID != "FC" {
		t.Fatalf("after FA = %v, %v; want FC (FB is a draft, FD due another day)", got, err)
	}
	if _, err := s.PublishedDueOn(ctx, 20260930, "", 0); !errors.Is(err, fees.ErrInvalid) {
		t.Errorf("limit 0: %v", err)
	}
}

func bill(account, class string, seq, paid int64, status fee.Status) fees.Bill {
	return fees.Bill{ItemID: "FI1", AccountID: account, SchoolID: "S1", ClassID: class, DueFen: 12000, PaidFen: paid,
		Status: status, Seq: seq}
}

func testPutBill(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	create(t, s, item("FI1", "S1"))
	for _, st := range []struct {
		b         fees.Bill
		wantWrote bool
	}{
		{bill("A1", "C1", 5, 0, fee.StatusUnpaid), true},
		{bill("A1", "C1", 7, 5000, fee.StatusPartlyPaid), true},
		{bill("A1", "C1", 6, 0, fee.StatusUnpaid), false}, // a late writer never rolls back
		{bill("A1", "C1", 7, 0, fee.StatusUnpaid), false},
	} {
		wrote, err := s.PutBill(ctx, st.b)
		if err != nil || wrote != st.wantWrote {
			t.Fatalf("PutBill seq %d: wrote %v, %v; want %v", st.b.Seq, wrote, err, st.wantWrote)
		}
	}
	got, err := s.ListBills(ctx, "FI1", "", "", 10)
	if err != nil || len(got) != 1 || got[0] != bill("A1", "C1", 7, 5000, fee.StatusPartlyPaid) {
		t.Fatalf("ListBills = %+v, %v", got, err)
	}
	for name, b := range map[string]fees.Bill{
		"overpaid":       bill("A2", "C1", 1, 12001, fee.StatusPaid),
		"paid+exempted":  func() fees.Bill { b := bill("A2", "C1", 1, 6000, fee.StatusPaid); b.ExemptedFen = 6001; return b }(),
		"no seq":         bill("A2", "C1", 0, 0, fee.StatusUnpaid),
		"unknown status": bill("A2", "C1", 1, 0, "lost"),
		"refunded>paid":  func() fees.Bill { b := bill("A2", "C1", 1, 6000, fee.StatusPartlyPaid); b.RefundedFen = 6001; return b }(),
	} {
		if _, err := s.PutBill(ctx, b); !errors.Is(err, fees.ErrInvalid) {
			t.Errorf("%s: %v, want %v", name, err, fees.ErrInvalid)
		}
	}
	if _, err := s.PutBill(ctx, fees.Bill{ItemID: "nope", AccountID: "A1", SchoolID: "S1", DueFen: 1, Status: fee.StatusUnpaid, Seq: 1}); !errors.Is(err, fees.ErrNotFound) {
		t.Errorf("bill of an unknown item: %v, want %v", err, fees.ErrNotFound)
	}
}

func testUpdateBill(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	create(t, s, item("FI1", "S1"))
	if _, err := s.PutBill(ctx, bill("A1", "C1", 5, 0, fee.StatusUnpaid)); err != nil {
		t.Fatal(err)
	}
	paid := bill("A1", "", 7, 12000, fee.StatusPaid)
	paid.SchoolID = ""
	for _, st := range []struct {
		b         fees.Bill
		wantWrote bool
	}{
		{paid, true},
		{paid, false}, // as new: not written again
		{func() fees.Bill { b := paid; b.Seq, b.PaidFen, b.Status = 6, 5000, fee.StatusPartlyPaid; return b }(), false}, // a late writer never rolls back
		{func() fees.Bill { b := paid; b.AccountID = "A2"; return b }(), false},                                         // no row: PutBill writes it
	} {
		wrote, err := s.UpdateBill(ctx, st.b)
		if err != nil || wrote != st.wantWrote {
			t.Fatalf("UpdateBill %s seq %d: wrote %v, %v; want %v", st.b.AccountID, st.b.Seq, wrote, err, st.wantWrote)
		}
	}
	got, err := s.ListBills(ctx, "FI1", "", "", 10)
	if err != nil || len(got) != 1 || got[0] != bill("A1", "C1", 7, 12000, fee.StatusPaid) {
		t.Fatalf("ListBills = %+v, %v; want A1 paid in its class C1 of school S1", got, err)
	}
	over := paid
	over.Seq, over.PaidFen = 8, 12001
	if _, err := s.UpdateBill(ctx, over); !errors.Is(err, fees.ErrInvalid) {
		t.Errorf("overpaid: %v, want %v", err, fees.ErrInvalid)
	}
}

func testPutBills(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	create(t, s, item("FI1", "S1"))
	if _, err := s.PutBill(ctx, bill("A1", "C1", 7, 5000, fee.StatusPartlyPaid)); err != nil {
		t.Fatal(err)
	}
	n, err := s.PutBills(ctx, []fees.Bill{
		bill("A1", "C1", 6, 0, fee.StatusUnpaid), // older than the stored row: not written
		bill("A2", "C2", 1, 0, fee.StatusUnpaid),
		bill("A3", "C1", 1, 0, fee.StatusUnpaid),
		bill("A3", "C1", 2, 12000, fee.StatusPaid), // the same bill again, later: counts once
	})
	if err != nil || n != 2 {
		t.Fatalf("PutBills = %d, %v; want 2 written", n, err)
	}
	got, err := s.ListBills(ctx, "FI1", "", "", 10)
	want := []fees.Bill{bill("A1", "C1", 7, 5000, fee.StatusPartlyPaid), bill("A2", "C2", 1, 0, fee.StatusUnpaid), bill("A3", "C1", 2, 12000, fee.StatusPaid)}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("ListBills = %+v, %v; want %+v", got, err, want)
	}
	if n, err := s.PutBills(ctx, want); err != nil || n != 0 {
		t.Errorf("PutBills of the stored rows = %d, %v; want 0", n, err)
	}
	for name, bs := range map[string][]fees.Bill{
		"none":     nil,
		"too many": make([]fees.Bill, fees.MaxListLimit+1),
		"invalid":  {bill("A4", "C1", 1, 0, fee.StatusUnpaid), bill("A5", "C1", 0, 0, fee.StatusUnpaid)},
	} {
		if _, err := s.PutBills(ctx, bs); !errors.Is(err, fees.ErrInvalid) {
			t.Errorf("%s: %v, want %v", name, err, fees.ErrInvalid)
		}
	}
	if got, _ := s.ListBills(ctx, "FI1", "", "", 10); len(got) != 3 {
		t.Errorf("an invalid PutBills wrote: %+v", got)
	}
}

func testListBills(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	create(t, s, item("FI1", "S1"))
	exempt := bill("A4", "C2", 3, 0, fee.StatusExempt)
	exempt.ExemptedFen = 12000
	refunded := bill("A1", "C1", 3, 12000, fee.StatusRefunded)
	refunded.RefundedFen = 12000
	for _, b := range []fees.Bill{
		refunded, bill("A2", "C1", 3, 0, fee.StatusUnpaid),
		bill("A3", "C2", 3, 2000, fee.StatusPartlyPaid), exempt,
	} {
		if _, err := s.PutBill(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.ListBills(ctx, "FI1", "", "A1", 2)
	if err != nil || len(page) != 2 || page[0].AccountID != "A2" || page[1].AccountID != "A3" {
		t.Fatalf("page after A1 = %+v, %v", page, err)
	}
	c2, err := s.ListBills(ctx, "FI1", "C2", "", 10)
	if err != nil || len(c2) != 2 || c2[0].AccountID != "A3" {
		t.Fatalf("class C2 = %+v, %v", c2, err)
	}
	if all, err := s.ListBills(ctx, "FI1", "C1", "", 1); err != nil || len(all) != 1 || all[0] != refunded {
		t.Fatalf("refunded bill = %+v, %v; want %+v", all, err, refunded)
	}
	got, err := s.ClassTotals(ctx, "FI1")
	want := []fees.ClassTotal{
		{ClassID: "C1", Bills: 2, Settled: 1, DueFen: 24000, PaidFen: 12000, OutstandingFen: 12000, RefundedFen: 12000},
		{ClassID: "C2", Bills: 2, Settled: 1, DueFen: 24000, PaidFen: 2000, ExemptedFen: 12000, OutstandingFen: 10000},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ClassTotals =\n %+v, %v\nwant %+v", got, err, want)
	}
}
