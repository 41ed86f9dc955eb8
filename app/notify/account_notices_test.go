package notify

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

type onePupil struct{ name string }

func (p onePupil) PupilByAccount(context.Context, string) (directory.Pupil, error) {
	return directory.Pupil{Name: p.name}, nil
}

// TestAccountNoticesOncePerEvent tells the observer of the same committed events
// twice (a commit, then an activation's recovery) over the real SQLite outbox:
// one notice per event, masked name, the low-balance threshold.
func TestAccountNoticesOncePerEvent(t *testing.T) {
	ctx := context.Background()
	store, err := sqliteoutbox.Open(ctx, t.TempDir()+"/o.db", sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	obs := NewAccountNotices(store, onePupil{name: "张小明"})
	at := time.Date(2026, 9, 1, 11, 30, 0, 0, time.UTC)
	before := account.State{AccountID: "A1", SchoolID: "35001", Balance: 1200, Seq: 7}
	buy := account.Purchased{Key: "P", Amount: 500, At: at}
	evs := []actors.CommittedEvent{
		{Seq: 8, Event: buy, Before: before, After: account.Apply(before, buy)},
		{Seq: 9, Event: account.Purchased{Key: "Q", Amount: 100, At: at}, Before: account.Apply(before, buy)}, // not armed
		{Seq: 10, Event: account.RechargeCredited{OrderID: "R", Amount: 2000, At: at}, After: account.State{SchoolID: "35001", Balance: 2600}},
		{Seq: 11, Event: account.CardReportedLost{Key: "L", At: at}, After: account.State{SchoolID: "35001"}},
	}
	for range 2 {
		if err := obs.Committed(ctx, "A1", evs); err != nil {
			t.Fatal(err)
		}
	}
	got, err := store.List(ctx, "35001", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, n := range got {
		kinds[n.Kind]++
		if n.Kind == string(KindLowBalance) {
			var p noticePayload
			if err := json.Unmarshal(n.Payload, &p); err != nil {
				t.Fatal(err)
			}
			if p.Params["name"] != "张*明" || p.Params["threshold"] != account.LowBalanceThreshold.String() || n.Key != DedupeKey(KindLowBalance, "A1", "seq8") {
				t.Fatalf("low-balance notice %q: %v", n.Key, p.Params)
			}
		}
	}
	if len(got) != 3 || kinds[string(KindLowBalance)] != 1 || kinds[string(KindRechargeReceipt)] != 1 || kinds[string(KindCardLoss)] != 1 {
		t.Fatalf("notices %v, want one low balance, one receipt, one loss", kinds)
	}
}
