package gateway

import (
	"context"

	"github.com/onecode/onecode/app/input"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// RechargeDesk is what ParentService needs of the recharge component
// (*Recharges): it checks that the parent may reach the child, or owns the
// order, before delegating.
type RechargeDesk interface {
	Create(ctx context.Context, parentID, accountID string, amountFen int64, requestID string) (*apiv1.Recharge, error)
	Get(ctx context.Context, orderID string) (*apiv1.Recharge, error)
	Owner(ctx context.Context, orderID string) (parentID, accountID string, err error)
}

// CreateRecharge implements apiv1.ParentServiceServer, through the recharge
// component once the child is known to be the caller's.
func (s *ParentService) CreateRecharge(ctx context.Context, req *apiv1.CreateRechargeRequest) (*apiv1.CreateRechargeResponse, error) {
	p, err := RequireGuardian(ctx, s.d.Directory, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	if err := input.CheckRequestID(req.GetRequestId()); err != nil {
		return nil, err
	}
	if s.recharges == nil {
		return nil, errRechargeDisabled
	}
	r, err := s.recharges.Create(ctx, p.SubjectID, req.GetAccountId(), req.GetAmountFen(), req.GetRequestId())
	if err != nil {
		return nil, err
	}
	return &apiv1.CreateRechargeResponse{Recharge: r}, nil
}

// GetRecharge implements apiv1.ParentServiceServer: only the parent who created
// the order sees it; another's answers exactly as an unknown one.
func (s *ParentService) GetRecharge(ctx context.Context, req *apiv1.GetRechargeRequest) (*apiv1.GetRechargeResponse, error) {
	p, err := RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if s.recharges == nil {
		return nil, errRechargeDisabled
	}
	id := req.GetOrderId()
	if id == "" || len(id) > MaxRequestIDLen || !printableASCIIID(id) {
		return nil, errRechargeNotFound
	}
	owner, _, err := s.recharges.Owner(ctx, id)
	if err != nil {
		return nil, err
	}
	if owner != p.SubjectID {
		return nil, errRechargeNotFound
	}
	r, err := s.recharges.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return &apiv1.GetRechargeResponse{Recharge: r}, nil
}
