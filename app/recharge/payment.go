package recharge

import (
	"context"
	"errors"
	"fmt"

	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/persistence/orders"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Payment is a payment the aggregator has notified, verified by the edge.
type Payment struct {
	OrderID        string
	TransactionID  string
	AmountFen      int64
	NotificationID string // for the logs
}

// Errors of Paid. Anything else is temporary: the aggregator should notify again.
var (
	// ErrUnknownOrder: the payment names no order of ours. Not acknowledged, so that
	// the aggregator's bounded retries and our error log keep the trail.
	ErrUnknownOrder = errors.New("recharge: payment for an unknown order")
	// ErrAmountMismatch: the amount paid is not the order's; nothing is credited.
	ErrAmountMismatch = errors.New("recharge: amount paid is not the order's")
	// ErrCreditDeclined: the grain refused a verified payment's credit; an operator
	// must look.
	ErrCreditDeclined = errors.New("recharges: credit declined")
)

// Paid settles a verified payment of one of our orders, once, by the order's purpose:
// a recharge is credited to the account's wallet; a fee order settles its bill
// (PayBillOnline: the bill is paid, or, if it can no longer take the payment, the
// wallet is credited instead) and never touches the wallet otherwise. It returns nil
// only once the grain's command and the order's move to credited have committed (or
// had before: duplicates settle once). Nothing changes when it returns an error.
func (s *Service) Paid(ctx context.Context, p Payment) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Step)
	defer cancel()
	o, err := s.cfg.Orders.Get(ctx, p.OrderID)
	switch {
	case errors.Is(err, orders.ErrNotFound), errors.Is(err, orders.ErrInvalid):
		s.log.Error("PAYMENT FOR AN UNKNOWN RECHARGE ORDER", "order", p.OrderID, "transaction", p.TransactionID,
			"amount_fen", p.AmountFen, "notification", p.NotificationID)
		return fmt.Errorf("%w: %s", ErrUnknownOrder, p.OrderID)
	case err != nil:
		s.log.Warn("recharge notification: order not read", "order", p.OrderID, "err", err)
		return err
	}
	if p.AmountFen != o.AmountFen {
		s.log.Error("RECHARGE AMOUNT MISMATCH: notification refused", "order", o.OrderID, "order_fen", o.AmountFen,
			"paid_fen", p.AmountFen, "transaction", p.TransactionID, "notification", p.NotificationID)
		return fmt.Errorf("%w: order %s", ErrAmountMismatch, o.OrderID)
	}
	if err := s.credit(ctx, o, p.TransactionID); err != nil {
		s.log.Warn("recharge notification not processed; the aggregator will retry", "order", o.OrderID, "err", err)
		return err
	}
	return nil
}

// credit credits a paid order to its account, once (the grain dedupes by order id),
// then marks the order credited. It returns nil only once both have committed.
func (s *Service) credit(ctx context.Context, o orders.Order, transactionID string) error {
	if o.State == order.StateCredited {
		return nil
	}
	if transactionID == "" {
		return fmt.Errorf("recharges: paid order %s has no transaction id", o.OrderID)
	}
	if !o.State.Open() {
		s.log.Warn("crediting a paid recharge order we had given up on", "order", o.OrderID, "state", o.State)
	}
	resp, err := s.cfg.Accounts.Execute(ctx, o.AccountID, settleCommand(o))
	if err != nil {
		return fmt.Errorf("recharges: credit order %s: %w", o.OrderID, err)
	}
	if d := resp.GetDeclined(); d != nil {
		s.log.Error("PAID ORDER NOT SETTLED: the account declined", "order", o.OrderID, "purpose", o.Purpose,
			"reason", d.GetReason(), "message", d.GetMessage())
		return fmt.Errorf("%w: order %s: %s", ErrCreditDeclined, o.OrderID, d.GetReason())
	}
	if a := resp.GetAccepted(); o.Purpose == orders.PurposeFee {
		if a.GetEventType() == "BillPaymentCredited" {
			s.log.Warn("fee payment for a bill already settled or closed: credited to the wallet", "order", o.OrderID, "item", o.ItemID)
		}
		if s.cfg.OnBill != nil {
			s.cfg.OnBill(ctx, o.AccountID, a)
		}
	}
	_, err = s.cfg.Orders.Transition(ctx, o.OrderID, order.CreditableStates(), order.StateCredited,
		orders.Fields{TransactionID: transactionID})
	if errors.Is(err, orders.ErrConflict) {
		if cur, gerr := s.cfg.Orders.Get(ctx, o.OrderID); gerr == nil && cur.State == order.StateCredited {
			return nil // a concurrent duplicate got there first
		}
	}
	if err == nil {
		s.log.Info("paid order settled", "order", o.OrderID, "purpose", o.Purpose, "amount_fen", o.AmountFen,
			"replayed", resp.GetAccepted().GetReplayed())
		if s.cfg.OnCredited != nil && o.Purpose != orders.PurposeFee { // this call moved the order to credited: once per order
			s.cfg.OnCredited(o.AmountFen)
		}
	}
	return err
}

// settleCommand is the grain command of a paid order, keyed by the order id: a
// recharge credit, or an online payment of the order's bill.
func settleCommand(o orders.Order) *grainv1.ExecuteRequest {
	if o.Purpose == orders.PurposeFee {
		return &grainv1.ExecuteRequest{IdemKey: o.OrderID, Command: &grainv1.ExecuteRequest_PayBillOnline{
			PayBillOnline: &grainv1.PayBillOnlineCommand{ItemId: o.ItemID, OrderId: o.OrderID, AmountFen: o.AmountFen}}}
	}
	return &grainv1.ExecuteRequest{IdemKey: o.OrderID, Command: &grainv1.ExecuteRequest_RechargeCredit{
		RechargeCredit: &grainv1.RechargeCreditCommand{OrderId: o.OrderID, AmountFen: o.AmountFen}}}
}
