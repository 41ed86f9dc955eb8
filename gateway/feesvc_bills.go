package gateway

import (
	"context"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/fees"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// ListFeeBills implements apiv1.FeeStaffServiceServer.
func (s *FeeStaffService) ListFeeBills(ctx context.Context, req *apiv1.ListFeeBillsRequest) (*apiv1.ListFeeBillsResponse, error) {
	st, err := feeStaff(ctx, rolesFeeRead...)
	if err != nil {
		return nil, err
	}
	rows, next, err := s.fees.ListBills(ctx, st, req.GetItemId(), req.GetClassId(), req.GetPageToken(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	it, err := s.fees.GetItem(ctx, st, req.GetItemId())
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListFeeBillsResponse{Bills: make([]*apiv1.FeeBill, len(rows)), NextPageToken: next}
	for i, b := range rows {
		out.Bills[i] = &apiv1.FeeBill{ItemId: b.ItemID, AccountId: b.AccountID, ClassId: b.ClassID, DueFen: b.DueFen,
			PaidFen: b.PaidFen, ExemptedFen: b.ExemptedFen, OutstandingFen: b.DueFen - b.PaidFen - b.ExemptedFen,
			Status: string(b.Status), DueDay: it.Due.String(), AllowBalance: it.AllowBalance, RefundedFen: b.RefundedFen}
	}
	return out, nil
}

// GetFeeClassTotals implements apiv1.FeeStaffServiceServer.
func (s *FeeStaffService) GetFeeClassTotals(ctx context.Context, req *apiv1.GetFeeClassTotalsRequest) (*apiv1.GetFeeClassTotalsResponse, error) {
	st, err := feeStaff(ctx, rolesFeeRead...)
	if err != nil {
		return nil, err
	}
	totals, err := s.fees.ClassTotals(ctx, st, req.GetItemId())
	if err != nil {
		return nil, err
	}
	out := &apiv1.GetFeeClassTotalsResponse{Classes: make([]*apiv1.FeeClassTotal, len(totals))}
	for i, t := range totals {
		out.Classes[i] = &apiv1.FeeClassTotal{ClassId: t.ClassID, Bills: t.Bills, Settled: t.Settled, DueFen: t.DueFen,
			PaidFen: t.PaidFen, ExemptedFen: t.ExemptedFen, OutstandingFen: t.OutstandingFen, RefundedFen: t.RefundedFen}
	}
	return out, nil
}

// RecordCashPayment implements apiv1.FeeStaffServiceServer.
func (s *FeeStaffService) RecordCashPayment(ctx context.Context, req *apiv1.RecordCashPaymentRequest) (*apiv1.RecordCashPaymentResponse, error) {
	st, err := feeStaff(ctx, rolesFeeWrite...)
	if err != nil {
		return nil, err
	}
	b, err := s.fees.RecordCash(ctx, st, fees.Movement{ItemID: req.GetItemId(), AccountID: req.GetAccountId(),
		AmountFen: req.GetAmountFen(), Text: req.GetVoucher(), RequestID: req.GetRequestId()})
	if err != nil {
		return nil, err
	}
	return &apiv1.RecordCashPaymentResponse{Bill: billProto(b)}, nil
}

// GrantFeeExemption implements apiv1.FeeStaffServiceServer.
func (s *FeeStaffService) GrantFeeExemption(ctx context.Context, req *apiv1.GrantFeeExemptionRequest) (*apiv1.GrantFeeExemptionResponse, error) {
	st, err := feeStaff(ctx, rolesFeeWrite...)
	if err != nil {
		return nil, err
	}
	b, err := s.fees.GrantExemption(ctx, st, fees.Movement{ItemID: req.GetItemId(), AccountID: req.GetAccountId(),
		AmountFen: req.GetAmountFen(), Text: req.GetReason(), RequestID: req.GetRequestId()})
	if err != nil {
		return nil, err
	}
	return &apiv1.GrantFeeExemptionResponse{Bill: billProto(b)}, nil
}

// ListChildBills implements apiv1.FeeParentServiceServer.
func (s *FeeParentService) ListChildBills(ctx context.Context, req *apiv1.ListChildBillsRequest) (*apiv1.ListChildBillsResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	bills, err := s.fees.ChildBills(ctx, p.SubjectID, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListChildBillsResponse{Bills: make([]*apiv1.FeeBill, len(bills))}
	for i, b := range bills {
		out.Bills[i] = billProto(b.Bill)
		out.Bills[i].Title, out.Bills[i].Category = b.Title, string(b.Category)
	}
	return out, nil
}

// PayBillFromBalance implements apiv1.FeeParentServiceServer.
func (s *FeeParentService) PayBillFromBalance(ctx context.Context, req *apiv1.PayBillFromBalanceRequest) (*apiv1.PayBillFromBalanceResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.fees.PayFromBalance(ctx, p.SubjectID, fees.Movement{ItemID: req.GetItemId(), AccountID: req.GetAccountId(),
		AmountFen: req.GetAmountFen(), RequestID: req.GetRequestId()})
	if err != nil {
		return nil, err
	}
	return &apiv1.PayBillFromBalanceResponse{Bill: billProto(b)}, nil
}
