package orderstest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/orders"
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
type Opener func(t *testing.T, now func() time.Time) orders.Store

// Run runs the suite; each subtest gets a new Store (closed by the suite).
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		f    func(t *testing.T, s orders.Store, c *Clock)
	}{
		{"CreateAndRead", testCreateAndRead},
		{"CreateIdempotentByRequest", testCreateIdempotent},
		{"CreateInvalid", testCreateInvalid},
		{"OrderIDTaken", testOrderIDTaken},
		{"CheckSeesPending", testCheckSeesPending},
		{"CheckSerialisedPerAccount", testCheckConcurrent},
		{"Transition", testTransition},
		{"TransitionInvalid", testTransitionInvalid},
		{"TransitionRace", testTransitionRace},
		{"PendingSum", testPendingSum},
		{"ListToResolve", testListToResolve},
		{"FeeOrder", testFeeOrder},
		{"FeeOrderInvalid", testFeeOrderInvalid},
		{"FeeCheckSeesBill", testFeeCheckSeesBill},
		{"PayerKept", testPayerKept},
		{"PayParamsKept", testPayParamsKept},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Clock{t: time.Date(2026, 9, 1, 11, 30, 0, 123456789, time.UTC)}
			s := open(t, c.Now)
			t.Cleanup(func() { _ = s.Close() })
			tc.f(t, s, c)
		})
	}
}

var seq atomic.Int64

// newOrder is a valid new order of parent and account.
func newOrder(c *Clock, parent, account string, fen int64) orders.Order {
	n := seq.Add(1)
	return orders.Order{
		OrderID: fmt.Sprintf("RTEST%016d", n), RequestID: fmt.Sprintf("req-%d", n),
		ParentID: parent, AccountID: account, AmountFen: fen,
		CreatedAt: c.Now(), ExpiresAt: c.Now().Add(15 * time.Minute),
	}
}

func create(t *testing.T, s orders.Store, o orders.Order) orders.Order {
	t.Helper()
	got, created, err := s.Create(context.Background(), o, nil)
	if err != nil || !created {
		t.Fatalf("Create %s: created %v, %v", o.OrderID, created, err)
	}
	return got
}

func move(t *testing.T, s orders.Store, id string, from []orders.State, to orders.State, f orders.Fields) orders.Order {
	t.Helper()
	got, err := s.Transition(context.Background(), id, from, to, f)
	if err != nil {
		t.Fatalf("Transition %s %v → %s: %v", id, from, to, err)
	}
	return got
}

func testCreateAndRead(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	o := newOrder(c, "p1", "acc-1", 5000)
	got := create(t, s, o)
	want := o
	want.State, want.Purpose, want.Channel = orders.StatePending, orders.PurposeRecharge, orders.ChannelH5
	want.CreatedAt, want.ExpiresAt, want.UpdatedAt = orders.Micro(o.CreatedAt), orders.Micro(o.ExpiresAt), orders.Micro(c.Now())
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Create got %+v, want %+v", got, want)
	}
	if g, err := s.Get(ctx, o.OrderID); err != nil || !reflect.DeepEqual(g, want) {
		t.Fatalf("Get got %+v, %v; want %+v", g, err, want)
	}
	if g, err := s.ByRequest(ctx, "p1", o.RequestID); err != nil || !reflect.DeepEqual(g, want) {
		t.Fatalf("ByRequest got %+v, %v; want %+v", g, err, want)
	}
	if _, err := s.Get(ctx, "RNOSUCHORDER"); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("Get unknown: %v, want ErrNotFound", err)
	}
	if _, err := s.ByRequest(ctx, "p2", o.RequestID); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("ByRequest of another parent: %v, want ErrNotFound", err)
	}
	if _, err := s.Get(ctx, "bad id!"); !errors.Is(err, orders.ErrInvalid) {
		t.Errorf("Get malformed id: %v, want ErrInvalid", err)
	}
}

func testCreateIdempotent(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	first := create(t, s, newOrder(c, "p1", "acc-1", 5000))
	again := newOrder(c, "p1", "acc-1", 7000) // another order id and amount, same request
	again.RequestID = first.RequestID
	called := false
	got, created, err := s.Create(ctx, again, func(int64) error { called = true; return nil })
	if err != nil || created || called {
		t.Fatalf("second Create: created %v, check called %v, %v; want the first order, check not called", created, called, err)
	}
	if !reflect.DeepEqual(got, first) {
		t.Fatalf("second Create got %+v, want the first %+v", got, first)
	}
	if _, err := s.Get(ctx, again.OrderID); !errors.Is(err, orders.ErrNotFound) {
		t.Fatalf("the second order id was written: %v", err)
	}
	other := newOrder(c, "p2", "acc-1", 5000) // same request id, another parent: a new order
	other.RequestID = first.RequestID
	create(t, s, other)
}

func testCreateInvalid(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	for name, mutate := range map[string]func(*orders.Order){
		"zero amount":     func(o *orders.Order) { o.AmountFen = 0 },
		"negative amount": func(o *orders.Order) { o.AmountFen = -1 },
		"short id":        func(o *orders.Order) { o.OrderID = "R1" },
		"bad id":          func(o *orders.Order) { o.OrderID = "R1234567/9" },
		"no request":      func(o *orders.Order) { o.RequestID = "" },
		"no parent":       func(o *orders.Order) { o.ParentID = "" },
		"no account":      func(o *orders.Order) { o.AccountID = "" },
		"not pending":     func(o *orders.Order) { o.State = orders.StateCredited },
		"pay url":         func(o *orders.Order) { o.PayURL = "http://x" },
		"expired":         func(o *orders.Order) { o.ExpiresAt = o.CreatedAt },
		"no created":      func(o *orders.Order) { o.CreatedAt = time.Time{} },
	} {
		o := newOrder(c, "p1", "acc-1", 100)
		mutate(&o)
		if _, _, err := s.Create(ctx, o, nil); !errors.Is(err, orders.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
	if sum, err := s.PendingSum(ctx, "acc-1"); err != nil || sum != 0 {
		t.Fatalf("PendingSum after invalid creates %d, %v; want 0", sum, err)
	}
}

func testOrderIDTaken(t *testing.T, s orders.Store, c *Clock) {
	first := create(t, s, newOrder(c, "p1", "acc-1", 100))
	o := newOrder(c, "p1", "acc-1", 100)
	o.OrderID = first.OrderID
	if _, _, err := s.Create(context.Background(), o, nil); !errors.Is(err, orders.ErrConflict) {
		t.Fatalf("reused order id: %v, want ErrConflict", err)
	}
}

func testCheckSeesPending(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	a := create(t, s, newOrder(c, "p1", "acc-1", 3000))
	create(t, s, newOrder(c, "p1", "acc-2", 9000)) // another account: not counted
	b := create(t, s, newOrder(c, "p1", "acc-1", 2000))
	move(t, s, b.OrderID, []orders.State{orders.StatePending}, orders.StateAwaitingPayment, orders.Fields{PayURL: "http://pay/b"})
	var seen int64 = -1
	refuse := errors.New("over the cap")
	o := newOrder(c, "p1", "acc-1", 100)
	if _, _, err := s.Create(ctx, o, func(p int64) error { seen = p; return refuse }); !errors.Is(err, refuse) {
		t.Fatalf("refused Create: %v, want the check's error", err)
	}
	if seen != 5000 {
		t.Fatalf("check saw pending %d, want 5000", seen)
	}
	if _, err := s.Get(ctx, o.OrderID); !errors.Is(err, orders.ErrNotFound) {
		t.Fatalf("a refused order was written: %v", err)
	}
	move(t, s, a.OrderID, []orders.State{orders.StatePending}, orders.StateFailed, orders.Fields{})
	if _, _, err := s.Create(ctx, o, func(p int64) error { seen = p; return nil }); err != nil || seen != 2000 {
		t.Fatalf("Create after a failure: check saw %d, %v; want 2000", seen, err)
	}
}

// testCheckConcurrent: concurrent Creates on one account, each allowed only while
// pending + amount ≤ cap, never take the pending sum above the cap.
func testCheckConcurrent(t *testing.T, s orders.Store, c *Clock) {
	const workers, amount, limit = 12, 1000, 5000
	var wg sync.WaitGroup
	var ok atomic.Int64
	errs := make(chan error, workers)
	over := errors.New("over")
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, created, err := s.Create(context.Background(), newOrder(c, "p1", "acc-hot", amount), func(p int64) error {
				if p+amount > limit {
					return over
				}
				return nil
			})
			switch {
			case err == nil && created:
				ok.Add(1)
			case errors.Is(err, over):
			default:
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sum, err := s.PendingSum(context.Background(), "acc-hot")
	if err != nil || sum != limit || ok.Load() != limit/amount {
		t.Fatalf("pending %d (%v), %d created; want %d and %d", sum, err, ok.Load(), limit, limit/amount)
	}
}

func testTransition(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	o := create(t, s, newOrder(c, "p1", "acc-1", 5000))
	c.Add(time.Second)
	got := move(t, s, o.OrderID, []orders.State{orders.StatePending}, orders.StateAwaitingPayment, orders.Fields{PayURL: "http://pay/1"})
	if got.State != orders.StateAwaitingPayment || got.PayURL != "http://pay/1" || !got.UpdatedAt.Equal(orders.Micro(c.Now())) {
		t.Fatalf("after pending → awaiting: %+v", got)
	}
	// Wrong from: nothing changes.
	_, err := s.Transition(ctx, o.OrderID, []orders.State{orders.StatePending}, orders.StateClosed, orders.Fields{})
	if !errors.Is(err, orders.ErrConflict) {
		t.Fatalf("stale transition: %v, want ErrConflict", err)
	}
	c.Add(time.Second)
	got = move(t, s, o.OrderID, []orders.State{orders.StatePending, orders.StateAwaitingPayment}, orders.StateCredited,
		orders.Fields{TransactionID: "4200000001"})
	if got.State != orders.StateCredited || got.PayURL != "http://pay/1" || got.TransactionID != "4200000001" {
		t.Fatalf("after credit: %+v (empty fields must keep their value)", got)
	}
	if g, err := s.Get(ctx, o.OrderID); err != nil || !reflect.DeepEqual(g, got) {
		t.Fatalf("Get after transitions %+v, %v; want %+v", g, err, got)
	}
	if _, err := s.Transition(ctx, "RNOSUCHORDER", []orders.State{orders.StatePending}, orders.StateClosed, orders.Fields{}); !errors.Is(err, orders.ErrNotFound) {
		t.Fatalf("unknown order: %v, want ErrNotFound", err)
	}
	// A closed order that turns out paid is still credited.
	cl := create(t, s, newOrder(c, "p1", "acc-1", 100))
	move(t, s, cl.OrderID, []orders.State{orders.StatePending}, orders.StateClosed, orders.Fields{})
	move(t, s, cl.OrderID, []orders.State{orders.StateClosed}, orders.StateCredited, orders.Fields{TransactionID: "4200000002"})
	// Touch: an open order re-written in its state moves its UpdatedAt only.
	tc := create(t, s, newOrder(c, "p1", "acc-1", 100))
	c.Add(time.Minute)
	if got := move(t, s, tc.OrderID, []orders.State{orders.StatePending}, orders.StatePending, orders.Fields{}); !got.UpdatedAt.Equal(orders.Micro(c.Now())) || got.State != orders.StatePending {
		t.Fatalf("touch: %+v", got)
	}
}

func testTransitionInvalid(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	o := create(t, s, newOrder(c, "p1", "acc-1", 5000))
	for name, tr := range map[string]struct {
		from []orders.State
		to   orders.State
		f    orders.Fields
	}{
		"no from":              {nil, orders.StateClosed, orders.Fields{}},
		"credited to closed":   {[]orders.State{orders.StateCredited}, orders.StateClosed, orders.Fields{}},
		"closed to awaiting":   {[]orders.State{orders.StateClosed}, orders.StateAwaitingPayment, orders.Fields{PayURL: "http://x"}},
		"failed to pending":    {[]orders.State{orders.StateFailed}, orders.StatePending, orders.Fields{}},
		"unknown state":        {[]orders.State{"paid"}, orders.StateCredited, orders.Fields{TransactionID: "1"}},
		"awaiting, no pay url": {[]orders.State{orders.StatePending}, orders.StateAwaitingPayment, orders.Fields{}},
		"credited, no tx id":   {[]orders.State{orders.StatePending}, orders.StateCredited, orders.Fields{}},
		"pay url too long":     {[]orders.State{orders.StatePending}, orders.StateAwaitingPayment, orders.Fields{PayURL: string(make([]byte, orders.MaxPayURLLen+1))}},
		"transaction too long": {[]orders.State{orders.StatePending}, orders.StateCredited, orders.Fields{TransactionID: string(make([]byte, orders.MaxTxIDLen+1))}},
	} {
		if _, err := s.Transition(ctx, o.OrderID, tr.from, tr.to, tr.f); !errors.Is(err, orders.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
	if got, err := s.Get(ctx, o.OrderID); err != nil || got.State != orders.StatePending {
		t.Fatalf("after invalid transitions: %+v, %v; want pending", got, err)
	}
}

// testTransitionRace: of two concurrent moves from pending, exactly one wins.
func testTransitionRace(t *testing.T, s orders.Store, c *Clock) {
	for range 10 {
		o := create(t, s, newOrder(c, "p1", "acc-1", 100))
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i, to := range []orders.State{orders.StateClosed, orders.StateCredited} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = s.Transition(context.Background(), o.OrderID, []orders.State{orders.StatePending}, to, orders.Fields{TransactionID: "4200000003"})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range results {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, orders.ErrConflict):
				t.Fatalf("racing transition: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d transitions won (%v), want 1", won, results)
		}
	}
}

func testPendingSum(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	if sum, err := s.PendingSum(ctx, "acc-1"); err != nil || sum != 0 {
		t.Fatalf("empty PendingSum %d, %v", sum, err)
	}
	var ids []string
	for _, fen := range []int64{100, 200, 400, 800, 1600} {
		ids = append(ids, create(t, s, newOrder(c, "p1", "acc-1", fen)).OrderID)
	}
	create(t, s, newOrder(c, "p1", "acc-2", 10000))
	p := []orders.State{orders.StatePending}
	move(t, s, ids[1], p, orders.StateAwaitingPayment, orders.Fields{PayURL: "http://pay"})
	move(t, s, ids[2], p, orders.StateCredited, orders.Fields{TransactionID: "42"})
	move(t, s, ids[3], p, orders.StateClosed, orders.Fields{})
	move(t, s, ids[4], p, orders.StateFailed, orders.Fields{})
	if sum, err := s.PendingSum(ctx, "acc-1"); err != nil || sum != 300 {
		t.Fatalf("PendingSum %d, %v; want 300 (pending + awaiting payment)", sum, err)
	}
}

func testListToResolve(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	var ids []string
	for range 5 {
		ids = append(ids, create(t, s, newOrder(c, "p1", "acc-1", 100)).OrderID)
		c.Add(time.Second)
	}
	p := []orders.State{orders.StatePending}
	move(t, s, ids[1], p, orders.StateCredited, orders.Fields{TransactionID: "42"}) // written now: excluded anyway
	move(t, s, ids[2], p, orders.StateAwaitingPayment, orders.Fields{PayURL: "http://pay"})
	list := func(olderThan time.Time, limit int) []string {
		t.Helper()
		got, err := s.ListToResolve(ctx, olderThan, limit)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, o := range got {
			if !o.State.Open() {
				t.Fatalf("ListToResolve returned %s in state %s", o.OrderID, o.State)
			}
			out = append(out, o.OrderID)
		}
		return out
	}
	start := c.Now().Add(-5 * time.Second) // when ids[0] was written
	if got := list(start, 10); len(got) != 0 {
		t.Fatalf("nothing is older than the first write, got %v", got)
	}
	if got, want := list(start.Add(3500*time.Millisecond), 10), []string{ids[0], ids[3]}; !reflect.DeepEqual(got, want) {
		t.Fatalf("older than 3.5 s after start: %v, want %v", got, want)
	}
	if got, want := list(c.Now().Add(time.Second), 10), []string{ids[0], ids[3], ids[4], ids[2]}; !reflect.DeepEqual(got, want) {
		t.Fatalf("all open, least recently written first: %v, want %v", got, want)
	}
	if got, want := list(c.Now().Add(time.Second), 2), []string{ids[0], ids[3]}; !reflect.DeepEqual(got, want) {
		t.Fatalf("limit 2: %v, want %v", got, want)
	}
	c.Add(time.Second)
	move(t, s, ids[0], p, orders.StatePending, orders.Fields{}) // looked at: goes to the back
	if got, want := list(c.Now().Add(time.Second), 10), []string{ids[3], ids[4], ids[2], ids[0]}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after a touch: %v, want %v", got, want)
	}
	for _, limit := range []int{0, -1, orders.MaxBatch + 1} {
		if _, err := s.ListToResolve(ctx, c.Now(), limit); !errors.Is(err, orders.ErrInvalid) {
			t.Errorf("limit %d: %v, want ErrInvalid", limit, err)
		}
	}
}

// feeOrder is a valid new fee order paying the account's bill of item.
func feeOrder(c *Clock, parent, account, item string, fen int64) orders.Order {
	o := newOrder(c, parent, account, fen)
	o.Purpose, o.ItemID, o.SchoolID, o.MerchantKey = orders.PurposeFee, item, "sch-1", "wechatpay:1900000001"
	return o
}

func testFeeOrder(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	o := feeOrder(c, "p1", "acc-1", "fee-1", 12000)
	got := create(t, s, o)
	if got.Purpose != orders.PurposeFee || got.ItemID != "fee-1" || got.SchoolID != "sch-1" || got.MerchantKey != "wechatpay:1900000001" {
		t.Fatalf("fee order read back %+v", got)
	}
	if g, err := s.Get(ctx, o.OrderID); err != nil || !reflect.DeepEqual(g, got) {
		t.Fatalf("Get %+v, %v; want %+v", g, err, got)
	}
	r := newOrder(c, "p1", "acc-1", 500)
	r.SchoolID, r.MerchantKey = "sch-1", "m1"
	if got := create(t, s, r); got.Purpose != orders.PurposeRecharge || got.MerchantKey != "m1" || got.SchoolID != "sch-1" {
		t.Fatalf("recharge read back %+v", got)
	}
	// Fee orders never count towards the balance cap's pending sum.
	if sum, err := s.PendingSum(ctx, "acc-1"); err != nil || sum != 500 {
		t.Fatalf("PendingSum %d, %v; want 500 (the recharge only)", sum, err)
	}
	second := create(t, s, feeOrder(c, "p1", "acc-1", "fee-1", 12000))
	create(t, s, feeOrder(c, "p1", "acc-1", "fee-2", 300))
	create(t, s, feeOrder(c, "p1", "acc-2", "fee-1", 300))
	open, err := s.OpenForBill(ctx, "acc-1", "fee-1")
	if err != nil || len(open) != 2 {
		t.Fatalf("OpenForBill %v, %v; want the two orders of the bill", open, err)
	}
	move(t, s, second.OrderID, []orders.State{orders.StatePending}, orders.StateCredited, orders.Fields{TransactionID: "42"})
	open, err = s.OpenForBill(ctx, "acc-1", "fee-1")
	if err != nil || len(open) != 1 || open[0].OrderID != o.OrderID {
		t.Fatalf("OpenForBill after a credit %v, %v; want %s only", open, err, o.OrderID)
	}
	if open, err := s.OpenForBill(ctx, "acc-1", "fee-9"); err != nil || len(open) != 0 {
		t.Fatalf("OpenForBill of another bill %v, %v", open, err)
	}
	if _, err := s.OpenForBill(ctx, "", "fee-1"); !errors.Is(err, orders.ErrInvalid) {
		t.Fatalf("OpenForBill without account: %v, want ErrInvalid", err)
	}
}

func testFeeOrderInvalid(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	for name, mutate := range map[string]func(*orders.Order){
		"fee without item":   func(o *orders.Order) { o.ItemID = "" },
		"recharge with item": func(o *orders.Order) { o.Purpose = orders.PurposeRecharge },
		"unknown purpose":    func(o *orders.Order) { o.Purpose = "gift" },
		"item too long":      func(o *orders.Order) { o.ItemID = string(make([]byte, orders.MaxItemIDLen+1)) },
		"merchant too long":  func(o *orders.Order) { o.MerchantKey = string(make([]byte, orders.MaxMerchantLen+1)) },
		"school id too long": func(o *orders.Order) { o.SchoolID = string(make([]byte, orders.MaxPartyIDLen+1)) },
	} {
		o := feeOrder(c, "p1", "acc-1", "fee-1", 100)
		mutate(&o)
		if _, _, err := s.Create(ctx, o, nil); !errors.Is(err, orders.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
}

// testFeeCheckSeesBill: the check of a fee order sees the open orders of its bill,
// serialised, so that concurrent orders of one bill admit one.
func testFeeCheckSeesBill(t *testing.T, s orders.Store, c *Clock) {
	ctx := context.Background()
	create(t, s, newOrder(c, "p1", "acc-1", 9000)) // a recharge: not the bill's
	create(t, s, feeOrder(c, "p1", "acc-1", "fee-2", 700))
	var seen int64 = -1
	if _, _, err := s.Create(ctx, feeOrder(c, "p1", "acc-1", "fee-1", 100), func(p int64) error { seen = p; return nil }); err != nil || seen != 0 {
		t.Fatalf("first order of the bill: check saw %d, %v; want 0", seen, err)
	}
	const workers = 8
	var wg sync.WaitGroup
	var ok atomic.Int64
	busy := errors.New("the bill has an open order")
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, created, err := s.Create(ctx, feeOrder(c, "p2", "acc-3", "fee-1", 100), func(p int64) error {
				if p > 0 {
					return busy
				}
				return nil
			})
			switch {
			case err == nil && created:
				ok.Add(1)
			case !errors.Is(err, busy):
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d concurrent orders of one bill written, want 1", ok.Load())
	}
}
