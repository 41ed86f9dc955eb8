package feestest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/persistence/fees"
)

// imported is the change of an amount import whose key names its content.
func imported(content string) fees.Change {
	return fees.Change{Key: "import_amounts:" + content, Kind: fees.ChangeImportAmounts, StaffID: "fin-1",
		Role: "finance", At: changeAt, Detail: "2 pupils"}
}

func testReplaceAmounts(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	create(t, s, item("FI1", "S1"))
	if got, err := s.ListAmounts(ctx, "FI1"); err != nil || len(got) != 0 {
		t.Fatalf("ListAmounts before an import = %v, %v", got, err)
	}
	first := []fees.Amount{
		{AccountID: "S1-0000000003", StudentNo: "0000000003", AmountFen: 30000, Note: "住校", Line: 4},
		{AccountID: "S1-0000000001", StudentNo: "0000000001", AmountFen: 10000, Line: 2},
	}
	if _, err := s.ReplaceAmounts(ctx, "FI1", "S1", first, imported("a")); err != nil {
		t.Fatal(err)
	}
	want := []fees.Amount{first[1], first[0]} // line order
	if got, err := s.ListAmounts(ctx, "FI1"); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ListAmounts = %+v, %v, want %+v", got, err, want)
	}
	// A second import replaces the first one whole; 1,200 rows span several inserts.
	var many []fees.Amount
	for i := range 1200 {
		no := fmt.Sprintf("%010d", i)
		many = append(many, fees.Amount{AccountID: "S1-" + no, StudentNo: no, AmountFen: int64(100 + i), Line: i + 2})
	}
	if _, err := s.ReplaceAmounts(ctx, "FI1", "S1", many, imported("b")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ListAmounts(ctx, "FI1"); err != nil || !reflect.DeepEqual(got, many) {
		t.Fatalf("ListAmounts after a replace: %d rows, %v", len(got), err)
	}
	// Bad input changes nothing.
	for name, bad := range map[string][]fees.Amount{
		"none":      nil,
		"zero":      {{AccountID: "S1-1", AmountFen: 0}},
		"too much":  {{AccountID: "S1-1", AmountFen: fees.MaxAmountFen + 1}},
		"twice":     {{AccountID: "S1-1", AmountFen: 1}, {AccountID: "S1-1", AmountFen: 2}},
		"no id":     {{AmountFen: 1}},
		"long note": {{AccountID: "S1-1", AmountFen: 1, Note: string(make([]rune, fees.MaxNoteRunes+1))}},
	} {
		if _, err := s.ReplaceAmounts(ctx, "FI1", "S1", bad, imported("c")); !errors.Is(err, fees.ErrInvalid) {
			t.Fatalf("%s: ReplaceAmounts = %v, want ErrInvalid", name, err)
		}
	}
	if got, _ := s.ListAmounts(ctx, "FI1"); len(got) != len(many) {
		t.Fatalf("bad imports changed the amounts: %d rows", len(got))
	}
}

func testReplaceAmountsDraftOnly(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	create(t, s, item("FI1", "S1"))
	one := []fees.Amount{{AccountID: "S1-0000000001", StudentNo: "0000000001", AmountFen: 100, Line: 2}}
	if _, err := s.ReplaceAmounts(ctx, "FI1", "S2", one, imported("a")); !errors.Is(err, fees.ErrNotFound) {
		t.Fatalf("another school: %v, want ErrNotFound", err)
	}
	if _, err := s.ReplaceAmounts(ctx, "FI9", "S1", one, imported("a")); !errors.Is(err, fees.ErrNotFound) {
		t.Fatalf("unknown item: %v, want ErrNotFound", err)
	}
	if _, err := s.ReplaceAmounts(ctx, "FI1", "S1", one, imported("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveItem(ctx, "FI1", fee.Draft, fee.Published); err != nil {
		t.Fatal(err)
	}
	two := []fees.Amount{{AccountID: "S1-0000000002", AmountFen: 200}}
	if _, err := s.ReplaceAmounts(ctx, "FI1", "S1", two, imported("b")); !errors.Is(err, fees.ErrConflict) {
		t.Fatalf("published: %v, want ErrConflict", err)
	}
	if got, err := s.ListAmounts(ctx, "FI1"); err != nil || !reflect.DeepEqual(got, one) {
		t.Fatalf("ListAmounts after a refused import = %+v, %v", got, err)
	}
}

// testReplaceAmountsOncePerKey: an import whose change key is journaled already
// (the same file again, also concurrently) writes nothing and answers replaced
// false; the journal has one row of it; another key imports again.
func testReplaceAmountsOncePerKey(t *testing.T, s fees.Store, _ *clock) {
	ctx := context.Background()
	create(t, s, item("FI1", "S1"))
	one := []fees.Amount{{AccountID: "S1-0000000001", StudentNo: "0000000001", AmountFen: 100, Line: 2}}
	two := []fees.Amount{{AccountID: "S1-0000000002", StudentNo: "0000000002", AmountFen: 200, Line: 2}}
	const racers = 6
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		replaced int
		errs     []error
	)
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ReplaceAmounts(context.Background(), "FI1", "S1", one, imported("one"))
			mu.Lock()
			defer mu.Unlock()
			if ok {
				replaced++
			}
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if replaced != 1 || len(errs) != 0 {
		t.Fatalf("%d concurrent imports of one key replaced %d times, errors %v; want once", racers, replaced, errs)
	}
	// A later import with another key replaces; the first key again does not.
	if ok, err := s.ReplaceAmounts(ctx, "FI1", "S1", two, imported("two")); err != nil || !ok {
		t.Fatalf("another key = %t, %v; want replaced", ok, err)
	}
	if ok, err := s.ReplaceAmounts(ctx, "FI1", "S1", one, imported("one")); err != nil || ok {
		t.Fatalf("the first key again = %t, %v; want not replaced", ok, err)
	}
	if got, err := s.ListAmounts(ctx, "FI1"); err != nil || !reflect.DeepEqual(got, two) {
		t.Fatalf("amounts = %+v, %v; want those of the last replacing import", got, err)
	}
	var keys []string
	for _, c := range listChanges(t, s, "FI1") {
		keys = append(keys, c.Key)
	}
	if want := []string{"create", "import_amounts:one", "import_amounts:two"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("journal keys %v, want %v", keys, want)
	}
	bad := imported("")
	bad.Key = ""
	if _, err := s.ReplaceAmounts(ctx, "FI1", "S1", one, bad); !errors.Is(err, fees.ErrInvalid) {
		t.Fatalf("no change key: %v, want ErrInvalid", err)
	}
}
