package gateway

import (
	"context"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/app/recharge"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// FeeOnlineDesk is what FeeParentService needs of the online-payment component
// (*Recharges): it places a bill's order once app/fees has checked the parent and
// the bill, and answers only the parent's own orders.
type FeeOnlineDesk interface {
	CreateFee(ctx context.Context, f recharge.FeeOrder, channel apiv1.PayChannel) (*apiv1.Recharge, error)
	GetOwn(ctx context.Context, parentID, orderID string) (*apiv1.Recharge, error)
}

// PayBillOnline implements apiv1.FeeParentServiceServer: app/fees checks that the
// child is the caller's and what the bill has outstanding; the order is for that.
func (s *FeeParentService) PayBillOnline(ctx context.Context, req *apiv1.PayBillOnlineRequest) (*apiv1.PayBillOnlineResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if err := input.CheckRequestID(req.GetRequestId()); err != nil {
		return nil, err
	}
	bill, err := s.fees.PrepareOnline(ctx, p.SubjectID, req.GetAccountId(), req.GetItemId())
	if err != nil {
		return nil, err
	}
	if s.online == nil {
		return nil, recharge.ErrDisabled
	}
	o, err := s.online.CreateFee(ctx, recharge.FeeOrder{ParentID: p.SubjectID, AccountID: bill.AccountID, ItemID: bill.ItemID,
		AmountFen: bill.AmountFen, RequestID: req.GetRequestId()}, req.GetChannel())
	if err != nil {
		return nil, err
	}
	return &apiv1.PayBillOnlineResponse{Order: o}, nil
}

// GetBillOrder implements apiv1.FeeParentServiceServer: only the parent who placed
// the order sees it; another's answers exactly as an unknown one.
func (s *FeeParentService) GetBillOrder(ctx context.Context, req *apiv1.GetBillOrderRequest) (*apiv1.GetBillOrderResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if s.online == nil {
		return nil, recharge.ErrDisabled
	}
	o, err := s.online.GetOwn(ctx, p.SubjectID, req.GetOrderId())
	if err != nil {
		return nil, err
	}
	return &apiv1.GetBillOrderResponse{Order: o}, nil
}
