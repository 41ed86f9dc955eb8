package enrolment

import (
	"context"
	"errors"
	"log/slog"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// ImportRequest is an import of pupil rows into a school.
type ImportRequest struct {
	SchoolID   string
	CardExpiry string // YYYYMMDD, a day after today
	Rows       []Row
	Mode       Mode
}

// Imported is what an import did with one row.
type Imported struct {
	// Row is the 1-based row (the file's line for a file import).
	Row       int
	StudentNo string
	AccountID string
	// CardQR is the QR text of the pupil's current card, "" when the card is not
	// active (lost, expired): print it with the class sheet after a re-issue.
	CardQR  string
	Outcome Outcome
}

// ImportResult is the answer of an import: the pupils, one per row in the rows'
// order, and the counts of their outcomes; or the row errors, and then nothing was
// written.
type ImportResult struct {
	Pupils                      []Imported
	Errors                      []RowError
	Created, Updated, Unchanged int
}

// ImportPupils adds pupils to a school all-or-nothing (or in Update mode also updates
// them), opens their accounts with the school's default limits and answers their card
// QR texts and what happened to each.
//
// Every row is checked first (student number, duplicates in the file, name, class of
// the school, ID number, and in CreateOnly mode no change to an existing pupil); any
// bad row answers the row errors and imports nothing. A new pupil gets a fresh card
// random; a pupil already in the directory keeps the card random, expiry and status it
// has (an import never re-issues a card: staff use ReissueCard) and keeps its
// ID-number hash when the row has no ID number. An empty ID number stores a hash no ID
// number matches (idnumber.PlaceholderHash).
//
// The directory write is one transaction (of the created and updated pupils); the
// accounts are then opened with the idempotency key "open:<account id>". If opening
// fails midway (IMPORT_INCOMPLETE, or a deadline), the pupils are saved and running the
// same import again is safe: it changes no card and opens only the accounts still
// closed (its rows are then Unchanged).
func (s *Service) ImportPupils(ctx context.Context, req ImportRequest) (ImportResult, error) {
	if n := len(req.Rows); n == 0 || n > MaxImportRows {
		return ImportResult{}, reason.Invalid(reason.InvalidArgument, "%d pupils, want 1..%d per import", n, MaxImportRows)
	}
	expiry, err := ParseExpiry(req.CardExpiry, s.d.Now())
	if err != nil {
		return ImportResult{}, err
	}
	school, err := s.school(ctx, req.SchoolID)
	if err != nil {
		return ImportResult{}, err
	}
	return s.importRows(ctx, school, expiry, req.Rows, req.Mode)
}

// importRows imports rows into school with cards expiring on expiry (YYYYMMDD).
// Row errors are answered in the result (RowError.Row is the 1-based index in rows)
// and then nothing was written.
func (s *Service) importRows(ctx context.Context, school School, expiry int32, in []Row, mode Mode) (ImportResult, error) {
	rows, rowErrs, err := s.checkRows(ctx, school.ID, expiry, in, mode)
	if err != nil {
		return ImportResult{}, err
	}
	if len(rowErrs) > 0 {
		return ImportResult{Errors: capRowErrors(rowErrs)}, nil
	}
	pupils := make([]Pupil, len(rows))
	var write []Pupil
	var written []int // written[i]: the row of write[i]
	for i, r := range rows {
		pupils[i] = r.pupil
		if r.outcome != Unchanged {
			write = append(write, r.pupil)
			written = append(written, i)
		}
	}
	if len(write) > 0 {
		if err := s.d.Directory.BulkImportPupils(ctx, school.ID, write); err != nil {
			var ie *directory.ImportError
			if errors.As(err, &ie) {
				return ImportResult{Errors: capRowErrors(storeRowErrors(ie, written))}, nil
			}
			return ImportResult{}, err
		}
	}
	cards, err := s.openAccounts(ctx, school, pupils)
	if err != nil {
		return ImportResult{}, err
	}
	out := ImportResult{Pupils: make([]Imported, len(pupils))}
	for i, p := range pupils {
		qr, err := s.sealCard(p.SchoolID, p.StudentNo, cards[i], s.d.Rand)
		if err != nil {
			return ImportResult{}, err
		}
		out.Pupils[i] = Imported{Row: i + 1, StudentNo: p.StudentNo, AccountID: p.AccountID, CardQR: qr, Outcome: rows[i].outcome}
		switch rows[i].outcome {
		case Created:
			out.Created++
		case Updated:
			out.Updated++
		case Unchanged:
			out.Unchanged++
		}
	}
	s.d.Logger.Info("pupils imported", slog.String("school", school.ID), slog.Int("rows", len(rows)),
		slog.Int("new", out.Created), slog.Int("updated", out.Updated), slog.Int("unchanged", out.Unchanged))
	return out, nil
}

// FileImportRequest is an import of a pupil file (ParsePupilFile) into a school.
type FileImportRequest struct {
	SchoolID   string
	Format     string // "csv", "xlsx" or "" (guessed)
	Content    []byte
	CardExpiry string // YYYYMMDD
	Mode       Mode
	// By names the staff member who imports (for the log).
	By string
}

// ImportFile imports a CSV or XLSX file (ParsePupilFile) into a school, all or
// nothing, by the rules of ImportPupils. Row errors and Imported.Row name the file's
// line (with a hint where a spreadsheet turned a number into a float).
func (s *Service) ImportFile(ctx context.Context, req FileImportRequest) (ImportResult, error) {
	file, err := ParsePupilFile(req.Format, req.Content)
	if err != nil {
		return ImportResult{}, err
	}
	expiry, err := ParseExpiry(req.CardExpiry, s.d.Now())
	if err != nil {
		return ImportResult{}, err
	}
	school, err := s.d.Directory.School(ctx, req.SchoolID)
	if err != nil {
		return ImportResult{}, err
	}
	res, err := s.importRows(ctx, school, expiry, file.Rows, req.Mode)
	if err != nil {
		return ImportResult{}, err
	}
	res.Errors = fileRowErrors(res.Errors, file)
	for i := range res.Pupils {
		res.Pupils[i].Row = file.Lines[i]
	}
	if len(res.Errors) == 0 {
		s.d.Logger.Info("pupil file imported", slog.String("school", school.ID), slog.String("staff", req.By),
			slog.Int("pupils", len(res.Pupils)), slog.String("encoding", file.Encoding))
	}
	return res, nil
}

// fileRowErrors renumbers row errors by the file's lines, with a hint where a
// spreadsheet turned a number into a float.
func fileRowErrors(errs []RowError, file PupilFile) []RowError {
	for k := range errs {
		e := &errs[k]
		i := e.Row - 1
		if i < 0 || i >= len(file.Lines) {
			continue // the row-0 summary
		}
		e.Row = file.Lines[i]
		r := file.Rows[i]
		if (e.Reason == reason.InvalidIDNumber && storedAsNumber(r.IDNumber)) ||
			(e.Reason == reason.InvalidStudentNo && storedAsNumber(r.StudentNo)) {
			e.Message += " (the spreadsheet stored it as a number and lost digits: format the column as text)"
		}
	}
	return errs
}
