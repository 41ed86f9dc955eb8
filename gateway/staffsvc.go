package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"strconv"
	"time"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/gateway/cardprint"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/journal"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Pages of StaffService.ListPupils and ListCanteenDishes.
const (
	DefaultPupilPage = 50
	MaxPupilPage     = 100
	DefaultDishPage  = 50
	MaxDishPage      = 100
)

// Roles of the staff console (a school admin passes every role check).
var (
	// rolesPupils see and act on pupils: finance the whole school, teachers
	// their class (CanStaffReachPupil).
	rolesPupils = []apiv1.StaffRole{apiv1.StaffRole_STAFF_ROLE_FINANCE, apiv1.StaffRole_STAFF_ROLE_TEACHER}
	// rolesImport import pupils.
	rolesImport = []apiv1.StaffRole{apiv1.StaffRole_STAFF_ROLE_FINANCE}
	// rolesCanteen see canteen totals.
	rolesCanteen = []apiv1.StaffRole{apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER, apiv1.StaffRole_STAFF_ROLE_FINANCE}
	// rolesCanteenAdmin manage canteens, their terminals and dish catalogs
	// (and list the catalogs); finance and teachers do not.
	rolesCanteenAdmin = []apiv1.StaffRole{apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER}
)

// StaffService implements apiv1.StaffServiceServer: the school's PC console.
// Every call is scoped to the caller's school and role; a pupil, class or
// canteen out of reach answers exactly as an unknown one (ErrNotReachable).
type StaffService struct {
	apiv1.UnimplementedStaffServiceServer
	d Deps
	// SheetFont is a TrueType font with CJK glyphs for GetClassSheet (set before
	// serving). Without it the PDF core font is used, which has no Chinese: a
	// name (or school or class name) that is not printable ASCII is then left
	// off the label (the student number and the QR identify the card), and
	// the class is printed by its id.
	SheetFont []byte
}

var _ apiv1.StaffServiceServer = (*StaffService)(nil)

// NewStaffService returns the StaffService. It needs deps.Accounts, Directory,
// Journal, Keyring, IDHashKey (≥ 16 bytes), Now and Rand; Logger defaults to
// slog.Default.
func NewStaffService(deps Deps) (*StaffService, error) {
	switch {
	case deps.Accounts == nil || deps.Directory == nil || deps.Journal == nil || deps.Keyring == nil:
		return nil, errors.New("gateway: the staff service needs Accounts, Directory, Journal and Keyring")
	case len(deps.IDHashKey) < 16:
		return nil, errors.New("gateway: the staff service needs an IDHashKey of at least 16 bytes")
	case deps.Now == nil || deps.Rand == nil:
		return nil, errors.New("gateway: the staff service needs Now and Rand")
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	return &StaffService{d: deps}, nil
}

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

// ListPupils implements apiv1.StaffServiceServer: the pupils of a class, with
// balances, by student number. Teachers list their own class (class_id may be
// left empty); other roles name the class (the directory lists by class).
func (s *StaffService) ListPupils(ctx context.Context, req *apiv1.ListPupilsRequest) (*apiv1.ListPupilsResponse, error) {
	p, err := RequireStaff(ctx, rolesPupils...)
	if err != nil {
		return nil, err
	}
	size := int(req.GetPageSize())
	switch {
	case size == 0:
		size = DefaultPupilPage
	case size < 0 || size > MaxPupilPage:
		return nil, Status(codes.InvalidArgument, "INVALID_PAGE_SIZE", fmt.Sprintf("page_size %d, want 1..%d (0 means %d)", size, MaxPupilPage, DefaultPupilPage))
	}
	after := req.GetPageToken()
	if after != "" && directory.ValidateStudentNo(after) != nil {
		return nil, Status(codes.InvalidArgument, "INVALID_PAGE_TOKEN", "page_token is not one this API gave")
	}
	classID := req.GetClassId()
	if classID == "" && p.Role == apiv1.StaffRole_STAFF_ROLE_TEACHER {
		classID = p.ClassID
	}
	if classID == "" {
		return nil, Status(codes.InvalidArgument, "CLASS_ID_REQUIRED", "class_id is required: pupils are listed by class")
	}
	if _, err := s.reachClass(ctx, p, classID); err != nil {
		return nil, err
	}
	pupils, err := s.d.Directory.ListPupils(ctx, p.SchoolID, classID, after, size+1)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	next := ""
	if len(pupils) > size {
		pupils = pupils[:size]
		next = pupils[size-1].StudentNo
	}
	out := make([]*apiv1.Pupil, len(pupils))
	err = forEach(ctx, len(pupils), openWorkers, func(ctx context.Context, i int) error {
		pp, err := s.pupilProto(ctx, pupils[i])
		out[i] = pp
		return err
	})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.ListPupilsResponse{Pupils: out, NextPageToken: next}, nil
}

// reachClass returns a class of the caller's school that the caller may see
// (a teacher only theirs); any other is ErrNotReachable.
func (s *StaffService) reachClass(ctx context.Context, p Principal, classID string) (directory.Class, error) {
	if directory.ValidateID("class", classID) != nil {
		return directory.Class{}, ErrNotReachable
	}
	if p.Role == apiv1.StaffRole_STAFF_ROLE_TEACHER && classID != p.ClassID {
		return directory.Class{}, ErrNotReachable
	}
	c, err := s.d.Directory.Class(ctx, p.SchoolID, classID)
	if errors.Is(err, directory.ErrNotFound) {
		return c, ErrNotReachable
	}
	if err != nil {
		return c, ErrorStatus(err)
	}
	return c, nil
}

// reachPupil returns a pupil the caller may act on (CanStaffReachPupil); an
// unknown or foreign one is ErrNotReachable.
func (s *StaffService) reachPupil(ctx context.Context, accountID string) (directory.Pupil, error) {
	p, err := RequireStaff(ctx, rolesPupils...)
	if err != nil {
		return directory.Pupil{}, err
	}
	if directory.ValidateAccountID(accountID) != nil {
		return directory.Pupil{}, ErrNotReachable
	}
	pupil, err := s.d.Directory.PupilByAccount(ctx, accountID)
	if errors.Is(err, directory.ErrNotFound) {
		return pupil, ErrNotReachable
	}
	if err != nil {
		return pupil, ErrorStatus(err)
	}
	if err := CanStaffReachPupil(p, pupil); err != nil {
		return directory.Pupil{}, err
	}
	return pupil, nil
}

// pupilProto is a pupil as staff see it: full name, balance and card (zero
// while the account is not opened).
func (s *StaffService) pupilProto(ctx context.Context, p directory.Pupil) (*apiv1.Pupil, error) {
	out := &apiv1.Pupil{AccountId: p.AccountID, StudentNo: p.StudentNo, Name: p.Name, ClassId: p.ClassID}
	st, err := s.d.Accounts.State(ctx, p.AccountID)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	if st.GetOpened() {
		out.BalanceFen, out.CardState, out.CardGeneration = st.GetBalanceFen(), st.GetCardState(), int64(st.GetCardGeneration())
	}
	return out, nil
}

// GetPupil implements apiv1.StaffServiceServer.
func (s *StaffService) GetPupil(ctx context.Context, req *apiv1.GetPupilRequest) (*apiv1.GetPupilResponse, error) {
	pupil, err := s.reachPupil(ctx, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	out, err := s.pupilProto(ctx, pupil)
	if err != nil {
		return nil, err
	}
	return &apiv1.GetPupilResponse{Pupil: out}, nil
}

// ListPupilHistory implements apiv1.StaffServiceServer (see renderHistory).
func (s *StaffService) ListPupilHistory(ctx context.Context, req *apiv1.ListPupilHistoryRequest) (*apiv1.ListPupilHistoryResponse, error) {
	pupil, err := s.reachPupil(ctx, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	lines, next, err := renderHistory(ctx, s.d, pupil.AccountID, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &apiv1.ListPupilHistoryResponse{Lines: lines, NextPageToken: next}, nil
}

// ReportPupilLoss implements apiv1.StaffServiceServer: idempotent by request id.
func (s *StaffService) ReportPupilLoss(ctx context.Context, req *apiv1.ReportPupilLossRequest) (*apiv1.ReportPupilLossResponse, error) {
	pupil, err := s.reachPupil(ctx, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	if err := checkRequestID(req.GetRequestId()); err != nil {
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
	if err := checkRequestID(req.GetRequestId()); err != nil {
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
			return "", nil, DeclineStatus(d.GetReason(), d.GetMessage())
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
	err = forEach(ctx, len(pupils), openWorkers, func(ctx context.Context, i int) error {
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

// GetCanteenTotals implements apiv1.StaffServiceServer: a canteen of the
// caller's school, net turnover per Asia/Shanghai day from from_day to to_day
// inclusive (at most journal.MaxCanteenDays days). Canteen managers, finance
// and school admins.
func (s *StaffService) GetCanteenTotals(ctx context.Context, req *apiv1.GetCanteenTotalsRequest) (*apiv1.GetCanteenTotalsResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteen...)
	if err != nil {
		return nil, err
	}
	c, err := s.reachCanteen(ctx, p, req.GetCanteenId())
	if err != nil {
		return nil, err
	}
	from, err := parseDay("from_day", req.GetFromDay())
	if err != nil {
		return nil, err
	}
	to, err := parseDay("to_day", req.GetToDay())
	if err != nil {
		return nil, err
	}
	end := to.AddDate(0, 0, 1)
	if !from.Before(end) {
		return nil, invalidArg("to_day %s is before from_day %s", req.GetToDay(), req.GetFromDay())
	}
	if days := int(end.Sub(from) / (24 * time.Hour)); days > journal.MaxCanteenDays {
		return nil, invalidArg("%d days, at most %d per query", days, journal.MaxCanteenDays)
	}
	totals, err := s.d.Journal.CanteenDaily(ctx, c.ID, from, end)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	out := &apiv1.GetCanteenTotalsResponse{Days: make([]*apiv1.DayTotal, len(totals))}
	for i, t := range totals {
		out.Days[i] = &apiv1.DayTotal{Day: t.Day.In(card.Zone()).Format("20060102"), Count: t.Count, SumFen: t.Sum}
	}
	return out, nil
}

// parseDay parses YYYYMMDD as midnight in Asia/Shanghai.
func parseDay(what, s string) (time.Time, error) {
	if len(s) != 8 || !isDigits(s) {
		return time.Time{}, invalidArg("%s %q, want YYYYMMDD", what, s)
	}
	d, err := time.ParseInLocation("20060102", s, card.Zone())
	if err != nil {
		return time.Time{}, invalidArg("%s %q is not a real day", what, s)
	}
	if v, _ := strconv.Atoi(s); v < directory.MinCardExpiry {
		return time.Time{}, invalidArg("%s %q is before 2000", what, s)
	}
	return d, nil
}

// reachCanteen returns a canteen of the caller's school; a malformed, unknown
// or foreign id is ErrNotReachable (canteen ids are unique across schools, so
// another school's canteen must answer exactly as an unknown one).
func (s *StaffService) reachCanteen(ctx context.Context, p Principal, id string) (directory.Canteen, error) {
	if p.SchoolID == "" || directory.ValidateID("canteen", id) != nil {
		return directory.Canteen{}, ErrNotReachable
	}
	c, err := s.d.Directory.Canteen(ctx, id)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && c.SchoolID != p.SchoolID) {
		return directory.Canteen{}, ErrNotReachable
	}
	if err != nil {
		return directory.Canteen{}, ErrorStatus(err)
	}
	return c, nil
}

// reachTerminal returns a terminal of the caller's school; a malformed,
// unknown or foreign id is ErrNotReachable.
func (s *StaffService) reachTerminal(ctx context.Context, p Principal, id string) (directory.Terminal, error) {
	if p.SchoolID == "" || directory.ValidateID("terminal", id) != nil {
		return directory.Terminal{}, ErrNotReachable
	}
	t, err := s.d.Directory.Terminal(ctx, id)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && t.SchoolID != p.SchoolID) {
		return directory.Terminal{}, ErrNotReachable
	}
	if err != nil {
		return directory.Terminal{}, ErrorStatus(err)
	}
	return t, nil
}

// PutStaffCanteen implements apiv1.StaffServiceServer: creates or renames a
// canteen of the caller's school, by the rules of AdminService.PutCanteen.
// Canteen ids are unique across schools and a canteen never moves: the id of
// another school's canteen answers ErrNotReachable (NotFound, as every staff
// route answers a canteen out of reach) and changes nothing. School admins
// and canteen managers only.
func (s *StaffService) PutStaffCanteen(ctx context.Context, req *apiv1.PutStaffCanteenRequest) (*apiv1.PutStaffCanteenResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	c, err := canteenFrom(p.SchoolID, req.GetCanteenId(), req.GetName())
	if err != nil {
		return nil, err
	}
	// Unknown or ours: write. Another school's answers ErrNotReachable,
	// whether seen here or created meanwhile (the directory's ErrConflict).
	old, err := s.d.Directory.Canteen(ctx, c.ID)
	switch {
	case err == nil && old.SchoolID != p.SchoolID:
		return nil, ErrNotReachable
	case err != nil && !errors.Is(err, directory.ErrNotFound):
		return nil, ErrorStatus(err)
	}
	if err := (canteenRules{d: s.d}).putCanteen(ctx, c, ErrNotReachable); err != nil {
		return nil, err
	}
	s.d.Logger.Info("canteen put", slog.String("school", c.SchoolID), slog.String("canteen", c.ID), slog.String("staff", p.SubjectID))
	return &apiv1.PutStaffCanteenResponse{Canteen: canteenProto(c)}, nil
}

// RegisterCanteenTerminal implements apiv1.StaffServiceServer: registers a
// terminal of a canteen of the caller's school by the rules of
// AdminService.RegisterTerminal and answers its device secret (hex of
// TerminalSecretLen random bytes), this once. A terminal id already
// registered, in any school, is AlreadyExists TERMINAL_EXISTS, which shows
// nothing of that terminal. School admins and canteen managers only.
func (s *StaffService) RegisterCanteenTerminal(ctx context.Context, req *apiv1.RegisterCanteenTerminalRequest) (*apiv1.RegisterCanteenTerminalResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	if err := checkTerminalID(req.GetTerminalId()); err != nil {
		return nil, err
	}
	c, err := s.reachCanteen(ctx, p, req.GetCanteenId())
	if err != nil {
		return nil, err
	}
	t, err := canteenRules{d: s.d}.registerTerminal(ctx, c, req.GetTerminalId(), req.GetName(), req.GetCanOverride(),
		slog.String("staff", p.SubjectID))
	if err != nil {
		return nil, err
	}
	return &apiv1.RegisterCanteenTerminalResponse{TerminalId: t.ID, Secret: hex.EncodeToString(t.SecretHash)}, nil
}

// SetTerminalEnabled implements apiv1.StaffServiceServer: enables or disables
// a terminal of the caller's school; setting the status it has changes
// nothing. The terminal handshake reads the directory on every connection,
// so a disabled terminal cannot open a new session from now on, on any
// member; a session it opened before is cut within terminalStatusEvery (the
// session re-reads its terminal's status). School admins and canteen managers
// only.
func (s *StaffService) SetTerminalEnabled(ctx context.Context, req *apiv1.SetTerminalEnabledRequest) (*apiv1.SetTerminalEnabledResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	t, err := s.reachTerminal(ctx, p, req.GetTerminalId())
	if err != nil {
		return nil, err
	}
	want := directory.TerminalDisabled
	if req.GetEnabled() {
		want = directory.TerminalActive
	}
	if t.Status != want {
		if err := s.d.Directory.SetTerminalStatus(ctx, t.ID, want); err != nil {
			return nil, ErrorStatus(err)
		}
		s.d.Logger.Info("terminal status set", slog.String("terminal", t.ID), slog.String("school", t.SchoolID),
			slog.String("status", string(want)), slog.String("staff", p.SubjectID))
	}
	return &apiv1.SetTerminalEnabledResponse{TerminalId: t.ID, Enabled: req.GetEnabled()}, nil
}

// PutCanteenDish implements apiv1.StaffServiceServer: creates or updates a
// dish of a canteen of the caller's school by the rules of
// AdminService.PutDish (price 1..MaxLimitFen fen, barcode of
// 1..directory.MaxBarcodeLen printable ASCII, nutrients ≥ 0, at most
// directory.MaxAllergens allergens) and answers the catalog version after the
// put (unchanged when the put changed nothing). The canteen and the barcode
// come from the path; the dish may repeat them but not differ. School admins
// and canteen managers only.
func (s *StaffService) PutCanteenDish(ctx context.Context, req *apiv1.PutCanteenDishRequest) (*apiv1.PutCanteenDishResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	in := req.GetDish()
	if in == nil {
		return nil, invalidArg("dish is required")
	}
	if id := in.GetCanteenId(); id != "" && id != req.GetCanteenId() {
		return nil, invalidArg("dish.canteen_id %q differs from the canteen %q of the path", id, req.GetCanteenId())
	}
	if b := in.GetBarcode(); b != "" && b != req.GetBarcode() {
		return nil, invalidArg("dish.barcode %q differs from the barcode %q of the path", b, req.GetBarcode())
	}
	in = proto.CloneOf(in)
	in.CanteenId, in.Barcode = req.GetCanteenId(), req.GetBarcode()
	d, err := dishFrom(in)
	if err != nil {
		return nil, err
	}
	if _, err := s.reachCanteen(ctx, p, d.CanteenID); err != nil {
		return nil, err
	}
	version, err := s.d.Directory.PutDish(ctx, d)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutCanteenDishResponse{Dish: dishProto(d), CatalogVersion: version}, nil
}

// ListCanteenDishes implements apiv1.StaffServiceServer: the dishes of a
// canteen of the caller's school, active or not, by barcode; page_size
// 1..MaxDishPage (0 means DefaultDishPage), page_token the next_page_token of
// the page before. School admins and canteen managers only.
func (s *StaffService) ListCanteenDishes(ctx context.Context, req *apiv1.ListCanteenDishesRequest) (*apiv1.ListCanteenDishesResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	size := int(req.GetPageSize())
	switch {
	case size == 0:
		size = DefaultDishPage
	case size < 0 || size > MaxDishPage:
		return nil, Status(codes.InvalidArgument, "INVALID_PAGE_SIZE", fmt.Sprintf("page_size %d, want 1..%d (0 means %d)", size, MaxDishPage, DefaultDishPage))
	}
	after := req.GetPageToken()
	if after != "" && directory.ValidateBarcode(after) != nil {
		return nil, Status(codes.InvalidArgument, "INVALID_PAGE_TOKEN", "page_token is not one this API gave")
	}
	c, err := s.reachCanteen(ctx, p, req.GetCanteenId())
	if err != nil {
		return nil, err
	}
	dishes, err := s.d.Directory.ListDishes(ctx, c.ID, after, size+1)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	next := ""
	if len(dishes) > size {
		dishes = dishes[:size]
		next = dishes[size-1].Barcode
	}
	out := &apiv1.ListCanteenDishesResponse{Dishes: make([]*apiv1.Dish, len(dishes)), NextPageToken: next}
	for i, d := range dishes {
		out.Dishes[i] = dishProto(d)
	}
	return out, nil
}

// rolesStaffAdmin manage the school's staff accounts: school admins only.
var rolesStaffAdmin = []apiv1.StaffRole{apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN}

// PutSchoolStaff implements apiv1.StaffServiceServer: creates or updates a
// staff account of the caller's school by the rules of
// AdminService.PutStaffUser (staffAccounts.put). The school is always the
// caller's, so a username that exists in another school names a new account
// of this one and the other is not touched; a class of another school answers
// as an unknown one (ErrNotReachable). A caller cannot change their own role
// or disable themselves (FailedPrecondition SELF_LOCKOUT). School admins only.
func (s *StaffService) PutSchoolStaff(ctx context.Context, req *apiv1.PutSchoolStaffRequest) (*apiv1.PutSchoolStaffResponse, error) {
	p, err := RequireStaff(ctx, rolesStaffAdmin...)
	if err != nil {
		return nil, err
	}
	in, err := checkStaffPut(p.SchoolID, req.GetUsername(), req.GetRole(), req.GetClassId(), req.GetPassword(), req.GetEnabled())
	if err != nil {
		return nil, err
	}
	u, err := staffAccounts{d: s.d}.put(ctx, in, p.SubjectID, ErrNotReachable, slog.String("by", p.SubjectID))
	if err != nil {
		return nil, err
	}
	return &apiv1.PutSchoolStaffResponse{Staff: u}, nil
}
