package gateway

import (
	"context"
	"time"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/recharge"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// rolesRefund may refund (a school admin passes every role check).
var rolesRefund = []access.Role{access.RoleFinance}

// RefundStaffService implements apiv1.RefundStaffServiceServer over the refunds of
// app/recharge; the staff's school scopes every call.
type RefundStaffService struct {
	apiv1.UnimplementedRefundStaffServiceServer
	rc *Recharges // nil: no online payments configured
}

var _ apiv1.RefundStaffServiceServer = (*RefundStaffService)(nil)

// NewRefundService returns the staff refund service over rc (nil: every call answers
// that online payments are not configured).
func NewRefundService(rc *Recharges) *RefundStaffService { return &RefundStaffService{rc: rc} }

// RefundBill implements apiv1.RefundStaffServiceServer.
func (s *RefundStaffService) RefundBill(ctx context.Context, req *apiv1.RefundBillRequest) (*apiv1.RefundBillResponse, error) {
	r, err := s.refund(ctx, recharge.RefundOrder{AccountID: req.GetAccountId(), ItemID: req.GetItemId(),
		AmountFen: req.GetAmountFen(), Reason: req.GetReason(), RequestID: req.GetRequestId()})
	if err != nil {
		return nil, err
	}
	return &apiv1.RefundBillResponse{Refund: r}, nil
}

// RefundRecharge implements apiv1.RefundStaffServiceServer.
func (s *RefundStaffService) RefundRecharge(ctx context.Context, req *apiv1.RefundRechargeRequest) (*apiv1.RefundRechargeResponse, error) {
	if req.GetOrderId() == "" {
		return nil, recharge.ErrNoSuchRefund
	}
	r, err := s.refund(ctx, recharge.RefundOrder{OrderID: req.GetOrderId(), AmountFen: req.GetAmountFen(),
		Reason: req.GetReason(), RequestID: req.GetRequestId()})
	if err != nil {
		return nil, err
	}
	return &apiv1.RefundRechargeResponse{Refund: r}, nil
}

func (s *RefundStaffService) refund(ctx context.Context, f recharge.RefundOrder) (*apiv1.Refund, error) {
	p, err := access.RequireStaff(ctx, rolesRefund...)
	if err != nil {
		return nil, err
	}
	if s.rc == nil {
		return nil, recharge.ErrDisabled
	}
	f.SchoolID, f.StaffID = p.SchoolID, p.SubjectID
	r, err := s.rc.app.Refund(ctx, f)
	if err != nil {
		return nil, err
	}
	return refundProto(r), nil
}

// ListRefunds implements apiv1.RefundStaffServiceServer.
func (s *RefundStaffService) ListRefunds(ctx context.Context, req *apiv1.ListRefundsRequest) (*apiv1.ListRefundsResponse, error) {
	p, err := access.RequireStaff(ctx, rolesRefund...)
	if err != nil {
		return nil, err
	}
	if s.rc == nil {
		return nil, recharge.ErrDisabled
	}
	limit := int(req.GetLimit())
	if limit == 0 {
		limit = 50
	}
	list, err := s.rc.app.ListRefunds(ctx, p.SchoolID, limit)
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListRefundsResponse{}
	for _, r := range list {
		out.Refunds = append(out.Refunds, refundProto(r))
	}
	return out, nil
}

func refundProto(r recharge.Refund) *apiv1.Refund {
	return &apiv1.Refund{RefundNo: r.RefundNo, OrderId: r.OrderID, AccountId: r.AccountID, ItemId: r.ItemID, AmountFen: r.AmountFen,
		Reason: r.Reason, StaffId: r.StaffID, State: string(r.State),
		CreatedAt: r.CreatedAt.Format(time.RFC3339), UpdatedAt: r.UpdatedAt.Format(time.RFC3339)}
}
