package wiring

import (
	"context"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/guardian"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/persistence/orders"
)

// Notices queues notices in the notices' outbox (issue 12); ok is false
// without an Outbox.
func (s Stores) Notices() (notify.Notices, bool) {
	if s.Outbox == nil {
		return notify.Notices{}, false
	}
	return notify.Notices{Store: s.Outbox, Now: s.Now}, true
}

func (s Stores) loginCodes() access.LoginCodeQueue {
	if ns, ok := s.Notices(); ok {
		return ns
	}
	return nil
}

func (s Stores) changeNotices() guardian.ChangeNotices {
	if ns, ok := s.Notices(); ok {
		return ns
	}
	return nil
}

func (s Stores) arrearsNotices() actors.ArrearsNotifier {
	if ns, ok := s.Notices(); ok {
		return arrearsNotices{ns: ns, s: s}
	}
	return nil
}

// arrearsNotices adapts notify.Notices to the terminal sessions: the canteen's
// name is looked up (its id when the look-up fails).
type arrearsNotices struct {
	ns notify.Notices
	s  Stores
}

func (a arrearsNotices) NotifyArrears(ctx context.Context, n actors.ArrearsNotice) error {
	canteen := n.CanteenID
	if c, err := a.s.Directory.Canteen(ctx, n.CanteenID); err == nil && c.Name != "" {
		canteen = c.Name
	}
	return a.ns.EnqueueArrears(ctx, notify.Arrears{SchoolID: n.SchoolID, AccountID: n.AccountID, PurchaseKey: n.PurchaseKey,
		MaskedName: n.MaskedName, Canteen: canteen, AmountFen: n.AmountFen, BalanceFen: n.BalanceFen})
}

func (a arrearsNotices) WithdrawArrears(ctx context.Context, accountID, purchaseKey string) error {
	return a.ns.WithdrawArrears(ctx, accountID, purchaseKey)
}

// RefundSettled tells the notices of a refund reaching its final state
// (recharge.Config.OnRefundSettled); nil without an Outbox.
func (s Stores) RefundSettled() func(ctx context.Context, r recharge.Refund, to orders.RefundState) error {
	ns, ok := s.Notices()
	if !ok {
		return nil
	}
	rn := notify.RefundNotices{Notices: ns, Pupils: s.Directory, Staff: s.Directory}
	return func(ctx context.Context, r recharge.Refund, to orders.RefundState) error {
		return rn.RefundSettled(ctx, notify.SettledRefund{RefundNo: r.RefundNo, SchoolID: r.SchoolID, AccountID: r.AccountID,
			AmountFen: r.AmountFen, Succeeded: to == orders.RefundSucceeded})
	}
}
