package pgorders_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/pgorders"
	"github.com/onecode/onecode/persistence/pgtest"
)

var benchSeq atomic.Int64

func feeOrder(account string) orders.Order {
	n := benchSeq.Add(1)
	now := time.Now().UTC().Truncate(time.Microsecond)
	return orders.Order{OrderID: fmt.Sprintf("RB%d%014d", time.Now().Unix()%1000, n), RequestID: fmt.Sprintf("req-%d", n),
		ParentID: "parent-" + account, AccountID: account, AmountFen: 12000, Purpose: orders.PurposeFee, ItemID: "FI1",
		CreatedAt: now, ExpiresAt: now.Add(15 * time.Minute)}
}

var errBusy = errors.New("busy")

func billFree(open int64) error {
	if open > 0 {
		return errBusy
	}
	return nil
}

// TestCreateAfterFailures: on a pool of one connection, a create refused by its
// check and one whose context ends inside its transaction leave nothing written
// and the connection usable.
func TestCreateAfterFailures(t *testing.T) {
	ctx := context.Background()
	s := open(t, pgtest.DSN(t), pgorders.Options{MaxConns: 1})
	defer s.Close()
	first := feeOrder("acc-1")
	if _, created, err := s.Create(ctx, first, billFree); err != nil || !created {
		t.Fatalf("first order: created %v, %v", created, err)
	}
	second := feeOrder("acc-1")
	if _, _, err := s.Create(ctx, second, billFree); !errors.Is(err, errBusy) {
		t.Fatalf("second open order of the bill: %v, want the check's error", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	ended := feeOrder("acc-3")
	if _, _, err := s.Create(cctx, ended, func(int64) error { cancel(); return nil }); err == nil {
		t.Fatal("a create whose context ended inside its transaction succeeded")
	}
	for _, o := range []orders.Order{second, ended} {
		if _, err := s.Get(ctx, o.OrderID); !errors.Is(err, orders.ErrNotFound) {
			t.Fatalf("refused order %s: %v, want not written", o.OrderID, err)
		}
	}
	again, created, err := s.Create(ctx, first, billFree)
	if err != nil || created || again.OrderID != first.OrderID {
		t.Fatalf("the first request again: %s created %v, %v; want the first order", again.OrderID, created, err)
	}
	if _, created, err := s.Create(ctx, feeOrder("acc-4"), billFree); err != nil || !created {
		t.Fatalf("a create after the failures: created %v, %v", created, err)
	}
}

// BenchmarkCreateFee: fee orders created by 8 callers at once, each for its own
// bill, as in the evening rush (one connection each, as the switch's pool of 8).
func BenchmarkCreateFee(b *testing.B) {
	s := open(b, pgtest.DSN(b), pgorders.Options{MaxConns: 8})
	defer s.Close()
	var acc atomic.Int64
	b.SetParallelism(4) // 4 × GOMAXPROCS 2 = 8 callers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			o := feeOrder(fmt.Sprintf("acc-%d", acc.Add(1)))
			if _, created, err := s.Create(context.Background(), o, billFree); err != nil || !created {
				b.Errorf("create: created %v, %v", created, err)
				return
			}
		}
	})
}
