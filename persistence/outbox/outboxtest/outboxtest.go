package outboxtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
)

// Clock is the store clock the suite drives.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// Opener returns a new, empty Store whose clock is now.
type Opener func(t *testing.T, now func() time.Time) outbox.Store

// Run runs the suite; each subtest gets a new Store (closed by the suite).
func Run(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		f    func(t *testing.T, s outbox.Store, c *Clock)
	}{
		{"EnqueueOncePerKey", testEnqueueOnce},
		{"EnqueueInvalid", testEnqueueInvalid},
		{"EnqueueMany", testEnqueueMany},
		{"ClaimLeaseAndDue", testClaimLease},
		{"ConcurrentClaimers", testConcurrentClaimers},
		{"EndsOnce", testEndsOnce},
		{"MarkSentMany", testMarkSentMany},
		{"Withdraw", testWithdraw},
		{"Defer", testDefer},
		{"Receipts", testReceipts},
		{"ListBySchool", testList},
		{"ListToRecipients", testListTo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Clock{t: time.Date(2026, 9, 1, 11, 30, 0, 123456789, time.UTC)}
			s := open(t, c.Now)
			t.Cleanup(func() { _ = s.Close() })
			tc.f(t, s, c)
		})
	}
}

var ctx = context.Background()

func notice(key string) outbox.Notice {
	return outbox.Notice{Key: key, Kind: "arrears", SchoolID: "35001", Recipient: "acc_1", Payload: []byte(`{"amount_fen":1200}`)}
}

func enqueue(t *testing.T, s outbox.Store, n outbox.Notice) int64 {
	t.Helper()
	id, created, err := s.Enqueue(ctx, n)
	if err != nil || !created {
		t.Fatalf("enqueue %s: created %v, %v", n.Key, created, err)
	}
	return id
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

func claim(t *testing.T, s outbox.Store, limit int) []int64 {
	t.Helper()
	ns, err := s.Claim(ctx, limit, time.Minute)
	must(t, err)
	var ids []int64
	for _, n := range ns {
		ids = append(ids, n.ID)
	}
	return ids
}

func testEnqueueOnce(t *testing.T, s outbox.Store, c *Clock) {
	id := enqueue(t, s, notice("arrears:pay-1"))
	again, created, err := s.Enqueue(ctx, outbox.Notice{Key: "arrears:pay-1", Kind: "low_balance", Recipient: "x", Payload: []byte(`{}`)})
	if err != nil || created || again != id {
		t.Fatalf("second enqueue of the key: %d %v %v, want %d not created", again, created, err, id)
	}
	n, err := s.Get(ctx, id)
	must(t, err)
	if n.Kind != "arrears" || n.State != outbox.Queued || n.Recipient != "acc_1" || string(n.Payload) != `{"amount_fen":1200}` ||
		!n.CreatedAt.Equal(outbox.Micro(c.Now())) || !n.NotBefore.Equal(n.CreatedAt) || n.DoneAt != nil || n.Attempts != 0 {
		t.Errorf("notice %+v", n)
	}
	// Sent, the key still queues nothing: at most once per key.
	must(t, s.MarkSent(ctx, id))
	if again, created, err := s.Enqueue(ctx, notice("arrears:pay-1")); err != nil || created || again != id {
		t.Errorf("enqueue after sent: %d %v %v", again, created, err)
	}
	_, err = s.Get(ctx, id+1000)
	wantErr(t, "unknown id", err, outbox.ErrNotFound)
}

func testEnqueueMany(t *testing.T, s outbox.Store, c *Clock) {
	first := enqueue(t, s, notice("k0"))
	later := notice("k3")
	later.NotBefore = c.Now().Add(time.Hour)
	n, err := s.EnqueueMany(ctx, []outbox.Notice{notice("k0"), notice("k1"), notice("k2"), notice("k1"), later})
	must(t, err)
	if n != 3 {
		t.Errorf("EnqueueMany queued %d, want 3 (k0 queued before, k1 given twice)", n)
	}
	if ids := claim(t, s, 10); len(ids) != 3 || ids[0] != first {
		t.Errorf("claimed %v, want k0, k1, k2 (k3 not yet due)", ids)
	}
	id, created, err := s.Enqueue(ctx, notice("k1"))
	must(t, err)
	if created || id == 0 {
		t.Errorf("k1 again: %d, created %v", id, created)
	}
	bad := notice("k4")
	bad.Payload = []byte("not json")
	for name, ns := range map[string][]outbox.Notice{"none": nil, "too many": make([]outbox.Notice, outbox.MaxPage+1),
		"one invalid": {notice("k5"), bad}} {
		if _, err := s.EnqueueMany(ctx, ns); !errors.Is(err, outbox.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, created, err := s.Enqueue(ctx, notice("k5")); err != nil || !created {
		t.Errorf("k5 of a refused EnqueueMany was written: created %v, %v", created, err)
	}
}

func testEnqueueInvalid(t *testing.T, s outbox.Store, _ *Clock) {
	for name, edit := range map[string]func(*outbox.Notice){
		"no key":         func(n *outbox.Notice) { n.Key = "" },
		"long key":       func(n *outbox.Notice) { n.Key = string(make([]byte, outbox.MaxKeyLen+1)) },
		"control in key": func(n *outbox.Notice) { n.Key = "a\nb" },
		"bad kind":       func(n *outbox.Notice) { n.Kind = "Arrears!" },
		"no recipient":   func(n *outbox.Notice) { n.Recipient = "" },
		"not an object":  func(n *outbox.Notice) { n.Payload = []byte(`[1]`) },
		"not JSON":       func(n *outbox.Notice) { n.Payload = []byte(`{`) },
	} {
		n := notice("k")
		edit(&n)
		_, _, err := s.Enqueue(ctx, n)
		wantErr(t, name, err, outbox.ErrInvalid)
	}
	if ids := claim(t, s, 10); len(ids) != 0 {
		t.Errorf("invalid notices were queued: %v", ids)
	}
}

func testClaimLease(t *testing.T, s outbox.Store, c *Clock) {
	a := enqueue(t, s, notice("a"))
	later := notice("later")
	later.NotBefore = c.Now().Add(10 * time.Hour) // quiet hours: not before the morning
	l := enqueue(t, s, later)
	b := enqueue(t, s, notice("b"))
	if ids := claim(t, s, 10); fmt.Sprint(ids) != fmt.Sprint([]int64{a, b}) {
		t.Fatalf("claimed %v, want %v (not the one due later)", ids, []int64{a, b})
	}
	if ids := claim(t, s, 10); len(ids) != 0 {
		t.Fatalf("claimed %v again while leased", ids)
	}
	must(t, s.MarkSent(ctx, a))
	c.Add(time.Minute) // b's lease runs out: its claimer died
	ns, err := s.Claim(ctx, 10, time.Minute)
	must(t, err)
	if len(ns) != 1 || ns[0].ID != b || ns[0].Attempts != 2 {
		t.Fatalf("after the lease: %+v, want %d on its second attempt", ns, b)
	}
	c.Add(10 * time.Hour)
	if ids := claim(t, s, 10); len(ids) != 2 || ids[0] != b || ids[1] != l {
		// b's lease ran out again; l fell due: ordered by due time
		t.Errorf("in the morning: %v, want [%d %d]", ids, b, l)
	}
	for _, bad := range []struct {
		limit int
		lease time.Duration
	}{{0, time.Minute}, {outbox.MaxPage + 1, time.Minute}, {1, 0}, {1, outbox.MaxLease + 1}} {
		_, err := s.Claim(ctx, bad.limit, bad.lease)
		wantErr(t, fmt.Sprint("claim ", bad), err, outbox.ErrInvalid)
	}
}

func testConcurrentClaimers(t *testing.T, s outbox.Store, _ *Clock) {
	const n, claimers = 200, 4
	for i := range n {
		enqueue(t, s, notice(fmt.Sprint("k", i)))
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range claimers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ns, err := s.Claim(ctx, 7, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ns) == 0 {
					return
				}
				mu.Lock()
				for _, x := range ns {
					seen[x.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("claimed %d notices, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("notice %d claimed %d times under one lease", id, k)
		}
	}
}

func testEndsOnce(t *testing.T, s outbox.Store, c *Clock) {
	sent, failed := enqueue(t, s, notice("s")), enqueue(t, s, notice("f"))
	claim(t, s, 10)
	must(t, s.MarkSent(ctx, sent))
	must(t, s.MarkFailed(ctx, failed, "sms:invalid_phone"))
	wantErr(t, "sent twice", s.MarkSent(ctx, sent), outbox.ErrNotQueued)
	wantErr(t, "failed after sent", s.MarkFailed(ctx, sent, "x"), outbox.ErrNotQueued)
	wantErr(t, "sent after failed", s.MarkSent(ctx, failed), outbox.ErrNotQueued)
	wantErr(t, "unknown", s.MarkSent(ctx, failed+1000), outbox.ErrNotFound)
	wantErr(t, "no reason", s.MarkFailed(ctx, failed, ""), outbox.ErrInvalid)
	c.Add(2 * time.Minute)
	if ids := claim(t, s, 10); len(ids) != 0 {
		t.Errorf("ended notices claimed again: %v", ids)
	}
	n, err := s.Get(ctx, failed)
	must(t, err)
	if n.State != outbox.Failed || n.Reason != "sms:invalid_phone" || n.DoneAt == nil {
		t.Errorf("failed notice %+v", n)
	}
	n, err = s.Get(ctx, sent)
	must(t, err)
	if n.State != outbox.Sent || n.Reason != "" || n.DoneAt == nil {
		t.Errorf("sent notice %+v", n)
	}
}

func testMarkSentMany(t *testing.T, s outbox.Store, c *Clock) {
	a, b, w, f := enqueue(t, s, notice("a")), enqueue(t, s, notice("b")), enqueue(t, s, notice("w")), enqueue(t, s, notice("f"))
	claim(t, s, 10)
	must(t, s.MarkFailed(ctx, f, "sms:invalid_phone"))
	if ok, err := s.Withdraw(ctx, "w", "voided"); err != nil || !ok {
		t.Fatalf("withdraw: %v %v", ok, err)
	}
	n, err := s.MarkSentMany(ctx, []int64{a, b, w, f, f + 1000})
	must(t, err)
	if n != 2 {
		t.Errorf("MarkSentMany ended %d notices, want the 2 still queued", n)
	}
	if n, err := s.MarkSentMany(ctx, []int64{a, b}); err != nil || n != 0 {
		t.Errorf("MarkSentMany again: %d, %v; want 0, nil", n, err)
	}
	for id, want := range map[int64]outbox.State{a: outbox.Sent, b: outbox.Sent, w: outbox.Withdrawn, f: outbox.Failed} {
		got, err := s.Get(ctx, id)
		must(t, err)
		if got.State != want || got.DoneAt == nil || (want == outbox.Sent && got.Reason != "") {
			t.Errorf("notice %d: %+v, want %s", id, got, want)
		}
	}
	c.Add(2 * time.Minute)
	if ids := claim(t, s, 10); len(ids) != 0 {
		t.Errorf("notices marked sent claimed again: %v", ids)
	}
	for _, bad := range [][]int64{nil, {0}, {-1}, make([]int64, outbox.MaxPage+1)} {
		if _, err := s.MarkSentMany(ctx, bad); !errors.Is(err, outbox.ErrInvalid) {
			t.Errorf("MarkSentMany(%d ids) = %v, want ErrInvalid", len(bad), err)
		}
	}
}

func testWithdraw(t *testing.T, s outbox.Store, c *Clock) {
	id := enqueue(t, s, notice("arrears:pay-9"))
	ok, err := s.Withdraw(ctx, "arrears:pay-9", "sale_voided")
	if err != nil || !ok {
		t.Fatalf("withdraw: %v %v", ok, err)
	}
	n, err := s.Get(ctx, id)
	must(t, err)
	if n.State != outbox.Withdrawn || n.Reason != "sale_voided" {
		t.Errorf("withdrawn notice %+v", n)
	}
	if ids := claim(t, s, 10); len(ids) != 0 {
		t.Errorf("a withdrawn notice was claimed: %v", ids)
	}
	wantErr(t, "send a withdrawn notice", s.MarkSent(ctx, id), outbox.ErrNotQueued)
	// Already sent: too late to withdraw. No notice: nothing to withdraw.
	sent := enqueue(t, s, notice("arrears:pay-10"))
	must(t, s.MarkSent(ctx, sent))
	for _, key := range []string{"arrears:pay-10", "arrears:none"} {
		if ok, err := s.Withdraw(ctx, key, "sale_voided"); err != nil || ok {
			t.Errorf("withdraw %s: %v %v, want false", key, ok, err)
		}
	}
	_, err = s.Withdraw(ctx, "arrears:pay-9", "")
	wantErr(t, "no reason", err, outbox.ErrInvalid)
}

func testDefer(t *testing.T, s outbox.Store, c *Clock) {
	id := enqueue(t, s, notice("fee:1"))
	claim(t, s, 10)
	morning := c.Now().Add(8 * time.Hour)
	must(t, s.Defer(ctx, id, morning))
	c.Add(time.Hour) // the lease is over, but it is not due yet
	if ids := claim(t, s, 10); len(ids) != 0 {
		t.Errorf("a deferred notice was claimed early: %v", ids)
	}
	c.Add(7 * time.Hour)
	if ids := claim(t, s, 10); len(ids) != 1 || ids[0] != id {
		t.Errorf("in the morning: %v, want [%d]", ids, id)
	}
	must(t, s.MarkSent(ctx, id))
	wantErr(t, "defer a sent notice", s.Defer(ctx, id, morning), outbox.ErrNotQueued)
}

func testList(t *testing.T, s outbox.Store, _ *Clock) {
	var ids []int64
	for i := range 5 {
		ids = append(ids, enqueue(t, s, notice(fmt.Sprint("l", i))))
	}
	other := notice("other")
	other.SchoolID = "35002"
	enqueue(t, s, other)
	page, err := s.List(ctx, "35001", 0, 3)
	must(t, err)
	if len(page) != 3 || page[0].ID != ids[4] || page[2].ID != ids[2] {
		t.Fatalf("first page %+v", page)
	}
	page, err = s.List(ctx, "35001", page[2].ID, 3)
	must(t, err)
	if len(page) != 2 || page[0].ID != ids[1] || page[1].ID != ids[0] {
		t.Fatalf("second page %+v", page)
	}
	_, err = s.List(ctx, "35001", 0, 0)
	wantErr(t, "limit 0", err, outbox.ErrInvalid)
}

func testListTo(t *testing.T, s outbox.Store, _ *Clock) {
	to := func(key, recipient string) int64 {
		n := notice(key)
		n.Recipient = recipient
		return enqueue(t, s, n)
	}
	a1, _, a2, b1 := to("a1", "par_1"), to("x", "par_2"), to("a2", "ph_1"), to("b1", "par_1")
	page, err := s.ListTo(ctx, []string{"par_1", "ph_1"}, 0, 2)
	must(t, err)
	if len(page) != 2 || page[0].ID != b1 || page[1].ID != a2 {
		t.Fatalf("first page %+v", page)
	}
	page, err = s.ListTo(ctx, []string{"par_1", "ph_1"}, page[1].ID, 2)
	must(t, err)
	if len(page) != 1 || page[0].ID != a1 || page[0].Recipient != "par_1" {
		t.Fatalf("second page %+v", page)
	}
	page, err = s.ListTo(ctx, []string{"par_9"}, 0, 10)
	must(t, err)
	if len(page) != 0 {
		t.Fatalf("a stranger's inbox %+v", page)
	}
	_, err = s.ListTo(ctx, nil, 0, 10)
	wantErr(t, "no recipient", err, outbox.ErrInvalid)
	_, err = s.ListTo(ctx, []string{""}, 0, 10)
	wantErr(t, "empty recipient", err, outbox.ErrInvalid)
	_, err = s.ListTo(ctx, []string{"par_1"}, 0, outbox.MaxPage+1)
	wantErr(t, "limit", err, outbox.ErrInvalid)
}
