package push_test

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/persistence/outbox"
)

// TestNoticeResentAfterItsLeaseGoesOutOnce: a runner sends a notice to two
// guardians and dies before marking it sent (the provider accepted it); after
// the lease another runner claims it and sends it again under the same out
// ids: the sandbox keeps each guardian's SMS once, answers the repeat with the
// first message id, and the notice ends sent.
func TestNoticeResentAfterItsLeaseGoesOutOnce(t *testing.T) {
	ctx := context.Background()
	book := contacts{{Phone: "13900000001"}, {Phone: "13900000002"}}
	r := newNoticeRig(t, time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC), fastLimits(), book)
	ns := notify.Notices{Store: r.store, Now: func() time.Time { return r.now }}
	id, _, err := ns.Enqueue(ctx, notify.Notice{Kind: notify.KindArrears, Cause: "t1:7", SchoolID: "35001", Recipient: "acc_1",
		Params: kindParams(notify.KindArrears)})
	if err != nil {
		t.Fatal(err)
	}
	// The first runner: claims, sends, crashes before MarkSent.
	claimed, err := r.store.Claim(ctx, 10, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim %v %v", claimed, err)
	}
	n := claimed[0]
	if err := r.router.Send(ctx, notify.Message{ID: n.ID, Topic: n.Kind, Recipient: n.Recipient, Payload: n.Payload, Attempts: n.Attempts}); err != nil {
		t.Fatal(err)
	}
	if got := len(r.sb.Messages()); got != 2 {
		t.Fatalf("first send: %d messages, want 2", got)
	}
	// The lease runs out; the next runner sends it again.
	r.now = r.now.Add(2 * time.Minute)
	r.drain(t, func() bool {
		got, err := r.store.Get(ctx, id)
		return err == nil && got.State == outbox.Sent
	})
	per := map[string]int{}
	for _, m := range r.sb.Messages() {
		per[m.To]++
	}
	if len(r.sb.Messages()) != 2 || per["13900000001"] != 1 || per["13900000002"] != 1 {
		t.Fatalf("sandbox inbox %v, want one SMS per guardian", per)
	}
	if d := r.sb.Stats().SMSDuplicates; d != 2 {
		t.Errorf("duplicates answered %d, want 2 (one per guardian)", d)
	}
	if got, _ := r.store.Get(ctx, id); got.Attempts != 2 {
		t.Errorf("attempts %d, want 2", got.Attempts)
	}
}
