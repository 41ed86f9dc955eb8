package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
)

// schoolDir is a SQLite directory (closed after the test) holding school 35001
// (第一实验小学, its limits) and its class 3-1, where the push and e-mail tests
// put their pupils, guardians and staff.
func schoolDir(t *testing.T) *sqlitedirectory.Store {
	t.Helper()
	ctx := context.Background()
	dir, err := sqlitedirectory.Open(ctx, filepath.Join(t.TempDir(), "d.db"), sqlitedirectory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	if err := dir.PutSchool(ctx, directory.School{ID: "35001", Name: "第一实验小学", SingleRechargeMax: 100_000, BalanceCap: 200_000,
		DailySpendCap: 5_000, ArrearsCap: 2_000, VoidWindowSeconds: 300}); err != nil {
		t.Fatal(err)
	}
	if err := dir.PutClass(ctx, directory.Class{SchoolID: "35001", ID: "3-1", Name: "3-1", Grade: 3}); err != nil {
		t.Fatal(err)
	}
	return dir
}
