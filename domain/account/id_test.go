package account

import "testing"

func TestID(t *testing.T) {
	if got, want := ID("35001", "2024000101"), "acc_35001_2024000101"; got != want {
		t.Fatalf("ID = %q, want %q", got, want)
	}
}
