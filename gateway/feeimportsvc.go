package gateway

import (
	"context"

	"github.com/onecode/onecode/app/fees"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// FeeImportService implements apiv1.FeeImportServiceServer over app/fees: the
// per-pupil amounts of a draft item from a CSV or XLSX file. School admins and
// finance only (rolesFeeWrite); the item must be of the caller's school.
type FeeImportService struct {
	apiv1.UnimplementedFeeImportServiceServer
	fees *fees.Service
}

var _ apiv1.FeeImportServiceServer = (*FeeImportService)(nil)

// NewFeeImportService returns the service (deps.FeeStore, Accounts and Directory are
// needed).
func NewFeeImportService(deps Deps) (*FeeImportService, error) {
	svc, err := deps.Fees()
	if err != nil {
		return nil, err
	}
	return &FeeImportService{fees: svc}, nil
}

func feeAmountsProto(in []fees.Amount) ([]*apiv1.FeeAmount, int64) {
	out := make([]*apiv1.FeeAmount, 0, len(in))
	var total int64
	for _, a := range in {
		out = append(out, &apiv1.FeeAmount{AccountId: a.AccountID, StudentNo: a.StudentNo, AmountFen: a.AmountFen,
			Note: a.Note, Line: int32(a.Line)})
		total += a.AmountFen
	}
	return out, total
}

// ImportFeeAmounts implements apiv1.FeeImportServiceServer.
func (s *FeeImportService) ImportFeeAmounts(ctx context.Context, req *apiv1.ImportFeeAmountsRequest) (*apiv1.ImportFeeAmountsResponse, error) {
	st, err := feeStaff(ctx, rolesFeeWrite...)
	if err != nil {
		return nil, err
	}
	res, err := s.fees.ImportAmounts(ctx, st, req.GetItemId(), req.GetFormat(), req.GetContent())
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		return &apiv1.ImportFeeAmountsResponse{Errors: rowErrorsProto(res.Errors)}, nil
	}
	amounts, total := feeAmountsProto(res.Amounts)
	return &apiv1.ImportFeeAmountsResponse{Imported: int32(len(amounts)), Amounts: amounts, TotalFen: total,
		AlreadyApplied: res.AlreadyApplied}, nil
}

// ListFeeAmounts implements apiv1.FeeImportServiceServer.
func (s *FeeImportService) ListFeeAmounts(ctx context.Context, req *apiv1.ListFeeAmountsRequest) (*apiv1.ListFeeAmountsResponse, error) {
	st, err := feeStaff(ctx, rolesFeeWrite...)
	if err != nil {
		return nil, err
	}
	it, list, err := s.fees.ListAmounts(ctx, st, req.GetItemId())
	if err != nil {
		return nil, err
	}
	amounts, total := feeAmountsProto(list)
	return &apiv1.ListFeeAmountsResponse{Amounts: amounts, TotalFen: total, State: string(it.State)}, nil
}
