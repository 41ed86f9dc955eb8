package gateway

import (
	"context"
	"strconv"
	"time"

	"github.com/onecode/onecode/app/fees"
	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// FeeItemStaffService implements apiv1.FeeItemStaffServiceServer over app/fees: an
// item's journal of changes and pupils added to an open item (finance and school
// admins).
type FeeItemStaffService struct {
	apiv1.UnimplementedFeeItemStaffServiceServer
	fees *fees.Service
}

var _ apiv1.FeeItemStaffServiceServer = (*FeeItemStaffService)(nil)

// NewFeeItemService returns the service (deps.FeeStore, Accounts and Directory are
// needed).
func NewFeeItemService(deps Deps) (*FeeItemStaffService, error) {
	svc, err := deps.Fees()
	if err != nil {
		return nil, err
	}
	return &FeeItemStaffService{fees: svc}, nil
}

// ListFeeItemChanges implements apiv1.FeeItemStaffServiceServer.
func (s *FeeItemStaffService) ListFeeItemChanges(ctx context.Context, req *apiv1.ListFeeItemChangesRequest) (*apiv1.ListFeeItemChangesResponse, error) {
	st, err := feeStaff(ctx, rolesFeeWrite...)
	if err != nil {
		return nil, err
	}
	after, err := changeToken(req.GetPageToken())
	if err != nil {
		return nil, err
	}
	changes, next, err := s.fees.ListChanges(ctx, st, req.GetItemId(), after, int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListFeeItemChangesResponse{Changes: make([]*apiv1.FeeItemChange, len(changes))}
	for i, c := range changes {
		out.Changes[i] = &apiv1.FeeItemChange{Seq: c.Seq, Kind: string(c.Kind), StaffId: c.StaffID, Role: c.Role,
			AccountId: c.AccountID, At: c.At.UTC().Format(time.RFC3339), Detail: c.Detail}
	}
	if next > 0 {
		out.NextPageToken = strconv.FormatInt(next, 10)
	}
	return out, nil
}

// changeToken reads a page token this API gave: the seq after which the page starts.
func changeToken(tok string) (int64, error) {
	if tok == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(tok, 10, 64)
	if err != nil || n < 1 || len(tok) > 19 {
		return 0, reason.New(reason.KindInvalid, reason.InvalidPageToken, "page_token is not one this API gave")
	}
	return n, nil
}

// AddPupilToFeeItem implements apiv1.FeeItemStaffServiceServer.
func (s *FeeItemStaffService) AddPupilToFeeItem(ctx context.Context, req *apiv1.AddPupilToFeeItemRequest) (*apiv1.AddPupilToFeeItemResponse, error) {
	st, err := feeStaff(ctx, rolesFeeWrite...)
	if err != nil {
		return nil, err
	}
	b, err := s.fees.AddPupil(ctx, st, req.GetItemId(), req.GetAccountId())
	if err != nil {
		return nil, err
	}
	return &apiv1.AddPupilToFeeItemResponse{Bill: billProto(b)}, nil
}
