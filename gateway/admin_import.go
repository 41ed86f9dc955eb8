package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/app/workers"

	"github.com/onecode/onecode/domain/reason"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// formatDay is YYYYMMDD.
func formatDay(d int32) string { return fmt.Sprintf("%08d", d) }

// parseExpiry parses a card expiry YYYYMMDD that must be a real day after today
// (Asia/Shanghai) and within the directory's range.
func parseExpiry(s string, now time.Time) (int32, error) {
	if len(s) != 8 || !input.IsDigits(s) {
		return 0, invalidArg("card_expiry %q, want YYYYMMDD", s)
	}
	day, err := time.ParseInLocation("20060102", s, card.Zone())
	if err != nil {
		return 0, invalidArg("card_expiry %q is not a real day", s)
	}
	v, _ := strconv.Atoi(s)
	if v < directory.MinCardExpiry || v > directory.MaxCardExpiry {
		return 0, invalidArg("card_expiry %s out of %d..%d", s, directory.MinCardExpiry, directory.MaxCardExpiry)
	}
	y, m, d := now.In(card.Zone()).Date()
	if !day.After(time.Date(y, m, d, 0, 0, 0, 0, card.Zone())) {
		return 0, invalidArg("card_expiry %s is not in the future", s)
	}
	return int32(v), nil
}

// importRow is one checked row of an import, ready for the directory.
type importRow struct {
	pupil directory.Pupil
	isNew bool
}

// ImportPupils adds or updates pupils of a school all-or-nothing, opens their accounts
// with the school's default limits and answers their card QR texts.
//
// Every row is checked first (student number, duplicates in the file, name, class of
// the school, ID number); any bad row answers the row errors and imports nothing. A new
// pupil gets a fresh card random; a pupil already in the directory keeps the card
// random, expiry and status it has (a re-import never re-issues a card: staff use
// Reissue) and keeps its ID-number hash when the row has no ID number. An empty ID
// number stores a hash no ID number matches (see noIDNumberHash).
//
// The directory write is one transaction; the accounts are then opened one by one with
// the idempotency key "open:<account id>". If opening fails midway (IMPORT_INCOMPLETE,
// or a deadline), the pupils are saved and running the same import again is safe: it
// changes no card and opens only the accounts still closed.
func (s *adminService) ImportPupils(ctx context.Context, req *apiv1.ImportPupilsRequest) (*apiv1.ImportPupilsResponse, error) {
	if n := len(req.GetPupils()); n == 0 || n > MaxImportRows {
		return nil, invalidArg("%d pupils, want 1..%d per import", n, MaxImportRows)
	}
	expiry, err := parseExpiry(req.GetCardExpiry(), s.d.Now())
	if err != nil {
		return nil, err
	}
	school, err := s.school(ctx, req.GetSchoolId())
	if err != nil {
		return nil, err
	}
	return pupilImporter{d: s.d}.importPupils(ctx, school, expiry, req.GetPupils())
}

// pupilImporter is the import shared by AdminService.ImportPupils and
// StaffService.ImportPupilsFile: check every row, write the directory in one
// transaction, open the accounts and seal the cards (see ImportPupils).
type pupilImporter struct {
	d Deps
}

// importPupils imports rows into school with cards expiring on expiry (YYYYMMDD).
// Row errors are answered in the response (RowError.Row is the 1-based index in
// rows) and then nothing was written.
func (s pupilImporter) importPupils(ctx context.Context, school directory.School, expiry int32, in []*apiv1.PupilRow) (*apiv1.ImportPupilsResponse, error) {
	rows, rowErrs, err := s.checkRows(ctx, school.ID, expiry, in)
	if err != nil {
		return nil, err
	}
	if len(rowErrs) > 0 {
		return &apiv1.ImportPupilsResponse{Errors: capRowErrors(rowErrs)}, nil
	}
	pupils := make([]directory.Pupil, len(rows))
	for i, r := range rows {
		pupils[i] = r.pupil
	}
	if err := s.d.Directory.BulkImportPupils(ctx, school.ID, pupils); err != nil {
		var ie *directory.ImportError
		if errors.As(err, &ie) {
			return &apiv1.ImportPupilsResponse{Errors: capRowErrors(storeRowErrors(ie))}, nil
		}
		return nil, ErrorStatus(err)
	}
	cards, err := s.openAccounts(ctx, school, pupils)
	if err != nil {
		return nil, err
	}
	out := &apiv1.ImportPupilsResponse{Pupils: make([]*apiv1.ImportedPupil, len(pupils))}
	for i, p := range pupils {
		qr, err := s.sealCard(school.ID, p.StudentNo, cards[i])
		if err != nil {
			return nil, ErrorStatus(err)
		}
		out.Pupils[i] = &apiv1.ImportedPupil{StudentNo: p.StudentNo, AccountId: p.AccountID, CardQr: qr}
	}
	newCount := 0
	for _, r := range rows {
		if r.isNew {
			newCount++
		}
	}
	s.d.Logger.Info("pupils imported", slog.String("school", school.ID), slog.Int("rows", len(rows)), slog.Int("new", newCount))
	return out, nil
}

func rowError(row int, reason, format string, args ...any) *apiv1.RowError {
	return &apiv1.RowError{Row: int32(row + 1), Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// capRowErrors keeps the first MaxRowErrors and counts the rest in a row-0 error.
func capRowErrors(errs []*apiv1.RowError) []*apiv1.RowError {
	if len(errs) <= MaxRowErrors {
		return errs
	}
	more := len(errs) - MaxRowErrors
	return append(errs[:MaxRowErrors:MaxRowErrors], &apiv1.RowError{
		Row: 0, Reason: "TOO_MANY_ERRORS", Message: fmt.Sprintf("%d more errors not listed", more),
	})
}

// storeRowErrors maps the directory's own rejection (a race with another import, a
// class removed meanwhile) to row errors.
func storeRowErrors(ie *directory.ImportError) []*apiv1.RowError {
	out := make([]*apiv1.RowError, 0, len(ie.Rows))
	for _, r := range ie.Rows {
		reason := "INVALID_ROW"
		switch {
		case errors.Is(r.Err, directory.ErrNotFound):
			reason = "UNKNOWN_CLASS"
		case errors.Is(r.Err, directory.ErrConflict):
			reason = "CONFLICT"
		}
		out = append(out, rowError(r.Row, reason, "%s", r.Err.Error()))
	}
	return out
}

// checkRows validates every row, in the file and against the directory, and builds
// the pupils to write. It answers the row errors, or an error status when the directory
// cannot be read.
func (s pupilImporter) checkRows(ctx context.Context, schoolID string, expiry int32, in []*apiv1.PupilRow) ([]importRow, []*apiv1.RowError, error) {
	var errs []*apiv1.RowError
	rows := make([]importRow, len(in))
	firstRow := map[string]int{}
	classes := map[string]bool{} // class id → of the school
	for i, r := range in {
		rowErrs := checkRowFields(i, r, firstRow)
		if directory.ValidateID("class", r.GetClassId()) == nil {
			known, err := s.classKnown(ctx, classes, schoolID, r.GetClassId())
			if err != nil {
				return nil, nil, err
			}
			if !known {
				rowErrs = append(rowErrs, rowError(i, "UNKNOWN_CLASS", "class %q is not a class of school %s", r.GetClassId(), schoolID))
			}
		}
		var idHash []byte
		if r.GetIdNumber() != "" {
			h, err := HashIDNumber(s.d.IDHashKey, r.GetIdNumber())
			if err != nil {
				rowErrs = append(rowErrs, rowError(i, "INVALID_ID_NUMBER", "%s", err.Error()))
			}
			idHash = h
		}
		errs = append(errs, rowErrs...)
		no := r.GetStudentNo()
		rows[i].pupil = directory.Pupil{
			AccountID: AccountID(schoolID, no), SchoolID: schoolID, StudentNo: no,
			Name: strings.TrimSpace(r.GetName()), ClassID: r.GetClassId(), IDNumberHash: idHash,
			CardExpiry: expiry, Status: directory.PupilActive,
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	if err := s.mergeExisting(ctx, rows); err != nil {
		return nil, nil, err
	}
	return rows, nil, nil
}

// classKnown reports whether classID is a class of the school, asking the directory
// once per class of the file.
func (s pupilImporter) classKnown(ctx context.Context, cache map[string]bool, schoolID, classID string) (bool, error) {
	if known, ok := cache[classID]; ok {
		return known, nil
	}
	_, err := s.d.Directory.Class(ctx, schoolID, classID)
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return false, ErrorStatus(err)
	}
	cache[classID] = err == nil
	return err == nil, nil
}

// checkRowFields checks one row on its own and against the earlier rows of the file.
func checkRowFields(i int, r *apiv1.PupilRow, firstRow map[string]int) []*apiv1.RowError {
	var errs []*apiv1.RowError
	no := r.GetStudentNo()
	if err := directory.ValidateStudentNo(no); err != nil {
		errs = append(errs, rowError(i, "INVALID_STUDENT_NO", "student no %q, want 10 digits", no))
	} else if j, dup := firstRow[no]; dup {
		errs = append(errs, rowError(i, "DUPLICATE_STUDENT_NO", "student no %s is also in row %d", no, j+1))
	} else {
		firstRow[no] = i
	}
	name := strings.TrimSpace(r.GetName())
	if err := input.CheckText("name", name, directory.MaxNameLen); err != nil {
		errs = append(errs, rowError(i, "INVALID_NAME", "name: %s", status.Convert(err).Message()))
	}
	if err := directory.ValidateID("class", r.GetClassId()); err != nil {
		errs = append(errs, rowError(i, "INVALID_CLASS_ID", "class id %q: want 1..%d characters of [A-Za-z0-9_.-]", r.GetClassId(), directory.MaxIDLen))
	}
	return errs
}

// mergeExisting looks every pupil up and keeps what a re-import must not change: the
// card (random, expiry), the status and, when the row has none, the ID-number hash.
// New pupils draw a card random.
func (s pupilImporter) mergeExisting(ctx context.Context, rows []importRow) error {
	found := make([]*directory.Pupil, len(rows))
	err := workers.ForEach(ctx, len(rows), openWorkers, func(ctx context.Context, i int) error {
		old, err := s.d.Directory.PupilByAccount(ctx, rows[i].pupil.AccountID)
		if errors.Is(err, directory.ErrNotFound) {
			return nil
		}
		if err != nil {
			return ErrorStatus(err)
		}
		found[i] = &old
		return nil
	})
	if err != nil {
		return ErrorStatus(err)
	}
	for i := range rows {
		p := &rows[i].pupil
		if old := found[i]; old != nil {
			p.CardRandom, p.CardExpiry, p.Status = old.CardRandom, old.CardExpiry, old.Status
			if p.IDNumberHash == nil {
				p.IDNumberHash = old.IDNumberHash
			}
			continue
		}
		rows[i].isNew = true
		if p.CardRandom, err = drawCardRandom(s.d.Rand); err != nil {
			return ErrorStatus(err)
		}
		if p.IDNumberHash == nil {
			p.IDNumberHash = noIDNumberHash(s.d.IDHashKey, p.AccountID)
		}
	}
	return nil
}

// drawCardRandom draws two uniform decimal digits (bytes ≥ 200 are rejected, so that
// every value 00..99 is equally likely; 64 draws bound the loop).
func drawCardRandom(r io.Reader) (string, error) {
	var b [16]byte
	for range 4 {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("card random: %w", err)
		}
		for _, v := range b {
			if v < 200 {
				return fmt.Sprintf("%02d", v%100), nil
			}
		}
	}
	return "", errors.New("card random: no uniform byte in 64 draws")
}

// cardToPrint is the card an import answers for one pupil: random and expiry
// (YYYYMMDD), or print false when the account's card is not active (lost, expired).
type cardToPrint struct {
	random, expiry string
	print          bool
}

// openAccounts opens the account of every pupil (idempotency key "open:<account id>")
// and answers the card to print for each: the one just opened, or the account's current
// card when it was opened before.
func (s pupilImporter) openAccounts(ctx context.Context, school directory.School, pupils []directory.Pupil) ([]cardToPrint, error) {
	limits := &grainv1.Limits{
		SingleRechargeMaxFen: school.SingleRechargeMax, BalanceCapFen: school.BalanceCap,
		DailySpendCapFen: school.DailySpendCap, ArrearsCapFen: school.ArrearsCap,
	}
	cards := make([]cardToPrint, len(pupils))
	err := workers.ForEach(ctx, len(pupils), openWorkers, func(ctx context.Context, i int) error {
		c, err := s.openAccount(ctx, school.ID, limits, pupils[i])
		cards[i] = c
		return err
	})
	if err != nil {
		if _, ok := status.FromError(err); !ok {
			return nil, s.incomplete("", err) // the caller's context ended
		}
		return nil, err
	}
	return cards, nil
}

func (s pupilImporter) openAccount(ctx context.Context, schoolID string, limits *grainv1.Limits, p directory.Pupil) (cardToPrint, error) {
	expiry := formatDay(p.CardExpiry)
	resp, err := s.d.Accounts.Execute(ctx, p.AccountID, &grainv1.ExecuteRequest{
		IdemKey: "open:" + p.AccountID,
		Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{
			SchoolId: schoolID, StudentNo: p.StudentNo, Limits: limits, CardRandom: p.CardRandom, CardExpiry: expiry,
		}},
	})
	if err != nil {
		return cardToPrint{}, s.incomplete(p.AccountID, err)
	}
	if a := resp.GetAccepted(); a != nil && !a.GetReplayed() {
		return cardToPrint{random: p.CardRandom, expiry: expiry, print: true}, nil
	}
	if d := resp.GetDeclined(); d != nil && d.GetReason() != "ACCOUNT_ALREADY_OPENED" && d.GetReason() != "IDEMPOTENCY_CONFLICT" {
		return cardToPrint{}, DeclineStatus(reason.Code(d.GetReason()), fmt.Sprintf("opening account %s: %s (the pupils are saved: fix it and run the import again)", p.AccountID, d.GetMessage()))
	}
	// Opened before (by an earlier run of this import, or with other limits): print
	// the account's current card, which a re-issue may have changed since.
	st, err := s.d.Accounts.State(ctx, p.AccountID)
	if err != nil {
		return cardToPrint{}, s.incomplete(p.AccountID, err)
	}
	if st.GetSchoolId() != schoolID {
		return cardToPrint{}, Status(codes.Internal, "INTERNAL", "internal error")
	}
	return cardToPrint{random: st.GetCardRandom(), expiry: st.GetCardExpiry(), print: st.GetCardState() == "active"}, nil
}

// incomplete is the status of an import whose pupils are saved but some account could
// not be opened (or read) for a temporary reason.
func (s pupilImporter) incomplete(accountID string, err error) error {
	st := ErrorStatus(err)
	switch status.Code(st) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Internal:
		s.d.Logger.Warn("import incomplete", slog.String("account", accountID), slog.Any("error", err)) // account "" when the deadline ended it
		return Status(codes.Unavailable, "IMPORT_INCOMPLETE",
			"the pupils are saved but some accounts are not opened yet: run the same import again")
	}
	return st
}

// sealCard answers the QR text of a card, or "" when the card is not to be printed.
func (s pupilImporter) sealCard(schoolID, studentNo string, c cardToPrint) (string, error) {
	if !c.print {
		return "", nil
	}
	id, err := card.BuildID(schoolID, studentNo, c.random)
	if err != nil {
		return "", err
	}
	day, err := time.ParseInLocation("20060102", c.expiry, card.Zone())
	if err != nil {
		return "", fmt.Errorf("card expiry %q: %w", c.expiry, err)
	}
	return s.d.Keyring.Seal(id, day, s.d.Rand)
}
