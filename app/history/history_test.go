package history

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/journal"
)

// fakeJournal holds one account's events, oldest first, and canteen totals.
type fakeJournal struct {
	events []journal.Event
	totals []journal.DayTotal
	from   time.Time
	to     time.Time
}

func (f *fakeJournal) History(_ context.Context, _ string, before int64, limit int) ([]journal.Event, error) {
	var out []journal.Event
	for i := len(f.events) - 1; i >= 0 && len(out) < limit; i-- {
		if before == 0 || f.events[i].Seq < before {
			out = append(out, f.events[i])
		}
	}
	return out, nil
}

func (f *fakeJournal) CanteenDaily(_ context.Context, _ string, from, to time.Time) ([]journal.DayTotal, error) {
	f.from, f.to = from, to
	return f.totals, nil
}

type fakeCanteens map[string]string

func (f fakeCanteens) Canteen(_ context.Context, id string) (directory.Canteen, error) {
	name, ok := f[id]
	if !ok {
		return directory.Canteen{}, directory.ErrNotFound
	}
	return directory.Canteen{ID: id, Name: name}, nil
}

func event(t *testing.T, seq int64, e account.Event, amount int64) journal.Event {
	t.Helper()
	typ, data, err := codec.EncodeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	return journal.Event{Seq: seq, Type: typ, Data: data, At: time.Unix(1_700_000_000+seq, 0), Amount: amount}
}

func TestPage(t *testing.T) {
	for _, tc := range []struct {
		name       string
		size       int32
		token      string
		wantLimit  int
		wantBefore int64
		wantReason reason.Code
	}{
		{"default", 0, "", DefaultPage, 0, ""},
		{"max", MaxPage, "", MaxPage, 0, ""},
		{"over max", MaxPage + 1, "", 0, 0, reason.InvalidPageSize},
		{"negative", -1, "", 0, 0, reason.InvalidPageSize},
		{"token", 5, "42", 5, 42, ""},
		{"token 1", 5, "1", 0, 0, reason.InvalidPageToken},
		{"token sign", 5, "+42", 0, 0, reason.InvalidPageToken},
		{"token not a number", 5, "abc", 0, 0, reason.InvalidPageToken},
		{"token too long", 5, "99999999999999999999", 0, 0, reason.InvalidPageToken},
	} {
		limit, before, err := page(tc.size, tc.token)
		if got := reason.Of(err); got != tc.wantReason {
			t.Errorf("%s: reason %q, want %q", tc.name, got, tc.wantReason)
		}
		if err == nil && (limit != tc.wantLimit || before != tc.wantBefore) {
			t.Errorf("%s: page = %d, %d; want %d, %d", tc.name, limit, before, tc.wantLimit, tc.wantBefore)
		}
	}
}

func TestLines(t *testing.T) {
	j := &fakeJournal{events: []journal.Event{
		event(t, 1, account.AccountOpened{AccountID: "acc_1"}, 0),
		event(t, 2, account.RechargeCredited{OrderID: "R1", Amount: 5000}, 5000),
		event(t, 3, account.Purchased{Key: "T1:1", TerminalID: "T1", CanteenID: "C1", Amount: 1200, Arrears: true,
			Items: []account.Item{{Code: "D1", Name: "rice", UnitPrice: money.Amount(600), Qty: 2}}}, -1200),
		event(t, 4, account.PurchaseVoided{Key: "T1:1", TerminalID: "T1", CanteenID: "C-gone", Amount: 1200}, 1200),
	}}
	s := New(j, fakeCanteens{"C1": "North canteen"}, nil)
	ctx := context.Background()
	p, err := s.Lines(ctx, "acc_1", 2, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Lines) != 2 || p.Next != "3" {
		t.Fatalf("first page: %d lines, next %q; want 2, \"3\"", len(p.Lines), p.Next)
	}
	void, buy := p.Lines[0], p.Lines[1]
	if void.Kind != KindVoid || void.Place != "C-gone" || void.AmountFen != 1200 || void.Seq != 4 {
		t.Errorf("void line %+v: want a void at the canteen's id (gone from the directory)", void)
	}
	if buy.Kind != KindPurchase || buy.Place != "North canteen" || !buy.Arrears || buy.AmountFen != -1200 ||
		len(buy.Items) != 1 || buy.Items[0] != (Item{Name: "rice", Qty: 2, UnitPriceFen: 600}) || !buy.At.Equal(time.Unix(1_700_000_003, 0)) {
		t.Errorf("purchase line %+v", buy)
	}
	p, err = s.Lines(ctx, "acc_1", 2, p.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Lines) != 1 || p.Lines[0].Kind != KindRecharge || p.Next != "" {
		t.Fatalf("second page: %+v; want the recharge only (AccountOpened is not shown) and no next page", p)
	}
}

func TestLinesUndecodableEvent(t *testing.T) {
	j := &fakeJournal{events: []journal.Event{{Seq: 2, Type: "Nonsense", Data: []byte{1, 2}}}}
	_, err := New(j, fakeCanteens{}, nil).Lines(context.Background(), "acc_1", 0, "")
	if e, ok := reason.As(err); !ok || e.Kind != reason.KindInternal || e.Msg != "internal error" {
		t.Fatalf("got %v, want an internal error that says nothing more", err)
	}
}

func TestCanteenTotals(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from, to string
		wantErr  bool
	}{
		{"one day", "20240901", "20240901", false},
		{"a school year", "20240901", "20250630", false},
		{"to before from", "20240902", "20240901", true},
		{"too many days", "20240101", "20250301", true},
		{"not digits", "2024-9-1", "20240901", true},
		{"not a day", "20240231", "20240301", true},
		{"before 2000", "19991231", "20000101", true},
		{"short", "2024091", "20240901", true},
	} {
		j := &fakeJournal{totals: []journal.DayTotal{{Day: schoolday.NewDate(2024, 9, 1).Start(), Count: 3, Sum: 3600}}}
		got, err := New(j, fakeCanteens{}, nil).CanteenTotals(context.Background(), "C1", tc.from, tc.to)
		if tc.wantErr {
			if e, ok := reason.As(err); !ok || e.Kind != reason.KindInvalid {
				t.Errorf("%s: got %v, want an invalid argument", tc.name, err)
			}
			continue
		}
		if err != nil || len(got) != 1 || got[0] != (DayTotal{Day: schoolday.NewDate(2024, 9, 1), Count: 3, SumFen: 3600}) {
			t.Errorf("%s: got %+v, %v", tc.name, got, err)
		}
		if start, _ := schoolday.Parse(tc.from); !j.from.Equal(start) {
			t.Errorf("%s: start %v, want the start of from_day", tc.name, j.from)
		}
		if end, _ := schoolday.Parse(tc.to); !j.to.Equal(end.AddDate(0, 0, 1)) {
			t.Errorf("%s: end %v, want the day after to_day", tc.name, j.to)
		}
	}
}
