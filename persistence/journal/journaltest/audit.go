package journaltest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/journal"
)

// testAudit: a store that is a journal.AuditReader lists accounts in order, pages
// an account's events with their postings and finds its latest snapshot.
func testAudit(t *testing.T, s journal.Store) {
	r, ok := s.(journal.AuditReader)
	if !ok {
		t.Skip("not a journal.AuditReader")
	}
	ctx := context.Background()
	for _, acc := range []string{"pupil-c", "pupil-a", "pupil-b"} {
		mustAppend(t, s, app(acc, 0, ev("ToppedUp", 1000, "", base), ev("Purchased", -350, "canteen-1", base.Add(time.Minute))))
	}
	withSnap := app("pupil-a", 2, ev("Purchased", -50, "canteen-1", base.Add(2*time.Minute)))
	withSnap.Snapshot = &journal.Snapshot{Seq: 3, Data: []byte("state-3")}
	mustAppend(t, s, withSnap)

	first, err := r.AuditAccounts(ctx, "", 2)
	if err != nil || !slices.Equal(first, []string{"pupil-a", "pupil-b"}) {
		t.Fatalf("AuditAccounts(\"\", 2) = %v, %v", first, err)
	}
	rest, err := r.AuditAccounts(ctx, "pupil-b", 10)
	if err != nil || !slices.Equal(rest, []string{"pupil-c"}) {
		t.Fatalf("AuditAccounts(pupil-b, 10) = %v, %v", rest, err)
	}
	events, err := r.AuditEvents(ctx, "pupil-a", 1, 10)
	if err != nil || !equalSeqs(seqs(events), []int64{2, 3}) {
		t.Fatalf("AuditEvents(pupil-a, 1) = %v, %v", events, err)
	}
	want := []journal.Posting{{Ledger: "wallet", Amount: -350}, {Ledger: "clearing", Amount: 350}}
	if !slices.Equal(events[0].Postings, want) {
		t.Errorf("postings of seq 2 = %v, want %v", events[0].Postings, want)
	}
	snap, err := r.LatestSnapshot(ctx, "pupil-a")
	if err != nil || snap == nil || snap.Seq != 3 || string(snap.Data) != "state-3" {
		t.Errorf("LatestSnapshot(pupil-a) = %+v, %v", snap, err)
	}
	if snap, err := r.LatestSnapshot(ctx, "pupil-b"); err != nil || snap != nil {
		t.Errorf("LatestSnapshot(pupil-b) = %+v, %v; want none", snap, err)
	}
	if _, err := r.AuditAccounts(ctx, "", journal.MaxAuditPage+1); !errors.Is(err, journal.ErrInvalid) {
		t.Errorf("AuditAccounts(huge page) = %v, want ErrInvalid", err)
	}
}
