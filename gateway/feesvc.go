package gateway

import (
	"context"
	"time"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/fees"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// Roles of the fee console (a school admin passes every role check).
var (
	// rolesFeeWrite define, publish, collect and close fee items.
	rolesFeeWrite = []access.Role{access.RoleFinance}
	// rolesFeeRead see items and bills: finance the whole school, teachers their class.
	rolesFeeRead = []access.Role{access.RoleFinance, access.RoleTeacher}
)

// FeeStaffService implements apiv1.FeeStaffServiceServer over app/fees.
type FeeStaffService struct {
	apiv1.UnimplementedFeeStaffServiceServer
	fees *fees.Service
}

// FeeParentService implements apiv1.FeeParentServiceServer over app/fees.
type FeeParentService struct {
	apiv1.UnimplementedFeeParentServiceServer
	fees   *fees.Service
	online FeeOnlineDesk // nil: no online payment configured
	// ReceiptFont is a TrueType font with Chinese glyphs for receipts (optional).
	ReceiptFont []byte
	// Now stamps receipts (default time.Now).
	Now func() time.Time
}

func (s *FeeParentService) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

var (
	_ apiv1.FeeStaffServiceServer  = (*FeeStaffService)(nil)
	_ apiv1.FeeParentServiceServer = (*FeeParentService)(nil)
)

// NewFeeServices returns the staff and parent fee services (deps.FeeStore, Accounts
// and Directory are needed); online (may be nil) places the online-payment orders of
// bills (*Recharges).
func NewFeeServices(deps Deps, online FeeOnlineDesk) (*FeeStaffService, *FeeParentService, error) {
	svc, err := deps.Fees()
	if err != nil {
		return nil, nil, err
	}
	return &FeeStaffService{fees: svc}, &FeeParentService{fees: svc, online: online}, nil
}

// feeStaff is the caller as app/fees sees staff: a teacher is limited to their class.
func feeStaff(ctx context.Context, roles ...access.Role) (fees.Staff, error) {
	p, err := access.RequireStaff(ctx, roles...)
	if err != nil {
		return fees.Staff{}, err
	}
	st := fees.Staff{ID: p.SubjectID, SchoolID: p.SchoolID, Role: string(p.Role)}
	if p.Role == access.RoleTeacher {
		st.ClassID = p.ClassID
	}
	return st, nil
}

func definition(d *apiv1.FeeItemDefinition) (fees.Definition, error) {
	due, err := parseDueDay(d.GetDueDay())
	if err != nil {
		return fees.Definition{}, err
	}
	return fees.Definition{Title: d.GetTitle(), Category: fee.Category(d.GetCategory()), AmountFen: d.GetAmountFen(),
		Target: fee.Target{Kind: fee.TargetKind(d.GetTargetKind()), ClassIDs: d.GetClassIds(), AccountIDs: d.GetAccountIds()},
		DueDay: due, AllowBalance: d.GetAllowBalance()}, nil
}

// parseDueDay reads the required due day (fee.proto: due_day is required).
func parseDueDay(s string) (int32, error) {
	if s == "" {
		return 0, reason.Invalid(reason.InvalidFeeItem, "due_day is required (YYYYMMDD)")
	}
	if len(s) != 8 {
		return 0, reason.Invalid(reason.InvalidFeeItem, "due_day %q, want YYYYMMDD", s)
	}
	var d int32
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, reason.Invalid(reason.InvalidFeeItem, "due_day %q, want YYYYMMDD", s)
		}
		d = d*10 + int32(c-'0')
	}
	return d, nil
}

func feeItemProto(it fees.Item) *apiv1.FeeItem {
	return &apiv1.FeeItem{ItemId: it.ID, State: string(it.State), CreatedBy: it.CreatedBy,
		CreatedAt: it.CreatedAt.Format(time.RFC3339), UpdatedAt: it.UpdatedAt.Format(time.RFC3339),
		Definition: &apiv1.FeeItemDefinition{Title: it.Title, Category: string(it.Category), AmountFen: int64(it.Amount),
			TargetKind: string(it.Target.Kind), ClassIds: it.Target.ClassIDs, AccountIds: it.Target.AccountIDs,
			DueDay: it.Due.String(), AllowBalance: it.AllowBalance}}
}

func billProto(b fees.Bill) *apiv1.FeeBill {
	return &apiv1.FeeBill{ItemId: b.ItemID, AccountId: b.AccountID, DueFen: b.DueFen, PaidFen: b.PaidFen,
		ExemptedFen: b.ExemptedFen, OutstandingFen: b.DueFen - b.PaidFen - b.ExemptedFen, Status: string(b.Status),
		DueDay: b.DueDay.String(), Replayed: b.Replayed, AllowBalance: b.AllowBalance, RefundedFen: b.RefundedFen}
}

// CreateFeeItem implements apiv1.FeeStaffServiceServer.
func (s *FeeStaffService) CreateFeeItem(ctx context.Context, req *apiv1.CreateFeeItemRequest) (*apiv1.CreateFeeItemResponse, error) {
	st, err := feeStaff(ctx, rolesFeeWrite...)
	if err != nil {
		return nil, err
	}
	d, err := definition(req.GetDefinition())
	if err != nil {
		return nil, err
	}
	it, err := s.fees.CreateItem(ctx, st, d)
	if err != nil {
		return nil, err
	}
	return &apiv1.CreateFeeItemResponse{Item: feeItemProto(it)}, nil
}

// UpdateFeeItem implements apiv1.FeeStaffServiceServer.
func (s *FeeStaffService) UpdateFeeItem(ctx context.Context, req *apiv1.UpdateFeeItemRequest) (*apiv1.UpdateFeeItemResponse, error) {
	st, err := feeStaff(ctx, rolesFeeWrite...)
	if err != nil {
		return nil, err
	}
	d, err := definition(req.GetDefinition())
	if err != nil {
		return nil, err
	}
	it, err := s.fees.UpdateItem(ctx, st, req.GetItemId(), d)
	if err != nil {
		return nil, err
	}
	return &apiv1.UpdateFeeItemResponse{Item: feeItemProto(it)}, nil
}

// GetFeeItem implements apiv1.FeeStaffServiceServer.
func (s *FeeStaffService) GetFeeItem(ctx context.Context, req *apiv1.GetFeeItemRequest) (*apiv1.GetFeeItemResponse, error) {
	st, err := feeStaff(ctx, rolesFeeRead...)
	if err != nil {
		return nil, err
	}
	it, err := s.fees.GetItem(ctx, st, req.GetItemId())
	if err != nil {
		return nil, err
	}
	return &apiv1.GetFeeItemResponse{Item: feeItemProto(it)}, nil
}

// ListFeeItems implements apiv1.FeeStaffServiceServer.
func (s *FeeStaffService) ListFeeItems(ctx context.Context, req *apiv1.ListFeeItemsRequest) (*apiv1.ListFeeItemsResponse, error) {
	st, err := feeStaff(ctx, rolesFeeRead...)
	if err != nil {
		return nil, err
	}
	items, err := s.fees.ListItems(ctx, st, int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListFeeItemsResponse{Items: make([]*apiv1.FeeItem, len(items))}
	for i, it := range items {
		out.Items[i] = feeItemProto(it)
	}
	return out, nil
}

// PublishFeeItem implements apiv1.FeeStaffServiceServer.
func (s *FeeStaffService) PublishFeeItem(ctx context.Context, req *apiv1.PublishFeeItemRequest) (*apiv1.PublishFeeItemResponse, error) {
	st, err := feeStaff(ctx, rolesFeeWrite...)
	if err != nil {
		return nil, err
	}
	p, err := s.fees.Publish(ctx, st, req.GetItemId())
	if err != nil {
		return nil, err
	}
	return &apiv1.PublishFeeItemResponse{Item: feeItemProto(p.Item), Bills: int32(p.Bills), Issued: int32(p.Issued)}, nil
}

// CloseFeeItem implements apiv1.FeeStaffServiceServer.
func (s *FeeStaffService) CloseFeeItem(ctx context.Context, req *apiv1.CloseFeeItemRequest) (*apiv1.CloseFeeItemResponse, error) {
	st, err := feeStaff(ctx, rolesFeeWrite...)
	if err != nil {
		return nil, err
	}
	it, err := s.fees.Close(ctx, st, req.GetItemId())
	if err != nil {
		return nil, err
	}
	return &apiv1.CloseFeeItemResponse{Item: feeItemProto(it)}, nil
}
