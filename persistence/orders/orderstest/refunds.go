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

// RefundStore is a store of orders and of their refunds (one database).
type RefundStore interface {
	orders.Store
	orders.RefundStore
}

// RefundOpener returns a new, empty store whose clock is now.
type RefundOpener func(t *testing.T, now func() time.Time) RefundStore

// RunRefunds runs the refunds suite; each subtest gets a new store.
func RunRefunds(t *testing.T, open RefundOpener) {
	tests := []struct {
		name string
		f    func(t *testing.T, s RefundStore, c *Clock)
	}{
		{"CreateReadIdempotent", testRefundCreate},
		{"CheckSeesCountedRefunds", testRefundCheck},
		{"CheckSerialisedPerOrder", testRefundConcurrent},
		{"Move", testRefundMove},
		{"ListAndResolve", testRefundLists},
		{"PaidForBill", testPaidForBill},
		{"Invalid", testRefundInvalid},
		{"Settled", testSettled},
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

var refundSeq atomic.Int64

// paidOrder writes a fee order of the bill (account, item) and credits it.
func paidOrder(t *testing.T, s RefundStore, c *Clock, account, item string, fen int64) orders.Order {
	t.Helper()
	o := create(t, s, feeOrder(c, "p1", account, item, fen))
	return move(t, s, o.OrderID, []orders.State{orders.StatePending}, orders.StateCredited, orders.Fields{TransactionID: "tx-" + o.OrderID})
}

func newRefund(c *Clock, o orders.Order, fen int64) orders.Refund {
	n := refundSeq.Add(1)
	return orders.Refund{RefundNo: fmt.Sprintf("FTEST%016d", n), RequestID: fmt.Sprintf("rq-%d", n), SchoolID: "sch-1",
		OrderID: o.OrderID, AccountID: o.AccountID, ItemID: o.ItemID, AmountFen: fen, Reason: "退学", StaffID: "fin-1",
		CreatedAt: c.Now()}
}

func createRefund(t *testing.T, s RefundStore, r orders.Refund) orders.Refund {
	t.Helper()
	got, created, err := s.CreateRefund(context.Background(), r, nil)
	if err != nil || !created {
		t.Fatalf("CreateRefund %s: created %v, %v", r.RefundNo, created, err)
	}
	return got
}

func testRefundCreate(t *testing.T, s RefundStore, c *Clock) {
	ctx := context.Background()
	o := paidOrder(t, s, c, "acc-1", "fee-1", 12000)
	r := newRefund(c, o, 5000)
	got := createRefund(t, s, r)
	want := r
	want.State, want.CreatedAt, want.UpdatedAt = orders.RefundPending, orders.Micro(r.CreatedAt), orders.Micro(c.Now())
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("created %+v, want %+v", got, want)
	}
	if g, err := s.GetRefund(ctx, r.RefundNo); err != nil || !reflect.DeepEqual(g, got) {
		t.Fatalf("GetRefund %+v, %v", g, err)
	}
	// The same request of the school: the first refund, not a second one; check not called.
	again := r
	again.RefundNo, again.AmountFen = "FOTHER0000001", 1
	g, created, err := s.CreateRefund(ctx, again, func(int64) error { t.Error("check called for a repeated request"); return nil })
	if err != nil || created || !reflect.DeepEqual(g, got) {
		t.Fatalf("repeated request: %+v, created %v, %v", g, created, err)
	}
	// Another school may use the same request id.
	other := newRefund(c, o, 100)
	other.RequestID, other.SchoolID = r.RequestID, "sch-2"
	createRefund(t, s, other)
	if _, err := s.GetRefund(ctx, "FNONE0000001"); !errors.Is(err, orders.ErrNotFound) {
		t.Fatalf("GetRefund of nothing: %v, want ErrNotFound", err)
	}
	// The refund number is unique.
	dup := newRefund(c, o, 100)
	dup.RefundNo = r.RefundNo
	if _, _, err := s.CreateRefund(ctx, dup, nil); !errors.Is(err, orders.ErrConflict) {
		t.Fatalf("taken refund number: %v, want ErrConflict", err)
	}
}

func testRefundCheck(t *testing.T, s RefundStore, c *Clock) {
	ctx := context.Background()
	o := paidOrder(t, s, c, "acc-1", "fee-1", 10000)
	a := createRefund(t, s, newRefund(c, o, 3000))
	b := createRefund(t, s, newRefund(c, o, 2000))
	if _, err := s.MoveRefund(ctx, b.RefundNo, []orders.RefundState{orders.RefundPending}, orders.RefundFailed, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveRefund(ctx, a.RefundNo, []orders.RefundState{orders.RefundPending}, orders.RefundSucceeded, "50300001"); err != nil {
		t.Fatal(err)
	}
	var seen int64 = -1
	_, created, err := s.CreateRefund(ctx, newRefund(c, o, 1), func(sum int64) error { seen = sum; return nil })
	if err != nil || !created || seen != 3000 {
		t.Fatalf("check saw %d (created %v, %v), want 3000: succeeded counts, failed does not", seen, created, err)
	}
	refused := errors.New("exceeded")
	r := newRefund(c, o, 7000)
	if _, _, err := s.CreateRefund(ctx, r, func(int64) error { return refused }); !errors.Is(err, refused) {
		t.Fatalf("check's error: %v", err)
	}
	if _, err := s.GetRefund(ctx, r.RefundNo); !errors.Is(err, orders.ErrNotFound) {
		t.Fatalf("a refused refund was written: %v", err)
	}
}

// testRefundConcurrent: ten refunds of 1000 race on an order of 5000 whose check
// admits what still fits: exactly five are written.
func testRefundConcurrent(t *testing.T, s RefundStore, c *Clock) {
	o := paidOrder(t, s, c, "acc-1", "fee-1", 5000)
	var wg sync.WaitGroup
	var created atomic.Int64
	for range 10 {
		r := newRefund(c, o, 1000)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := s.CreateRefund(context.Background(), r, func(sum int64) error {
				if sum+r.AmountFen > o.AmountFen {
					return orders.ErrConflict
				}
				return nil
			})
			if ok && err == nil {
				created.Add(1)
			} else if !errors.Is(err, orders.ErrConflict) {
				t.Errorf("CreateRefund: %v", err)
			}
		}()
	}
	wg.Wait()
	if got := created.Load(); got != 5 {
		t.Fatalf("%d refunds written, want 5", got)
	}
}

func testRefundMove(t *testing.T, s RefundStore, c *Clock) {
	ctx := context.Background()
	o := paidOrder(t, s, c, "acc-1", "fee-1", 10000)
	r := createRefund(t, s, newRefund(c, o, 3000))
	c.Add(time.Second)
	got, err := s.MoveRefund(ctx, r.RefundNo, []orders.RefundState{orders.RefundPending}, orders.RefundProcessing, "")
	if err != nil || got.State != orders.RefundProcessing || !got.UpdatedAt.Equal(orders.Micro(c.Now())) {
		t.Fatalf("to processing: %+v, %v", got, err)
	}
	got, err = s.MoveRefund(ctx, r.RefundNo, []orders.RefundState{orders.RefundProcessing}, orders.RefundSucceeded, "50300001")
	if err != nil || got.State != orders.RefundSucceeded || got.ProviderRefundID != "50300001" {
		t.Fatalf("to succeeded: %+v, %v", got, err)
	}
	// Settled once: a second settle or a release conflicts.
	if _, err := s.MoveRefund(ctx, r.RefundNo, []orders.RefundState{orders.RefundProcessing}, orders.RefundFailed, ""); !errors.Is(err, orders.ErrConflict) {
		t.Fatalf("release after success: %v, want ErrConflict", err)
	}
	if _, err := s.MoveRefund(ctx, r.RefundNo, []orders.RefundState{orders.RefundSucceeded}, orders.RefundFailed, ""); !errors.Is(err, orders.ErrInvalid) {
		t.Fatalf("move from a final state: %v, want ErrInvalid", err)
	}
	if _, err := s.MoveRefund(ctx, "FNONE0000001", []orders.RefundState{orders.RefundPending}, orders.RefundFailed, ""); !errors.Is(err, orders.ErrNotFound) {
		t.Fatalf("move of nothing: %v, want ErrNotFound", err)
	}
}

func testRefundLists(t *testing.T, s RefundStore, c *Clock) {
	ctx := context.Background()
	o := paidOrder(t, s, c, "acc-1", "fee-1", 10000)
	a := createRefund(t, s, newRefund(c, o, 100))
	c.Add(time.Minute)
	b := createRefund(t, s, newRefund(c, o, 200))
	c.Add(time.Minute)
	other := newRefund(c, o, 300)
	other.SchoolID = "sch-2"
	createRefund(t, s, other)
	if _, err := s.MoveRefund(ctx, a.RefundNo, []orders.RefundState{orders.RefundPending}, orders.RefundSucceeded, ""); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListRefunds(ctx, "sch-1", 10)
	if err != nil || len(list) != 2 || list[0].RefundNo != b.RefundNo || list[1].RefundNo != a.RefundNo {
		t.Fatalf("ListRefunds %+v, %v; want b, a (newest first, own school only)", list, err)
	}
	c.Add(time.Minute)
	open, err := s.RefundsToResolve(ctx, c.Now(), 10)
	if err != nil || len(open) != 2 || open[0].RefundNo != b.RefundNo {
		t.Fatalf("RefundsToResolve %+v, %v; want b and the other school's (a succeeded)", open, err)
	}
	if _, err := s.ListRefunds(ctx, "sch-1", orders.MaxRefundBatch+1); !errors.Is(err, orders.ErrInvalid) {
		t.Fatalf("huge page: %v, want ErrInvalid", err)
	}
}

func testPaidForBill(t *testing.T, s RefundStore, c *Clock) {
	ctx := context.Background()
	paid := paidOrder(t, s, c, "acc-1", "fee-1", 10000)
	create(t, s, feeOrder(c, "p1", "acc-1", "fee-1", 500)) // open, not paid
	paidOrder(t, s, c, "acc-1", "fee-2", 300)
	paidOrder(t, s, c, "acc-2", "fee-1", 300)
	got, err := s.PaidForBill(ctx, "acc-1", "fee-1")
	if err != nil || len(got) != 1 || got[0].OrderID != paid.OrderID {
		t.Fatalf("PaidForBill %+v, %v; want the one credited order of the bill", got, err)
	}
}

func testRefundInvalid(t *testing.T, s RefundStore, c *Clock) {
	o := paidOrder(t, s, c, "acc-1", "fee-1", 10000)
	for name, mod := range map[string]func(*orders.Refund){
		"zero amount":     func(r *orders.Refund) { r.AmountFen = 0 },
		"no reason":       func(r *orders.Refund) { r.Reason = "" },
		"no staff":        func(r *orders.Refund) { r.StaffID = "" },
		"bad refund no":   func(r *orders.Refund) { r.RefundNo = "F/1" },
		"no request":      func(r *orders.Refund) { r.RequestID = "" },
		"not pending":     func(r *orders.Refund) { r.State = orders.RefundSucceeded },
		"no time":         func(r *orders.Refund) { r.CreatedAt = time.Time{} },
		"long reason":     func(r *orders.Refund) { r.Reason = string(make([]byte, orders.MaxReasonLen+1)) },
		"no school":       func(r *orders.Refund) { r.SchoolID = "" },
		"provider id set": func(r *orders.Refund) { r.ProviderRefundID = "x" },
	} {
		r := newRefund(c, o, 100)
		mod(&r)
		if _, _, err := s.CreateRefund(context.Background(), r, nil); !errors.Is(err, orders.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}
