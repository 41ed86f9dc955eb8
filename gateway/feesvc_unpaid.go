package gateway

import (
	"context"

	"google.golang.org/genproto/googleapis/api/httpbody"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// xlsxType is the media type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ExportUnpaidBills implements apiv1.FeeStaffServiceServer: the unpaid list of an
// item as a workbook (fees.Service.UnpaidXLSX); a teacher gets their class only.
func (s *FeeStaffService) ExportUnpaidBills(ctx context.Context, req *apiv1.ExportUnpaidBillsRequest) (*httpbody.HttpBody, error) {
	st, err := feeStaff(ctx, rolesFeeRead...)
	if err != nil {
		return nil, err
	}
	b, err := s.fees.UnpaidXLSX(ctx, st, req.GetItemId(), req.GetClassId())
	if err != nil {
		return nil, err
	}
	return &httpbody.HttpBody{ContentType: xlsxType, Data: b}, nil
}

// RemindUnpaidBills implements apiv1.FeeStaffServiceServer (fees.Service.RemindUnpaid).
func (s *FeeStaffService) RemindUnpaidBills(ctx context.Context, req *apiv1.RemindUnpaidBillsRequest) (*apiv1.RemindUnpaidBillsResponse, error) {
	st, err := feeStaff(ctx, rolesFeeRead...)
	if err != nil {
		return nil, err
	}
	r, err := s.fees.RemindUnpaid(ctx, st, req.GetItemId(), req.GetClassId())
	if err != nil {
		return nil, err
	}
	return &apiv1.RemindUnpaidBillsResponse{Queued: int32(r.Queued), Skipped: int32(r.Skipped)}, nil
}
