package codec

import (
	"time"

	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/money"
	eventsv1 "github.com/onecode/onecode/protos/onecode/events/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// refundCommand converts the wire refund commands; ok is false for any other command.
func refundCommand(key string, req *grainv1.ExecuteRequest) (cmd account.Command, ok bool) {
	switch c := req.GetCommand().(type) {
	case *grainv1.ExecuteRequest_ReserveRefund:
		m := c.ReserveRefund
		return account.ReserveRefund{IdemKey: key, RefundID: m.GetRefundId(), OrderID: m.GetOrderId(), ItemID: m.GetItemId(),
			Amount: money.Amount(m.GetAmountFen())}, true
	case *grainv1.ExecuteRequest_SettleRefund:
		return account.SettleRefund{IdemKey: key, RefundID: c.SettleRefund.GetRefundId()}, true
	case *grainv1.ExecuteRequest_ReleaseRefund:
		return account.ReleaseRefund{IdemKey: key, RefundID: c.ReleaseRefund.GetRefundId()}, true
	}
	return nil, false
}

func encodeOpenRefunds(rs []account.OpenRefund) []*eventsv1.OpenRefund {
	var out []*eventsv1.OpenRefund
	for _, r := range rs {
		out = append(out, &eventsv1.OpenRefund{RefundId: r.RefundID, OrderId: r.OrderID, ItemId: r.ItemID, AmountFen: int64(r.Amount)})
	}
	return out
}

func decodeOpenRefunds(ms []*eventsv1.OpenRefund) []account.OpenRefund {
	var out []account.OpenRefund
	for _, m := range ms {
		out = append(out, account.OpenRefund{RefundID: m.GetRefundId(), OrderID: m.GetOrderId(), ItemID: m.GetItemId(),
			Amount: money.Amount(m.GetAmountFen())})
	}
	return out
}

func refundReserved(m *eventsv1.RefundReserved, at time.Time) account.Event {
	return account.RefundReserved{RefundID: m.GetRefundId(), OrderID: m.GetOrderId(), ItemID: m.GetItemId(),
		Amount: money.Amount(m.GetAmountFen()), At: at}
}

func refundSettled(m *eventsv1.RefundSettled, at time.Time) account.Event {
	return account.RefundSettled{RefundID: m.GetRefundId(), OrderID: m.GetOrderId(), ItemID: m.GetItemId(),
		Amount: money.Amount(m.GetAmountFen()), At: at}
}

func refundReleased(m *eventsv1.RefundReleased, at time.Time) account.Event {
	return account.RefundReleased{RefundID: m.GetRefundId(), OrderID: m.GetOrderId(), ItemID: m.GetItemId(),
		Amount: money.Amount(m.GetAmountFen()), At: at}
}
