package orderstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/orders"
)

// testSettled: Settled answers the merchant's orders credited and refunds succeeded
// in the period, nothing of another merchant, of another period or still open.
func testSettled(t *testing.T, s RefundStore, c *Clock) {
	ctx := context.Background()
	ss, ok := s.(orders.Settlements)
	if !ok {
		t.Skip("the store answers no settlements")
	}
	from := c.Now()
	o := feeOrder(c, "p1", "acc-s1", "item-s1", 5000)
	o.MerchantKey = "ali"
	paid := create(t, s, o)
	paid = move(t, s, paid.OrderID, []orders.State{orders.StatePending}, orders.StateCredited, orders.Fields{TransactionID: "tx-s1"})
	other := feeOrder(c, "p2", "acc-s2", "item-s2", 700)
	other.MerchantKey = "wx"
	other = create(t, s, other)
	move(t, s, other.OrderID, []orders.State{orders.StatePending}, orders.StateCredited, orders.Fields{TransactionID: "tx-s2"})
	open := feeOrder(c, "p3", "acc-s3", "item-s3", 900)
	open.MerchantKey = "ali"
	create(t, s, open)
	r := createRefund(t, s, newRefund(c, paid, 1000))
	if _, err := s.MoveRefund(ctx, r.RefundNo, []orders.RefundState{orders.RefundPending}, orders.RefundSucceeded, "pr-1"); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Second)
	got, refunds, err := ss.Settled(ctx, "ali", from, c.Now())
	if err != nil || len(got) != 1 || got[0].OrderID != paid.OrderID || len(refunds) != 1 || refunds[0].RefundNo != r.RefundNo {
		t.Fatalf("settled: %v %v %v", got, refunds, err)
	}
	if got, refunds, err := ss.Settled(ctx, "ali", c.Now(), c.Now().Add(time.Hour)); err != nil || len(got)+len(refunds) != 0 {
		t.Fatalf("a later period: %v %v %v", got, refunds, err)
	}
	if _, _, err := ss.Settled(ctx, "ali", c.Now(), c.Now()); !errors.Is(err, orders.ErrInvalid) {
		t.Fatalf("an empty period: %v", err)
	}
}
