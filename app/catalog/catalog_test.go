package catalog

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
)

// newService is a service over an SQLite directory with schools 35001 (canteen C1,
// terminal T1) and 35002 (canteen C9), its log in the returned buffer.
func newService(t *testing.T) (*Service, directory.Store, *bytes.Buffer) {
	t.Helper()
	ctx := context.Background()
	dir, err := sqlitedirectory.Open(ctx, filepath.Join(t.TempDir(), "dir.db"), sqlitedirectory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	for _, id := range []string{"35001", "35002"} {
		if err := dir.PutSchool(ctx, directory.School{ID: id, Name: "s" + id, SingleRechargeMax: 100, BalanceCap: 200, DailySpendCap: 50}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []directory.Canteen{{SchoolID: "35001", ID: "C1", Name: "一食堂"}, {SchoolID: "35002", ID: "C9", Name: "外校"}} {
		if err := dir.PutCanteen(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := dir.AddTerminal(ctx, directory.Terminal{ID: "T1", SchoolID: "35001", CanteenID: "C1", Name: "T1",
		SecretHash: bytes.Repeat([]byte{1}, 32), Status: directory.TerminalActive}); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	return New(Deps{Directory: dir, Logger: slog.New(slog.NewTextHandler(&log, nil))}), dir, &log
}

// wantReason fails unless err is a reason.Error of kind k and code c.
func wantReason(t *testing.T, what string, err error, k reason.Kind, c reason.Code) {
	t.Helper()
	e, ok := reason.As(err)
	if !ok || e.Kind != k || e.Code != c {
		t.Errorf("%s: got %v, want %v %s", what, err, k, c)
	}
}

func TestCanteenReach(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		scope Scope
		id    string
		kind  reason.Kind
		code  reason.Code // "" when reached
	}{
		{"operator, any school", Operator(), "C9", 0, ""},
		{"operator, unknown", Operator(), "C404", reason.KindNotFound, reason.CanteenNotFound},
		{"operator, malformed", Operator(), "C/1", reason.KindInvalid, reason.InvalidArgument},
		{"staff, own school", Staff("35001", "st_1"), "C1", 0, ""},
		{"staff, other school", Staff("35001", "st_1"), "C9", reason.KindNotFound, reason.NotFound},
		{"staff, unknown", Staff("35001", "st_1"), "C404", reason.KindNotFound, reason.NotFound},
		{"staff, malformed", Staff("35001", "st_1"), "C/1", reason.KindNotFound, reason.NotFound},
		{"staff without school", Staff("", "st_1"), "C1", reason.KindNotFound, reason.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.Canteen(ctx, tt.scope, tt.id)
			if tt.code == "" {
				if err != nil || c.ID != tt.id {
					t.Fatalf("got %+v, %v, want canteen %s", c, err, tt.id)
				}
				return
			}
			wantReason(t, tt.name, err, tt.kind, tt.code)
		})
	}
	if _, err := s.Terminal(ctx, Staff("35002", "st_9"), "T1"); !errors.Is(err, ErrNotReachable) {
		t.Errorf("terminal of another school: %v, want ErrNotReachable", err)
	}
}

func TestPutCanteen(t *testing.T) {
	s, dir, log := newService(t)
	ctx := context.Background()
	c, err := s.PutCanteen(ctx, Staff("35001", "st_1"), Canteen{SchoolID: "35002", ID: "C2", Name: " 二食堂 "})
	if err != nil || c != (Canteen{SchoolID: "35001", ID: "C2", Name: "二食堂"}) {
		t.Fatalf("staff put: %+v %v, want C2 of their own school, name trimmed", c, err)
	}
	if !strings.Contains(log.String(), "canteen put") || !strings.Contains(log.String(), "staff=st_1") {
		t.Errorf("log %q, want the put and its staff", log.String())
	}
	_, err = s.PutCanteen(ctx, Staff("35001", "st_1"), Canteen{ID: "C9", Name: "x"})
	wantReason(t, "staff, canteen of another school", err, reason.KindNotFound, reason.NotFound)
	_, err = s.PutCanteen(ctx, Operator(), Canteen{SchoolID: "35001", ID: "C9", Name: "x"})
	wantReason(t, "operator, canteen of another school", err, reason.KindAlreadyExists, reason.CanteenOfOtherSchool)
	_, err = s.PutCanteen(ctx, Operator(), Canteen{SchoolID: "35404", ID: "C5", Name: "x"})
	wantReason(t, "operator, unknown school", err, reason.KindNotFound, reason.SchoolNotFound)
	_, err = s.PutCanteen(ctx, Operator(), Canteen{SchoolID: "35001", ID: "C5", Name: " "})
	wantReason(t, "operator, no name", err, reason.KindInvalid, reason.InvalidArgument)
	if c, err := dir.Canteen(ctx, "C9"); err != nil || c.SchoolID != "35002" || c.Name != "外校" {
		t.Fatalf("C9 changed: %+v %v", c, err)
	}
}

func TestCheckDish(t *testing.T) {
	good := Dish{CanteenID: "C1", Barcode: "D1", Name: " 米饭 ", PriceFen: 100, Allergens: []string{" egg "}, Active: true}
	tests := []struct {
		name string
		edit func(d *Dish)
		bad  bool
	}{
		{"good", func(*Dish) {}, false},
		{"price 0", func(d *Dish) { d.PriceFen = 0 }, true},
		{"price at the bound", func(d *Dish) { d.PriceFen = MaxPriceFen }, false},
		{"price above the bound", func(d *Dish) { d.PriceFen = MaxPriceFen + 1 }, true},
		{"negative kcal", func(d *Dish) { d.Kcal = -1 }, true},
		{"no barcode", func(d *Dish) { d.Barcode = "" }, true},
		{"blank name", func(d *Dish) { d.Name = "  " }, true},
		{"blank allergen", func(d *Dish) { d.Allergens = []string{" "} }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good
			d.Allergens = append([]string(nil), good.Allergens...)
			tt.edit(&d)
			got, err := checkDish(d)
			if tt.bad {
				wantReason(t, tt.name, err, reason.KindInvalid, reason.InvalidArgument)
				return
			}
			if err != nil || got.Name != "米饭" || (len(got.Allergens) == 1 && got.Allergens[0] != "egg") {
				t.Fatalf("got %+v, %v, want the dish trimmed", got, err)
			}
		})
	}
	if good.Name != " 米饭 " || good.Allergens[0] != " egg " {
		t.Fatal("checkDish changed its caller's dish")
	}
}

func TestDishesAndPages(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	staff := Staff("35001", "st_1")
	for i, b := range []string{"D1", "D2", "D3"} {
		_, v, err := s.PutDish(ctx, staff, Dish{CanteenID: "C1", Barcode: b, Name: "菜", PriceFen: 100, Active: true})
		if err != nil || v != int64(i+1) {
			t.Fatalf("put %s: version %d, %v", b, v, err)
		}
	}
	_, _, err := s.PutDish(ctx, staff, Dish{CanteenID: "C9", Barcode: "D1", Name: "菜", PriceFen: 100})
	wantReason(t, "dish of another school's canteen", err, reason.KindNotFound, reason.NotFound)
	_, _, err = s.PutDish(ctx, Operator(), Dish{CanteenID: "C404", Barcode: "D1", Name: "菜", PriceFen: 100})
	wantReason(t, "dish of an unknown canteen", err, reason.KindNotFound, reason.CanteenNotFound)

	var got []string
	for after := ""; ; {
		page, err := s.ListDishes(ctx, staff, "C1", 2, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Dishes {
			got = append(got, d.Barcode)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if strings.Join(got, ",") != "D1,D2,D3" {
		t.Fatalf("pages %v", got)
	}
	for _, tt := range []struct {
		size  int
		token string
		code  reason.Code
	}{{-1, "", reason.InvalidPageSize}, {MaxDishPage + 1, "", reason.InvalidPageSize}, {0, "bad\ntoken", reason.InvalidPageToken}} {
		_, err := s.ListDishes(ctx, staff, "C1", tt.size, tt.token)
		wantReason(t, "page", err, reason.KindInvalid, tt.code)
	}
}

func TestTerminals(t *testing.T) {
	s, dir, log := newService(t)
	ctx := context.Background()
	staff := Staff("35001", "st_1")
	term, err := s.RegisterTerminal(ctx, staff, NewTerminal{ID: "T2", CanteenID: "C1", CanOverride: true})
	if err != nil || len(term.SecretHash) != TerminalSecretLen || term.Name != "T2" || term.SchoolID != "35001" || term.Status != TerminalActive {
		t.Fatalf("register: %+v %v", term, err)
	}
	if strings.Contains(log.String(), string(term.SecretHash)) || !strings.Contains(log.String(), "terminal registered") {
		t.Errorf("log %q", log.String())
	}
	_, err = s.RegisterTerminal(ctx, Operator(), NewTerminal{ID: "T2", CanteenID: "C9"})
	wantReason(t, "registered again", err, reason.KindAlreadyExists, reason.TerminalExists)
	_, err = s.RegisterTerminal(ctx, Operator(), NewTerminal{ID: "", CanteenID: "C1"})
	wantReason(t, "no id", err, reason.KindInvalid, reason.InvalidArgument)
	_, err = s.RegisterTerminal(ctx, staff, NewTerminal{ID: "T3", CanteenID: "C9"})
	wantReason(t, "canteen of another school", err, reason.KindNotFound, reason.NotFound)
	broken := New(Deps{Directory: dir, Rand: strings.NewReader("short"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := broken.RegisterTerminal(ctx, staff, NewTerminal{ID: "T4", CanteenID: "C1"}); err == nil {
		t.Fatal("registered without a full secret")
	}

	for _, enabled := range []bool{false, false, true} {
		if got, err := s.SetTerminalEnabled(ctx, staff, "T2", enabled); err != nil || (got.Status == TerminalActive) != enabled {
			t.Fatalf("set enabled %v: %+v %v", enabled, got, err)
		}
		if on, err := s.Enabled(ctx, "T2"); err != nil || on != enabled {
			t.Fatalf("Enabled = %v, %v, want %v", on, err, enabled)
		}
	}
	if n := strings.Count(log.String(), "terminal status set"); n != 2 {
		t.Errorf("%d status changes logged, want 2 (setting the same status changes nothing)", n)
	}
	if on, err := s.Enabled(ctx, "T404"); err != nil || on {
		t.Errorf("unknown terminal enabled: %v %v", on, err)
	}
	for _, id := range []string{"T404", "bad id"} {
		if _, known, err := s.Authenticating(ctx, id); known || err != nil {
			t.Errorf("Authenticating(%q) = known %v, %v", id, known, err)
		}
	}
	got, known, err := s.Authenticating(ctx, "T2")
	if !known || err != nil || !bytes.Equal(got.SecretHash, term.SecretHash) {
		t.Fatalf("Authenticating(T2) = %v %v", known, err)
	}
	if name, v, err := s.Welcome(ctx, got); err != nil || name != "一食堂" || v != 0 {
		t.Fatalf("Welcome = %q %d %v", name, v, err)
	}
}
