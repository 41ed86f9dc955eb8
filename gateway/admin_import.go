package gateway

import (
	"context"

	"github.com/onecode/onecode/app/enrolment"
	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// ImportPupils adds (or in IMPORT_MODE_UPDATE also updates) pupils of a school
// all-or-nothing, opens their accounts and answers their card QR texts with what the
// import did to each (enrolment.Service.ImportPupils).
func (s *adminService) ImportPupils(ctx context.Context, req *apiv1.ImportPupilsRequest) (*apiv1.ImportPupilsResponse, error) {
	mode, err := importMode(req.GetMode())
	if err != nil {
		return nil, err
	}
	res, err := s.enrol.ImportPupils(ctx, enrolment.ImportRequest{
		SchoolID: req.GetSchoolId(), CardExpiry: req.GetCardExpiry(), Rows: importRows(req.GetPupils()), Mode: mode,
	})
	if err != nil {
		return nil, err
	}
	out := &apiv1.ImportPupilsResponse{Errors: rowErrorsProto(res.Errors),
		Created: int32(res.Created), Updated: int32(res.Updated), Unchanged: int32(res.Unchanged)}
	for _, p := range res.Pupils {
		out.Pupils = append(out.Pupils, &apiv1.ImportedPupil{StudentNo: p.StudentNo, AccountId: p.AccountID, CardQr: p.CardQR,
			Outcome: importOutcome(p.Outcome)})
	}
	return out, nil
}

// importMode maps the wire mode (unspecified is create only).
func importMode(m apiv1.ImportMode) (enrolment.Mode, error) {
	switch m {
	case apiv1.ImportMode_IMPORT_MODE_UNSPECIFIED, apiv1.ImportMode_IMPORT_MODE_CREATE_ONLY:
		return enrolment.CreateOnly, nil
	case apiv1.ImportMode_IMPORT_MODE_UPDATE:
		return enrolment.Update, nil
	}
	return 0, reason.Invalid(reason.InvalidArgument, "mode %d, want IMPORT_MODE_CREATE_ONLY or IMPORT_MODE_UPDATE", m)
}

func importOutcome(o enrolment.Outcome) apiv1.ImportOutcome {
	switch o {
	case enrolment.Created:
		return apiv1.ImportOutcome_IMPORT_OUTCOME_CREATED
	case enrolment.Updated:
		return apiv1.ImportOutcome_IMPORT_OUTCOME_UPDATED
	case enrolment.Unchanged:
		return apiv1.ImportOutcome_IMPORT_OUTCOME_UNCHANGED
	}
	return apiv1.ImportOutcome_IMPORT_OUTCOME_UNSPECIFIED
}

func importRows(in []*apiv1.PupilRow) []enrolment.Row {
	out := make([]enrolment.Row, len(in))
	for i, r := range in {
		out[i] = enrolment.Row{StudentNo: r.GetStudentNo(), Name: r.GetName(), ClassID: r.GetClassId(), IDNumber: r.GetIdNumber()}
	}
	return out
}

func rowErrorsProto(in []enrolment.RowError) []*apiv1.RowError {
	var out []*apiv1.RowError
	for _, e := range in {
		out = append(out, &apiv1.RowError{Row: int32(e.Row), Reason: string(e.Reason), Message: e.Message})
	}
	return out
}
