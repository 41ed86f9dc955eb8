package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"time"

	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/app/workers"

	"github.com/onecode/onecode/domain/reason"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/app/cardprint"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// ImportPupilsFile implements apiv1.StaffServiceServer: a CSV or XLSX file
// (ParsePupilFile) imported into the caller's school, all or nothing, by the
// rules of AdminService.ImportPupils. Row errors name the file's line. School
// admins and finance only.
func (s *StaffService) ImportPupilsFile(ctx context.Context, req *apiv1.ImportPupilsFileRequest) (*apiv1.ImportPupilsFileResponse, error) {
	p, err := RequireStaff(ctx, rolesImport...)
	if err != nil {
		return nil, err
	}
	file, err := ParsePupilFile(req.GetFormat(), req.GetContent())
	if err != nil {
		return nil, ErrorStatus(err)
	}
	expiry, err := parseExpiry(req.GetCardExpiry(), s.d.Now())
	if err != nil {
		return nil, err
	}
	school, err := s.d.Directory.School(ctx, p.SchoolID)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	resp, err := pupilImporter{d: s.d}.importPupils(ctx, school, expiry, file.Rows)
	if err != nil {
		return nil, err
	}
	if len(resp.GetErrors()) > 0 {
		return &apiv1.ImportPupilsFileResponse{Errors: fileRowErrors(resp.GetErrors(), file)}, nil
	}
	s.d.Logger.Info("pupil file imported", slog.String("school", school.ID), slog.String("staff", p.SubjectID),
		slog.Int("pupils", len(resp.GetPupils())), slog.String("encoding", file.Encoding))
	return &apiv1.ImportPupilsFileResponse{Imported: int32(len(resp.GetPupils()))}, nil
}

// fileRowErrors renumbers row errors by the file's lines, with a hint where a
// spreadsheet turned a number into a float.
func fileRowErrors(errs []*apiv1.RowError, file PupilFile) []*apiv1.RowError {
	for _, e := range errs {
		i := int(e.GetRow()) - 1
		if i < 0 || i >= len(file.Lines) {
			continue // the row-0 summary
		}
		e.Row = int32(file.Lines[i])
		r := file.Rows[i]
		if (e.GetReason() == "INVALID_ID_NUMBER" && storedAsNumber(r.GetIdNumber())) ||
			(e.GetReason() == "INVALID_STUDENT_NO" && storedAsNumber(r.GetStudentNo())) {
			e.Message += " (the spreadsheet stored it as a number and lost digits: format the column as text)"
		}
	}
	return errs
}

// ReportPupilLoss implements apiv1.StaffServiceServer: idempotent by request id.
func (s *StaffService) ReportPupilLoss(ctx context.Context, req *apiv1.ReportPupilLossRequest) (*apiv1.ReportPupilLossResponse, error) {
	pupil, err := s.reachPupil(ctx, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	if err := input.CheckRequestID(req.GetRequestId()); err != nil {
		return nil, err
	}
	gen, err := reportLoss(ctx, s.d, pupil.AccountID, "staff", req.GetRequestId())
	if err != nil {
		return nil, err
	}
	return &apiv1.ReportPupilLossResponse{CardState: "lost", CardGeneration: gen}, nil
}

// ReissueCard implements apiv1.StaffServiceServer: a new card generation with
// a card random the account never used, the new QR text answered and the
// directory's card updated. The same request id answers the same card.
//
// The randoms are tried in an order drawn from HMAC(IDHashKey, account,
// request id): unpredictable, yet the same on a retry, so that a retry walks to
// the random its first attempt committed and gets the stored outcome. The
// account refuses a random it used (CARD_RANDOM_REUSED) and a key used with
// another random (IDEMPOTENCY_CONFLICT): both mean "try the next". At most 100
// tries: there are 100 randoms.
func (s *StaffService) ReissueCard(ctx context.Context, req *apiv1.ReissueCardRequest) (*apiv1.ReissueCardResponse, error) {
	pupil, err := s.reachPupil(ctx, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	if err := input.CheckRequestID(req.GetRequestId()); err != nil {
		return nil, err
	}
	expiry, err := parseExpiry(req.GetCardExpiry(), s.d.Now())
	if err != nil {
		return nil, err
	}
	random, a, err := s.reissue(ctx, pupil.AccountID, req.GetRequestId(), formatDay(expiry))
	if err != nil {
		return nil, err
	}
	if a.GetReplayed() {
		st, err := s.d.Accounts.State(ctx, pupil.AccountID)
		if err != nil {
			return nil, ErrorStatus(err)
		}
		if st.GetCardRandom() != random || st.GetCardExpiry() != formatDay(expiry) {
			return nil, Status(codes.FailedPrecondition, "REISSUE_SUPERSEDED",
				"this re-issue was followed by a later one or a loss report: print the current card (GetClassSheet) or re-issue again")
		}
	}
	if pupil.CardRandom != random || pupil.CardExpiry != expiry {
		pupil.CardRandom, pupil.CardExpiry = random, expiry
		if err := s.d.Directory.PutPupil(ctx, pupil); err != nil {
			return nil, ErrorStatus(err) // the card is re-issued: the same request again updates the directory
		}
	}
	qr, err := pupilImporter{d: s.d}.sealCard(pupil.SchoolID, pupil.StudentNo, cardToPrint{random: random, expiry: formatDay(expiry), print: true})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	s.d.Logger.Info("card reissued", slog.String("account", pupil.AccountID), slog.Int64("generation", a.GetCardGeneration()),
		slog.Bool("replayed", a.GetReplayed()))
	return &apiv1.ReissueCardResponse{CardQr: qr, CardGeneration: a.GetCardGeneration()}, nil
}

func (s *StaffService) reissue(ctx context.Context, accountID, requestID, expiry string) (string, *grainv1.Accepted, error) {
	m := hmac.New(sha256.New, s.d.IDHashKey)
	m.Write([]byte("onecode/reissue-random\n" + accountID + "\n" + requestID))
	var seed [32]byte
	copy(seed[:], m.Sum(nil))
	conflict := false
	for _, n := range mrand.New(mrand.NewChaCha8(seed)).Perm(100) {
		random := fmt.Sprintf("%02d", n)
		resp, err := s.d.Accounts.Execute(ctx, accountID, &grainv1.ExecuteRequest{
			IdemKey: "reissue:" + requestID,
			Command: &grainv1.ExecuteRequest_Reissue{Reissue: &grainv1.ReissueCommand{CardRandom: random, CardExpiry: expiry}},
		})
		if err != nil {
			return "", nil, ErrorStatus(err)
		}
		if a := resp.GetAccepted(); a != nil {
			return random, a, nil
		}
		switch d := resp.GetDeclined(); d.GetReason() {
		case "CARD_RANDOM_REUSED":
		case "IDEMPOTENCY_CONFLICT":
			conflict = true
		default:
			return "", nil, DeclineStatus(reason.Code(d.GetReason()), d.GetMessage())
		}
	}
	if conflict {
		return "", nil, Status(codes.AlreadyExists, "IDEMPOTENCY_CONFLICT", "the request id was used for another re-issue of this card")
	}
	return "", nil, Status(codes.FailedPrecondition, "NO_CARD_RANDOM_LEFT", "this account has used every card random (100 cards)")
}

// GetClassSheet implements apiv1.StaffServiceServer: the A4 PDF of the class's
// card labels (cardprint.ClassSheetPDF), one per pupil whose card is active,
// sealed from the account's current card. Staff see full names; see
// StaffService.SheetFont for names the PDF core font cannot draw.
func (s *StaffService) GetClassSheet(ctx context.Context, req *apiv1.GetClassSheetRequest) (*httpbody.HttpBody, error) {
	p, err := RequireStaff(ctx, rolesPupils...)
	if err != nil {
		return nil, err
	}
	class, err := s.reachClass(ctx, p, req.GetClassId())
	if err != nil {
		return nil, err
	}
	school, err := s.d.Directory.School(ctx, p.SchoolID)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	pupils, err := s.classPupils(ctx, class)
	if err != nil {
		return nil, err
	}
	states := make([]*grainv1.GetStateResponse, len(pupils))
	err = workers.ForEach(ctx, len(pupils), openWorkers, func(ctx context.Context, i int) error {
		st, err := s.d.Accounts.State(ctx, pupils[i].AccountID)
		states[i] = st
		return err
	})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	sheet := cardprint.Sheet{Title: s.printable(school.Name, "School "+school.ID), Class: s.printable(class.Name, class.ID),
		FontTTF: s.SheetFont, Created: s.d.Now()}
	expiries := map[string]bool{}
	for i, pu := range pupils {
		st := states[i]
		if !st.GetOpened() || st.GetCardState() != "active" {
			continue
		}
		qr, err := pupilImporter{d: s.d}.sealCard(pu.SchoolID, pu.StudentNo, cardToPrint{random: st.GetCardRandom(), expiry: st.GetCardExpiry(), print: true})
		if err != nil {
			return nil, ErrorStatus(err)
		}
		expiries[st.GetCardExpiry()] = true
		sheet.Labels = append(sheet.Labels, cardprint.Label{QRText: qr, Name: s.printable(pu.Name, ""), StudentNo: pu.StudentNo})
	}
	if len(sheet.Labels) == 0 {
		return nil, Status(codes.FailedPrecondition, "NO_CARDS", "no pupil of this class has an active card to print")
	}
	sheet.Expiry = "see card"
	if len(expiries) == 1 {
		for e := range expiries {
			if d, err := time.Parse("20060102", e); err == nil {
				sheet.Expiry = d.Format("2006-01-02")
			}
		}
	}
	pdf, err := cardprint.ClassSheetPDF(sheet)
	if err != nil {
		s.d.Logger.Error("class sheet not rendered", slog.String("school", school.ID), slog.String("class", class.ID), slog.Any("error", err))
		return nil, Status(codes.Internal, "INTERNAL", "internal error")
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

// classPupils lists the active pupils of a class (at most cardprint.MaxLabels).
func (s *StaffService) classPupils(ctx context.Context, c directory.Class) ([]directory.Pupil, error) {
	var out []directory.Pupil
	after := ""
	for range cardprint.MaxLabels/directory.MaxPage + 1 {
		page, err := s.d.Directory.ListPupils(ctx, c.SchoolID, c.ID, after, directory.MaxPage)
		if err != nil {
			return nil, ErrorStatus(err)
		}
		for _, p := range page {
			if p.Status == directory.PupilActive {
				out = append(out, p)
			}
		}
		if len(out) > cardprint.MaxLabels {
			return nil, Status(codes.FailedPrecondition, "CLASS_TOO_LARGE", fmt.Sprintf("more than %d pupils in the class", cardprint.MaxLabels))
		}
		if len(page) < directory.MaxPage {
			return out, nil
		}
		after = page[len(page)-1].StudentNo
	}
	return nil, Status(codes.FailedPrecondition, "CLASS_TOO_LARGE", fmt.Sprintf("more than %d pupils in the class", cardprint.MaxLabels))
}
