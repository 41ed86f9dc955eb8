package recharge

import (
	"context"
	"errors"
	"fmt"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/orders"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Refund is a refund as the refund store keeps it (persistence/orders), named here so
// that the edge need not import persistence.
type Refund = orders.Refund

// RefundOrder is a refund staff ask for: of the bill (AccountID, ItemID) when
// ItemID is set, else of the recharge order OrderID. The caller (the edge) has checked
// the staff's role; SchoolID is the staff's school, which must be the account's.
type RefundOrder struct {
	SchoolID  string
	StaffID   string
	AccountID string
	ItemID    string
	OrderID   string
	AmountFen int64
	Reason    string
	RequestID string // idempotent per school
}

// Errors of refunds.
var (
	// ErrNoSuchRefund: no such refund, order or bill in the staff's school.
	ErrNoSuchRefund = reason.New(reason.KindNotFound, reason.RefundNotFound, "no such refund, order or bill")
	// ErrRefundNoPayment: nothing of the bill was paid online (or the order is not paid).
	ErrRefundNoPayment = reason.New(reason.KindFailedPrecondition, reason.RefundNoPayment, "nothing refundable was paid online")
	// ErrRefundTooMuch: above what was paid online on the order (refunds included).
	ErrRefundTooMuch = reason.New(reason.KindFailedPrecondition, reason.RefundExceeded, "the refund exceeds what was paid")
	errOrderRefunded = errors.New("recharge: the order's refunds would exceed it")
)

func (s *Service) refundStore() (orders.RefundStore, error) {
	rs, ok := s.cfg.Orders.(orders.RefundStore)
	if !ok {
		return nil, ErrDisabled
	}
	return rs, nil
}

// Refund refunds part of a paid online order through the provider it was paid with:
// the refund row is written first (idempotent by the school's request id), the
// grain reserves the money (a bill: refunded ≤ paid; a recharge: only while the
// balance covers it), then the provider is asked. A definite refusal releases the
// reservation; an unknown outcome is settled by a notification or the resolver.
func (s *Service) Refund(ctx context.Context, f RefundOrder) (orders.Refund, error) {
	r, err := s.refund(ctx, f)
	if err != nil || s.cfg.OnRefundRequested == nil {
		return r, err
	}
	if err := s.cfg.OnRefundRequested(ctx, r); err != nil {
		s.log.Warn("refund requested, not told", "refund", r.RefundNo, "err", err)
		return orders.Refund{}, reason.Wrap(reason.KindUnavailable, reason.Unavailable,
			"the refund was requested but not journaled: retry with the same request id", err)
	}
	return r, nil
}

func (s *Service) refund(ctx context.Context, f RefundOrder) (orders.Refund, error) {
	rs, err := s.refundStore()
	if err != nil {
		return orders.Refund{}, err
	}
	switch {
	case f.SchoolID == "" || f.StaffID == "" || f.AccountID == "" && f.OrderID == "":
		return orders.Refund{}, reason.New(reason.KindInvalid, reason.InvalidArgument, "school, staff and account or order are required")
	case f.AmountFen <= 0:
		return orders.Refund{}, reason.New(reason.KindInvalid, reason.InvalidAmount, "the amount must be positive")
	case f.Reason == "" || len(f.Reason) > orders.MaxReasonLen:
		return orders.Refund{}, reason.Invalid(reason.InvalidArgument, "a refund needs a reason of 1–%d bytes", orders.MaxReasonLen)
	case f.RequestID == "" || len(f.RequestID) > orders.MaxRequestIDLen:
		return orders.Refund{}, reason.Invalid(reason.InvalidRequestID, "request_id must be 1–%d bytes", orders.MaxRequestIDLen)
	}
	o, err := s.refundedOrder(ctx, rs, f)
	if err != nil {
		return orders.Refund{}, err
	}
	no, err := s.newOrderID()
	if err != nil {
		return orders.Refund{}, err
	}
	r := orders.Refund{RefundNo: "F" + no[1:], RequestID: f.RequestID, SchoolID: f.SchoolID, OrderID: o.OrderID, AccountID: o.AccountID,
		ItemID: o.ItemID, AmountFen: f.AmountFen, Reason: f.Reason, StaffID: f.StaffID, CreatedAt: s.cfg.Now()}
	got, created, err := rs.CreateRefund(ctx, r, func(refunded int64) error {
		if refunded+f.AmountFen > o.AmountFen {
			return errOrderRefunded
		}
		return nil
	})
	switch {
	case errors.Is(err, errOrderRefunded):
		return orders.Refund{}, ErrRefundTooMuch
	case err != nil:
		return orders.Refund{}, s.storeError("create refund", err)
	case !created:
		if got.AmountFen != f.AmountFen || got.AccountID != o.AccountID || got.ItemID != o.ItemID {
			return orders.Refund{}, reason.New(reason.KindAlreadyExists, reason.IdempotencyConflict, "the request id was used for another refund")
		}
		return got, nil
	}
	return s.sendRefund(ctx, rs, got, o)
}

// refundedOrder is the paid order a refund pays back: the recharge order named, or a
// credited fee order of the bill with enough left to refund.
func (s *Service) refundedOrder(ctx context.Context, rs orders.RefundStore, f RefundOrder) (orders.Order, error) {
	if f.ItemID == "" {
		o, err := s.cfg.Orders.Get(ctx, f.OrderID)
		switch {
		case errors.Is(err, orders.ErrNotFound), errors.Is(err, orders.ErrInvalid):
			return o, ErrNoSuchRefund
		case err != nil:
			return o, s.storeError("read order", err)
		case o.SchoolID != f.SchoolID || o.Purpose != orders.PurposeRecharge:
			return o, ErrNoSuchRefund
		case o.State != orders.StateCredited:
			return o, ErrRefundNoPayment
		}
		return o, nil
	}
	st, err := s.cfg.Accounts.State(ctx, f.AccountID)
	if err != nil {
		return orders.Order{}, err
	}
	if !st.GetOpened() || st.GetSchoolId() != f.SchoolID {
		return orders.Order{}, ErrNoSuchRefund
	}
	paid, err := rs.PaidForBill(ctx, f.AccountID, f.ItemID)
	if err != nil {
		return orders.Order{}, s.storeError("paid orders of a bill", err)
	}
	if len(paid) == 0 {
		return orders.Order{}, ErrRefundNoPayment
	}
	for _, o := range paid {
		if o.AmountFen >= f.AmountFen {
			return o, nil // the store's check refuses it if its refunds leave too little
		}
	}
	return paid[len(paid)-1], nil
}

// sendRefund reserves the refund in the grain and asks the provider.
func (s *Service) sendRefund(ctx context.Context, rs orders.RefundStore, r orders.Refund, o orders.Order) (orders.Refund, error) {
	resp, err := s.cfg.Accounts.Execute(ctx, r.AccountID, &grainv1.ExecuteRequest{IdemKey: r.RefundNo,
		Command: &grainv1.ExecuteRequest_ReserveRefund{ReserveRefund: &grainv1.ReserveRefundCommand{
			RefundId: r.RefundNo, OrderId: r.OrderID, ItemId: r.ItemID, AmountFen: r.AmountFen}}})
	if err != nil {
		return r, err // pending: the resolver releases or sends it
	}
	if d := resp.GetDeclined(); d != nil {
		s.moveRefund(ctx, rs, r, orders.RefundFailed, "")
		return orders.Refund{}, reason.New(reason.DeclineKind(reason.Code(d.GetReason())), reason.Code(d.GetReason()), d.GetMessage())
	}
	s.projectBill(ctx, r.AccountID, resp.GetAccepted())
	p, err := s.providerOf(o)
	if err != nil {
		return r, err
	}
	moved := s.moveRefund(ctx, rs, r, orders.RefundProcessing, "")
	rr, err := p.Refund(ctx, RefundRequest{OrderID: o.OrderID, RefundID: r.RefundNo, AmountFen: r.AmountFen, TotalFen: o.AmountFen,
		Reason: r.Reason, NotifyURL: s.notifyURL(o)})
	switch {
	case err == nil:
		return s.refundAnswer(ctx, rs, moved, rr)
	case definiteFailure(err) || errors.Is(err, ErrRefundExceeded):
		s.log.Warn("refund refused by the provider; released", "refund", r.RefundNo, "err", err)
		return s.settleRefund(ctx, rs, moved, orders.RefundFailed, "")
	}
	s.log.Warn("refund outcome unknown; the resolver will query it", "refund", r.RefundNo, "err", err)
	return moved, nil
}

// refundAnswer follows what the provider says of a refund.
func (s *Service) refundAnswer(ctx context.Context, rs orders.RefundStore, r orders.Refund, rr RemoteRefund) (orders.Refund, error) {
	if rr.AmountFen != 0 && rr.AmountFen != r.AmountFen {
		s.log.Error("REFUND AMOUNT MISMATCH: not settled", "refund", r.RefundNo, "ours_fen", r.AmountFen, "theirs_fen", rr.AmountFen)
		return r, fmt.Errorf("%w: refund %s", ErrAmountMismatch, r.RefundNo)
	}
	switch rr.State {
	case RefundSucceeded:
		return s.settleRefund(ctx, rs, r, orders.RefundSucceeded, rr.ProviderRefundID)
	case RefundClosed:
		return s.settleRefund(ctx, rs, r, orders.RefundClosed, rr.ProviderRefundID)
	case RefundAbnormal:
		s.log.Error("REFUND ABNORMAL at the provider: an operator must act", "refund", r.RefundNo, "order", r.OrderID)
	}
	return r, nil
}

// settleRefund settles (succeeded) or releases (failed, closed) the grain's
// reservation once, then records the final state.
func (s *Service) settleRefund(ctx context.Context, rs orders.RefundStore, r orders.Refund, to orders.RefundState, providerID string) (orders.Refund, error) {
	if r.State.Final() {
		return r, nil
	}
	req := &grainv1.ExecuteRequest{IdemKey: r.RefundNo + ":settle",
		Command: &grainv1.ExecuteRequest_SettleRefund{SettleRefund: &grainv1.SettleRefundCommand{RefundId: r.RefundNo}}}
	if to != orders.RefundSucceeded {
		req = &grainv1.ExecuteRequest{IdemKey: r.RefundNo + ":release",
			Command: &grainv1.ExecuteRequest_ReleaseRefund{ReleaseRefund: &grainv1.ReleaseRefundCommand{RefundId: r.RefundNo}}}
	}
	resp, err := s.cfg.Accounts.Execute(ctx, r.AccountID, req)
	if err != nil {
		return r, err
	}
	s.projectBill(ctx, r.AccountID, resp.GetAccepted())
	if d := resp.GetDeclined(); d != nil && d.GetReason() != string(reason.RefundNotOpen) {
		s.log.Error("REFUND NOT SETTLED: the account declined", "refund", r.RefundNo, "reason", d.GetReason())
		return r, fmt.Errorf("%w: refund %s: %s", ErrCreditDeclined, r.RefundNo, d.GetReason())
	} else if d != nil && r.State == orders.RefundPending && to != orders.RefundSucceeded {
		// never reserved (the grain refused it, or the reservation never happened): nothing to release
		s.log.Info("refund released before any reservation", "refund", r.RefundNo)
	}
	if s.cfg.OnRefundSettled != nil {
		if err := s.cfg.OnRefundSettled(ctx, r, to); err != nil {
			s.log.Warn("refund settled but not told; the resolver will settle it again", "refund", r.RefundNo, "err", err)
			return r, err
		}
	}
	return s.moveRefund(ctx, rs, r, to, providerID), nil
}

// moveRefund records a move; someone else moving it first answers the current row.
func (s *Service) moveRefund(ctx context.Context, rs orders.RefundStore, r orders.Refund, to orders.RefundState, providerID string) orders.Refund {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Step)
	defer cancel()
	moved, err := rs.MoveRefund(wctx, r.RefundNo, []orders.RefundState{orders.RefundPending, orders.RefundProcessing}, to, providerID)
	if err == nil {
		return moved
	}
	if cur, gerr := rs.GetRefund(wctx, r.RefundNo); gerr == nil {
		return cur
	}
	s.log.Warn("refund move not recorded; the resolver will settle it", "refund", r.RefundNo, "to", to, "err", err)
	return r
}

// RefundNotified settles a verified refund notification of one of our refunds, once.
// It returns nil once settled (or when there is nothing to do yet).
func (s *Service) RefundNotified(ctx context.Context, n RemoteRefund) error {
	rs, err := s.refundStore()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Step)
	defer cancel()
	r, err := rs.GetRefund(ctx, n.RefundID)
	switch {
	case errors.Is(err, orders.ErrNotFound), errors.Is(err, orders.ErrInvalid):
		s.log.Error("NOTIFICATION OF AN UNKNOWN REFUND", "refund", n.RefundID, "order", n.OrderID)
		return fmt.Errorf("%w: refund %s", ErrUnknownOrder, n.RefundID)
	case err != nil:
		return err
	case r.OrderID != n.OrderID:
		s.log.Error("REFUND NOTIFICATION OF ANOTHER ORDER: refused", "refund", r.RefundNo, "order", r.OrderID, "notified", n.OrderID)
		return fmt.Errorf("%w: refund %s", ErrAmountMismatch, r.RefundNo)
	}
	if n.AmountFen != r.AmountFen {
		// Alipay's refund_fee is the trade's refunded total, not this refund's: ask
		// the provider about this refund and follow its answer.
		return s.queryRefund(ctx, rs, r)
	}
	_, err = s.refundAnswer(ctx, rs, r, n)
	return err
}

// queryRefund settles r by what its provider says of it now.
func (s *Service) queryRefund(ctx context.Context, rs orders.RefundStore, r orders.Refund) error {
	o, err := s.cfg.Orders.Get(ctx, r.OrderID)
	if err != nil {
		return err
	}
	p, err := s.providerOf(o)
	if err != nil {
		return err
	}
	rr, err := p.QueryRefund(ctx, r.OrderID, r.RefundNo)
	if err != nil {
		return err
	}
	_, err = s.refundAnswer(ctx, rs, r, rr)
	return err
}

// ListRefunds returns the school's refunds, newest first.
func (s *Service) ListRefunds(ctx context.Context, schoolID string, limit int) ([]orders.Refund, error) {
	rs, err := s.refundStore()
	if err != nil {
		return nil, err
	}
	list, err := rs.ListRefunds(ctx, schoolID, limit)
	if err != nil {
		return nil, s.storeError("list refunds", err)
	}
	return list, nil
}

// projectBill hands a bill a refund moved (reserved, settled or released) to the fee
// read model (Config.OnBill), so staff totals show what was refunded.
func (s *Service) projectBill(ctx context.Context, accountID string, a *grainv1.Accepted) {
	if s.cfg.OnBill != nil && a.GetBill() != nil {
		s.cfg.OnBill(ctx, accountID, a)
	}
}
