package outboxtest

import (
	"context"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
)

// CountingStore is a Store that counts its backlog.
type CountingStore interface {
	outbox.Store
	outbox.Counter
}

// CountOpener returns a new, empty CountingStore whose clock is now.
type CountOpener func(t *testing.T, now func() time.Time) CountingStore

// RunCount checks outbox.Counter: every queued notice counts (due, held by
// not-before, claimed); sent, failed and withdrawn ones do not; counting changes
// nothing.
func RunCount(t *testing.T, open CountOpener) {
	c := &Clock{t: time.Date(2026, 9, 1, 11, 30, 0, 0, time.UTC)}
	s := open(t, c.Now)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	count := func(want int64) {
		t.Helper()
		n, err := s.CountQueued(ctx)
		if err != nil || n != want {
			t.Fatalf("CountQueued = %d, %v; want %d", n, err, want)
		}
	}
	count(0)
	ids := make([]int64, 6)
	for i := range ids {
		n := outbox.Notice{Key: "count-" + string(rune('a'+i)), Kind: "arrears", SchoolID: "35001", Recipient: "acct-1",
			Payload: []byte(`{"n":1}`)}
		if i == 5 {
			n.NotBefore = c.Now().Add(time.Hour) // held for quiet hours: still queued
		}
		id, created, err := s.Enqueue(ctx, n)
		if err != nil || !created {
			t.Fatalf("enqueue %d: %v %v", i, created, err)
		}
		ids[i] = id
	}
	count(6)
	if _, err := s.Claim(ctx, 2, time.Minute); err != nil { // claimed, not ended
		t.Fatal(err)
	}
	count(6)
	if err := s.MarkSent(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, ids[1], "invalid_address"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Withdraw(ctx, "count-c", "paid"); !ok || err != nil {
		t.Fatalf("withdraw: %v %v", ok, err)
	}
	count(3)
	count(3) // counting changes nothing
	got, err := s.Get(ctx, ids[3])
	if err != nil || got.State != outbox.Queued {
		t.Fatalf("notice after counting: %+v, %v", got, err)
	}
}
