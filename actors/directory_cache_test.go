package actors

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
)

// countingDir counts the directory reads the cache lets through.
type countingDir struct {
	directory.Store
	pupils, versions, lists int
}

func (d *countingDir) PupilByStudentNo(ctx context.Context, s, n string) (directory.Pupil, error) {
	d.pupils++
	return d.Store.PupilByStudentNo(ctx, s, n)
}

func (d *countingDir) CatalogVersion(ctx context.Context, c string) (int64, error) {
	d.versions++
	return d.Store.CatalogVersion(ctx, c)
}

func (d *countingDir) ListDishes(ctx context.Context, c, after string, limit int) ([]directory.Dish, error) {
	d.lists++
	return d.Store.ListDishes(ctx, c, after, limit)
}

func TestDirectoryCache(t *testing.T) {
	ctx := context.Background()
	store, err := sqlitedirectory.Open(ctx, t.TempDir()+"/d.db", sqlitedirectory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(store.PutSchool(ctx, directory.School{ID: "35001", Name: "S", SingleRechargeMax: 100, BalanceCap: 1000, DailySpendCap: 100, ArrearsCap: 10}))
	must(store.PutClass(ctx, directory.Class{SchoolID: "35001", ID: "3-1", Name: "3-1", Grade: 3}))
	must(store.PutCanteen(ctx, directory.Canteen{SchoolID: "35001", ID: "C1", Name: "C"}))
	_, err = store.PutDish(ctx, directory.Dish{CanteenID: "C1", Barcode: "D1", Name: "rice", PriceFen: 100, Active: true})
	must(err)
	hash := make([]byte, directory.IDNumberHashLen)
	must(store.PutPupil(ctx, directory.Pupil{AccountID: "acc_35001_2024000001", SchoolID: "35001", StudentNo: "2024000001", Name: "王小明", ClassID: "3-1", IDNumberHash: hash, CardRandom: "07", CardExpiry: 20300101, Status: directory.PupilActive}))

	clock := &testClock{t: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)}
	dir := &countingDir{Store: store}
	c := NewDirectoryCache(dir, DirectoryCacheOptions{Now: clock.Now, CatalogCheck: time.Second, PupilTTL: time.Minute})

	for i := 0; i < 5; i++ {
		p, err := c.Pupil(ctx, "35001", "2024000001")
		if err != nil || p.AccountID != "acc_35001_2024000001" {
			t.Fatalf("pupil: %v %v", p, err)
		}
		d, err := c.Dish(ctx, "C1", "D1")
		if err != nil || d.PriceFen != 100 {
			t.Fatalf("dish: %v %v", d, err)
		}
	}
	if dir.pupils != 1 || dir.lists != 1 || dir.versions != 1 {
		t.Fatalf("directory reads: pupils %d lists %d versions %d, want 1 each", dir.pupils, dir.lists, dir.versions)
	}
	if _, err := c.Dish(ctx, "C1", "NOPE"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("unknown barcode: %v, want ErrNotFound", err)
	}
	if _, err := c.Pupil(ctx, "35001", "2024000999"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("unknown pupil: %v, want ErrNotFound", err)
	}

	// A price change shows once the check interval has passed, not before.
	_, err = store.PutDish(ctx, directory.Dish{CanteenID: "C1", Barcode: "D1", Name: "rice", PriceFen: 120, Active: true})
	must(err)
	if d, _ := c.Dish(ctx, "C1", "D1"); d.PriceFen != 100 {
		t.Fatalf("price %d within the check interval, want the cached 100", d.PriceFen)
	}
	clock.Add(1500 * time.Millisecond)
	if d, _ := c.Dish(ctx, "C1", "D1"); d.PriceFen != 120 {
		t.Fatalf("price %d after the check interval, want 120", d.PriceFen)
	}
	// Unchanged version: one version read, no reload.
	lists := dir.lists
	clock.Add(1500 * time.Millisecond)
	c.Dish(ctx, "C1", "D1")
	if dir.lists != lists {
		t.Fatal("catalog reloaded although its version did not change")
	}
	// Pupils expire after their TTL.
	clock.Add(2 * time.Minute)
	c.Pupil(ctx, "35001", "2024000001")
	if dir.pupils != 3 { // 1 hit + 1 miss (unknown) + 1 after expiry
		t.Fatalf("pupil reads %d, want 3", dir.pupils)
	}
}
