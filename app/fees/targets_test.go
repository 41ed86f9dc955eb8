package fees

import (
	"context"
	"testing"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// TestPublishListedPupilsOneRead: an item listing pupils is checked and published
// with one directory read of the whole list each (not one per pupil); a listed
// pupil who left meanwhile is not billed, one of another school is refused.
func TestPublishListedPupilsOneRead(t *testing.T) {
	svc, g, dir := newWorld(t, 40)
	ctx := context.Background()
	var ids []string
	for _, p := range dir.list[:30] {
		ids = append(ids, p.AccountID)
	}
	def := Definition{Title: "春游", Category: fee.Books, AmountFen: 4500, DueDay: 20261031,
		Target: fee.Target{Kind: fee.TargetAccounts, AccountIDs: ids}}
	it, err := svc.CreateItem(ctx, fin, def)
	if err != nil {
		t.Fatal(err)
	}
	dir.list[5].Status = directory.PupilLeft
	pub, err := svc.Publish(ctx, fin, it.ID)
	if err != nil || pub.Bills != 29 || pub.Issued != 29 {
		t.Fatalf("publish = %+v, %v; want 29 bills", pub, err)
	}
	if got := dir.singles.Load(); got != 0 {
		t.Errorf("%d reads of one pupil, want none", got)
	}
	if got := dir.batches.Load(); got != 2 { // create's check, publish's targets
		t.Errorf("%d batched reads, want 2", got)
	}
	for i, p := range dir.list[:31] {
		_, billed := g.states[p.AccountID].Bill(it.ID)
		if want := i != 5 && i < 30; billed != want {
			t.Errorf("%s billed %t, want %t", p.AccountID, billed, want)
		}
	}

	def.Target.AccountIDs = append(ids[:2:2], "acc_of_another_school")
	if _, err := svc.CreateItem(ctx, fin, def); reason.Of(err) != reason.AccountNotFound {
		t.Fatalf("a listed pupil of no school: %v, want %s", err, reason.AccountNotFound)
	}
}
