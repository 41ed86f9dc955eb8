package gateway

import (
	"context"

	"github.com/onecode/onecode/app/access"

	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/app/recharge"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// RechargeDesk is what ParentService needs of the recharge component
// (*Recharges): ParentService checks that the parent may reach the child before
// Create; GetOwn answers only the parent's own orders.
type RechargeDesk interface {
	Create(ctx context.Context, parentID, accountID string, amountFen int64, requestID string, channel apiv1.PayChannel) (*apiv1.Recharge, error)
	GetOwn(ctx context.Context, parentID, orderID string) (*apiv1.Recharge, error)
}

// CreateRecharge implements apiv1.ParentServiceServer, through the recharge
// component once the child is known to be the caller's.
func (s *ParentService) CreateRecharge(ctx context.Context, req *apiv1.CreateRechargeRequest) (*apiv1.CreateRechargeResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.g.Guard(ctx, p.SubjectID, req.GetAccountId()); err != nil {
		return nil, err
	}
	if err := input.CheckRequestID(req.GetRequestId()); err != nil {
		return nil, err
	}
	if s.recharges == nil {
		return nil, recharge.ErrDisabled
	}
	r, err := s.recharges.Create(ctx, p.SubjectID, req.GetAccountId(), req.GetAmountFen(), req.GetRequestId(), req.GetChannel())
	if err != nil {
		return nil, err
	}
	return &apiv1.CreateRechargeResponse{Recharge: r}, nil
}

// GetRecharge implements apiv1.ParentServiceServer: only the parent who created
// the order sees it; another's answers exactly as an unknown one.
func (s *ParentService) GetRecharge(ctx context.Context, req *apiv1.GetRechargeRequest) (*apiv1.GetRechargeResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if s.recharges == nil {
		return nil, recharge.ErrDisabled
	}
	r, err := s.recharges.GetOwn(ctx, p.SubjectID, req.GetOrderId())
	if err != nil {
		return nil, err
	}
	return &apiv1.GetRechargeResponse{Recharge: r}, nil
}
