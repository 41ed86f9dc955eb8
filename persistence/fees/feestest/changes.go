package feestest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/fees"
)

var changeAt = time.Date(2026, 9, 1, 10, 0, 0, 1500, time.UTC)

func created(itemID string) fees.Change {
	return fees.Change{ItemID: itemID, Key: "create", Kind: fees.ChangeCreate, StaffID: "fin-1", Role: "finance",
		At: changeAt, Detail: "校服费"}
}

func edited(key string) fees.Change {
	return fees.Change{Key: "edit:" + key, Kind: fees.ChangeEdit, StaffID: "fin-2", Role: "school_admin", At: changeAt.Add(time.Minute)}
}

func listChanges(t *testing.T, s fees.Store, itemID string) []fees.Change {
	t.Helper()
	got, err := s.ListChanges(context.Background(), itemID, 0, fees.MaxChangeListSize)
	if err != nil {
		t.Fatalf("ListChanges %s: %v", itemID, err)
	}
	return got
}

// testChangesWithItem: create and edit write their change in the same transaction;
// a refused edit writes none.
func testChangesWithItem(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	create(t, s, item("FI1", "S1"))
	if _, err := s.UpdateDraft(ctx, item("FI1", "S1"), edited("a")); err != nil {
		t.Fatal(err)
	}
	other := item("FI1", "S2")
	if _, err := s.UpdateDraft(ctx, other, edited("other-school")); !errors.Is(err, fees.ErrNotFound) {
		t.Fatalf("update from another school: %v", err)
	}
	bad := edited("bad")
	bad.Detail = strings.Repeat("字", fees.MaxDetailRunes+1)
	if _, err := s.UpdateDraft(ctx, item("FI1", "S1"), bad); !errors.Is(err, fees.ErrInvalid) {
		t.Fatalf("edit with a too long detail: %v", err)
	}
	if _, err := s.CreateItem(ctx, item("FI1", "S1"), created("FI1")); !errors.Is(err, fees.ErrConflict) {
		t.Fatalf("second create: %v", err)
	}
	got := listChanges(t, s, "FI1")
	first, second := created("FI1"), edited("a")
	first.Seq, first.At = 1, fees.Micro(first.At)
	second.ItemID, second.Seq, second.At = "FI1", 2, fees.Micro(second.At)
	if want := []fees.Change{first, second}; !reflect.DeepEqual(got, want) {
		t.Fatalf("changes\n got %+v\nwant %+v", got, want)
	}
}

// testAppendChangeOnce: a second append with the key answers the first row.
func testAppendChangeOnce(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	create(t, s, item("FI1", "S1"))
	create(t, s, item("FI2", "S1"))
	ch := fees.Change{ItemID: "FI1", Key: "cash:r1", Kind: fees.ChangeCash, StaffID: "fin-1", Role: "finance",
		AccountID: "A1", At: changeAt, Detail: "voucher V1, 100.00"}
	first, created, err := s.AppendChange(ctx, ch)
	if err != nil || !created || first.Seq != 2 {
		t.Fatalf("AppendChange = %+v, %v, %v; want seq 2, created", first, created, err)
	}
	again := ch
	again.Detail, again.At = "another detail", changeAt.Add(time.Hour)
	got, created, err := s.AppendChange(ctx, again)
	if err != nil || created || !reflect.DeepEqual(got, first) {
		t.Fatalf("retried AppendChange = %+v, %v, %v; want %+v", got, created, err, first)
	}
	ch.ItemID = "FI2" // keys are per item
	if got, created, err := s.AppendChange(ctx, ch); err != nil || !created || got.Seq != 2 {
		t.Fatalf("same key on another item = %+v, %v, %v", got, created, err)
	}
	ch.ItemID = "nope"
	if _, _, err := s.AppendChange(ctx, ch); !errors.Is(err, fees.ErrNotFound) {
		t.Fatalf("change of an unknown item: %v, want %v", err, fees.ErrNotFound)
	}
	if n := len(listChanges(t, s, "FI1")); n != 2 {
		t.Fatalf("%d changes of FI1, want 2", n)
	}
	page, err := s.ListChanges(ctx, "FI1", 1, 10)
	if err != nil || len(page) != 1 || page[0].Seq != 2 {
		t.Fatalf("ListChanges after 1 = %+v, %v", page, err)
	}
}

// testAppendChangeConcurrent: concurrent appends to one item get seq 1…n, no gap.
func testAppendChangeConcurrent(t *testing.T, s fees.Store, _ *clock) {
	create(t, s, item("FI1", "S1"))
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.AppendChange(context.Background(), fees.Change{ItemID: "FI1", Key: fmt.Sprintf("remind:%d", i%8),
				Kind: fees.ChangeRemind, StaffID: "fin-1", At: changeAt})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := listChanges(t, s, "FI1")
	if len(got) != 1+8 {
		t.Fatalf("%d changes, want 9 (create and 8 keys)", len(got))
	}
	for i, c := range got {
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d has seq %d", i, c.Seq)
		}
	}
}

func testChangeInvalid(t *testing.T, s fees.Store, _ *clock) {
	create(t, s, item("FI1", "S1"))
	for name, f := range map[string]func(*fees.Change){
		"no key":       func(c *fees.Change) { c.Key = "" },
		"long key":     func(c *fees.Change) { c.Key = strings.Repeat("k", fees.MaxChangeKeyLen+1) },
		"unknown kind": func(c *fees.Change) { c.Kind = "x" },
		"no staff":     func(c *fees.Change) { c.StaffID = "" },
		"no time":      func(c *fees.Change) { c.At = time.Time{} },
		"long detail":  func(c *fees.Change) { c.Detail = strings.Repeat("a", fees.MaxDetailRunes+1) },
		"bad utf-8":    func(c *fees.Change) { c.Detail = "\xff" },
		"long role":    func(c *fees.Change) { c.Role = strings.Repeat("r", fees.MaxRoleLen+1) },
		"long account": func(c *fees.Change) { c.AccountID = strings.Repeat("a", fees.MaxIDLen+1) },
	} {
		c := fees.Change{ItemID: "FI1", Key: "k", Kind: fees.ChangePublish, StaffID: "fin-1", At: changeAt}
		f(&c)
		if _, _, err := s.AppendChange(context.Background(), c); !errors.Is(err, fees.ErrInvalid) {
			t.Errorf("%s: %v, want %v", name, err, fees.ErrInvalid)
		}
	}
	long := fees.Change{ItemID: "FI1", Key: "k", Kind: fees.ChangePublish, StaffID: "fin-1", At: changeAt,
		Detail: strings.Repeat("字", fees.MaxDetailRunes)}
	if _, _, err := s.AppendChange(context.Background(), long); err != nil {
		t.Errorf("a detail of %d characters: %v", fees.MaxDetailRunes, err)
	}
	if _, err := s.ListChanges(context.Background(), "FI1", 0, 0); !errors.Is(err, fees.ErrInvalid) {
		t.Errorf("limit 0: %v", err)
	}
}
