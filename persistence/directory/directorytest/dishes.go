package directorytest

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/onecode/onecode/persistence/directory"
)

func dish(barcode string, price int64) directory.Dish {
	return directory.Dish{CanteenID: "c1", Barcode: barcode, Name: "红烧肉" + barcode, PriceFen: price,
		Kcal: 520, ProteinMg: 21_000, FatMg: 35_000, CarbMg: 9_000, Allergens: []string{"大豆", "小麦"}, Active: true}
}

func testDishes(t *testing.T, s directory.Store) {
	setup(t, s)
	must(t, s.PutCanteen(ctx, directory.Canteen{SchoolID: schoolID, ID: "c1", Name: "一食堂"}))
	must(t, s.PutCanteen(ctx, directory.Canteen{SchoolID: schoolID, ID: "c2", Name: "二食堂"}))
	version := func(canteen string) int64 {
		t.Helper()
		v, err := s.CatalogVersion(ctx, canteen)
		must(t, err)
		return v
	}
	if v := version("c1"); v != 0 {
		t.Fatalf("version before any dish %d, want 0", v)
	}
	_, err := s.CatalogVersion(ctx, "c9")
	wantErr(t, "version of unknown canteen", err, directory.ErrNotFound)

	put := func(d directory.Dish, want int64) {
		t.Helper()
		v, err := s.PutDish(ctx, d)
		must(t, err)
		if v != want || version(d.CanteenID) != want {
			t.Errorf("put %s: version %d (stored %d), want %d", d.Barcode, v, version(d.CanteenID), want)
		}
	}
	d := dish("6901234567892", 1_200)
	put(d, 1)
	put(d, 1) // unchanged: no bump
	d.PriceFen = 1_500
	put(d, 2)
	d.Allergens = nil
	put(d, 3)
	d.Active = false
	put(d, 4)
	put(dish("A-2", 800), 5)
	if v := version("c2"); v != 0 {
		t.Errorf("other canteen's version %d, want 0", v)
	}
	got, err := s.Dish(ctx, "c1", d.Barcode)
	must(t, err)
	if !reflect.DeepEqual(got, d) {
		t.Errorf("got %+v, want %+v", got, d)
	}
	got, err = s.Dish(ctx, "c1", "A-2")
	must(t, err)
	if want := dish("A-2", 800); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	_, err = s.Dish(ctx, "c2", d.Barcode)
	wantErr(t, "dish of another canteen", err, directory.ErrNotFound)

	for i, f := range []func(*directory.Dish){
		func(d *directory.Dish) { d.PriceFen = 0 },
		func(d *directory.Dish) { d.Barcode = "123456789012345678901234567890123" },
		func(d *directory.Dish) { d.Barcode = "含中文" },
		func(d *directory.Dish) { d.Kcal = -1 },
		func(d *directory.Dish) { d.Allergens = []string{""} },
	} {
		b := dish("B-1", 100)
		f(&b)
		_, err := s.PutDish(ctx, b)
		wantErr(t, fmt.Sprint("bad dish ", i), err, directory.ErrInvalid)
	}
	b := dish("B-1", 100)
	b.CanteenID = "c9"
	_, err = s.PutDish(ctx, b)
	wantErr(t, "dish of unknown canteen", err, directory.ErrNotFound)
	if v := version("c1"); v != 5 {
		t.Errorf("version after rejected puts %d, want 5", v)
	}

	for i := range 5 {
		put(dish(fmt.Sprintf("P-%d", i), 100), int64(6+i))
	}
	var barcodes []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		page, err := s.ListDishes(ctx, "c1", after, 3)
		must(t, err)
		for _, d := range page {
			barcodes = append(barcodes, d.Barcode)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].Barcode
	}
	want := []string{"6901234567892", "A-2", "P-0", "P-1", "P-2", "P-3", "P-4"}
	if !reflect.DeepEqual(barcodes, want) {
		t.Errorf("listed %v, want %v", barcodes, want)
	}
	_, err = s.ListDishes(ctx, "c1", "", directory.MaxPage+1)
	wantErr(t, "page too large", err, directory.ErrInvalid)
}
