package gateway

import (
	"context"
	"log/slog"
	"time"

	"github.com/onecode/onecode/app/access"

	"google.golang.org/genproto/googleapis/api/httpbody"

	"github.com/onecode/onecode/app/cardprint"
	"github.com/onecode/onecode/app/enrolment"
	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// ImportPupilsFile implements apiv1.StaffServiceServer: a CSV or XLSX file
// imported into the caller's school, all or nothing, by the rules of
// AdminService.ImportPupils (enrolment.Service.ImportFile). Row errors and rows
// name the file's line. School admins and finance only.
func (s *StaffService) ImportPupilsFile(ctx context.Context, req *apiv1.ImportPupilsFileRequest) (*apiv1.ImportPupilsFileResponse, error) {
	p, err := access.RequireStaff(ctx, rolesImport...)
	if err != nil {
		return nil, err
	}
	mode, err := importMode(req.GetMode())
	if err != nil {
		return nil, err
	}
	res, err := s.enrol.ImportFile(ctx, enrolment.FileImportRequest{SchoolID: p.SchoolID, Format: req.GetFormat(),
		Content: req.GetContent(), CardExpiry: req.GetCardExpiry(), Mode: mode, By: p.SubjectID})
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		return &apiv1.ImportPupilsFileResponse{Errors: rowErrorsProto(res.Errors)}, nil
	}
	out := &apiv1.ImportPupilsFileResponse{Imported: int32(len(res.Pupils)),
		Created: int32(res.Created), Updated: int32(res.Updated), Unchanged: int32(res.Unchanged)}
	for _, r := range res.Pupils {
		out.Rows = append(out.Rows, &apiv1.ImportedRow{Row: int32(r.Row), StudentNo: r.StudentNo, AccountId: r.AccountID,
			Outcome: importOutcome(r.Outcome)})
	}
	return out, nil
}

// ReportPupilLoss implements apiv1.StaffServiceServer: idempotent by request id.
func (s *StaffService) ReportPupilLoss(ctx context.Context, req *apiv1.ReportPupilLossRequest) (*apiv1.ReportPupilLossResponse, error) {
	p, err := access.RequireStaff(ctx, rolesPupils...)
	if err != nil {
		return nil, err
	}
	gen, err := s.enrol.ReportLoss(ctx, staffReach(p), req.GetAccountId(), req.GetRequestId())
	if err != nil {
		return nil, err
	}
	return &apiv1.ReportPupilLossResponse{CardState: "lost", CardGeneration: gen}, nil
}

// ReissueCard implements apiv1.StaffServiceServer: a new card generation with a
// card random the account never used, the new QR text answered and the directory's
// card updated. The same request id answers the same card and QR text
// (enrolment.Service.ReissueCard).
func (s *StaffService) ReissueCard(ctx context.Context, req *apiv1.ReissueCardRequest) (*apiv1.ReissueCardResponse, error) {
	p, err := access.RequireStaff(ctx, rolesPupils...)
	if err != nil {
		return nil, err
	}
	c, err := s.enrol.ReissueCard(ctx, staffReach(p), enrolment.ReissueRequest{
		AccountID: req.GetAccountId(), RequestID: req.GetRequestId(), CardExpiry: req.GetCardExpiry()})
	if err != nil {
		return nil, err
	}
	return &apiv1.ReissueCardResponse{CardQr: c.QR, CardGeneration: c.Generation}, nil
}

// GetClassSheet implements apiv1.StaffServiceServer: the A4 PDF of the class's
// card labels (cardprint.ClassSheetPDF), one per pupil whose card is active,
// sealed from the account's current card. Staff see full names; see
// StaffService.SheetFont for names the PDF core font cannot draw.
func (s *StaffService) GetClassSheet(ctx context.Context, req *apiv1.GetClassSheetRequest) (*httpbody.HttpBody, error) {
	p, err := access.RequireStaff(ctx, rolesPupils...)
	if err != nil {
		return nil, err
	}
	data, err := s.enrol.ClassSheet(ctx, staffReach(p), req.GetClassId(), cardprint.MaxLabels)
	if err != nil {
		return nil, err
	}
	return s.renderSheet(data)
}

// GetPupilCard implements apiv1.StaffServiceServer: the A4 PDF of one pupil's card
// label, by the class sheet's roles and reach (enrolment.Service.PupilCard).
func (s *StaffService) GetPupilCard(ctx context.Context, req *apiv1.GetPupilCardRequest) (*httpbody.HttpBody, error) {
	p, err := access.RequireStaff(ctx, rolesPupils...)
	if err != nil {
		return nil, err
	}
	data, err := s.enrol.PupilCard(ctx, staffReach(p), req.GetAccountId())
	if err != nil {
		return nil, err
	}
	return s.renderSheet(data)
}

// renderSheet renders a sheet's labels as the A4 PDF (cardprint.ClassSheetPDF).
func (s *StaffService) renderSheet(data enrolment.ClassSheet) (*httpbody.HttpBody, error) {
	school, class := data.School, data.Class
	sheet := cardprint.Sheet{Title: s.printable(school.Name, "School "+school.ID), Class: s.printable(class.Name, class.ID),
		FontTTF: s.SheetFont, Created: s.d.Now(), Expiry: "see card"}
	for _, l := range data.Labels {
		sheet.Labels = append(sheet.Labels, cardprint.Label{QRText: l.QR, Name: s.printable(l.Name, ""), StudentNo: l.StudentNo})
	}
	if d, err := time.Parse("20060102", data.Expiry); err == nil {
		sheet.Expiry = d.Format("2006-01-02")
	}
	pdf, err := cardprint.ClassSheetPDF(sheet)
	if err != nil {
		s.d.Logger.Error("card sheet not rendered", slog.String("school", school.ID), slog.String("class", class.ID), slog.Any("error", err))
		return nil, reason.New(reason.KindInternal, reason.Internal, "internal error")
	}
	return &httpbody.HttpBody{ContentType: "application/pdf", Data: pdf}, nil
}

// printable is s when the sheet's font can draw it, else alt.
func (s *StaffService) printable(text, alt string) string {
	if len(text) > cardprint.MaxFieldLen {
		return alt
	}
	if s.SheetFont != nil {
		return text
	}
	for i := 0; i < len(text); i++ {
		if text[i] < 0x20 || text[i] > 0x7E {
			return alt
		}
	}
	return text
}

// GetDishLabels implements apiv1.StaffServiceServer: the A4 PDF of the barcode
// labels of a canteen's dishes on sale (cardprint.DishLabelsPDF, as `onecode
// labels` prints them), for canteen managers and school admins of its school.
func (s *StaffService) GetDishLabels(ctx context.Context, req *apiv1.GetDishLabelsRequest) (*httpbody.HttpBody, error) {
	p, err := access.RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	cat, scope := s.staffCatalog(p)
	c, dishes, err := cat.DishLabels(ctx, scope, req.GetCanteenId(), cardprint.MaxLabels)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	sheet := cardprint.DishSheet{Canteen: s.printable(c.Name, c.ID), FontTTF: s.SheetFont, Created: s.d.Now()}
	for _, d := range dishes {
		sheet.Labels = append(sheet.Labels, cardprint.DishLabel{Barcode: d.Barcode, Name: s.printable(d.Name, d.Barcode), PriceFen: d.PriceFen, Kcal: d.Kcal})
	}
	pdf, err := cardprint.DishLabelsPDF(sheet)
	if err != nil {
		s.d.Logger.Error("dish labels not rendered", slog.String("canteen", c.ID), slog.Any("error", err))
		return nil, reason.New(reason.KindInternal, reason.Internal, "internal error")
	}
	return &httpbody.HttpBody{ContentType: "application/pdf", Data: pdf}, nil
}
