package enrolment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/app/workers"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/idnumber"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// Row is one pupil of an import, as written by the school.
type Row struct {
	StudentNo string // ten digits
	Name      string
	ClassID   string
	// IDNumber is only hashed (keyed) for binding; it is never stored. "" for none.
	IDNumber string
}

// RowError explains why one row was refused.
type RowError struct {
	// Row is the 1-based row (the file's line for a file import); 0 is the summary of
	// the errors not listed (TOO_MANY_ERRORS).
	Row     int
	Reason  reason.Code
	Message string
}

// Mode says what an import may do to a pupil that already exists.
type Mode uint8

const (
	// CreateOnly creates new pupils and leaves a pupil the row repeats as it is; a row
	// that would change an existing pupil (name, class or ID number) is the row error
	// PUPIL_EXISTS.
	CreateOnly Mode = iota
	// Update also changes existing pupils to the row's name, class and (when the row
	// gives one) ID number.
	Update
)

// Outcome is what an import did to the pupil of one row.
type Outcome uint8

// Outcomes of a row.
const (
	Created   Outcome = iota + 1 // a new pupil
	Updated                      // an existing pupil the row changed
	Unchanged                    // an existing pupil the row left as it was
)

func (o Outcome) String() string {
	switch o {
	case Created:
		return "created"
	case Updated:
		return "updated"
	case Unchanged:
		return "unchanged"
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// importRow is one checked row of an import, ready for the directory.
type importRow struct {
	pupil   Pupil
	outcome Outcome
}

func rowError(i int, r reason.Code, format string, args ...any) RowError {
	return RowError{Row: i + 1, Reason: r, Message: fmt.Sprintf(format, args...)}
}

// capRowErrors keeps the first MaxRowErrors and counts the rest in a row-0 error.
func capRowErrors(errs []RowError) []RowError {
	if len(errs) <= MaxRowErrors {
		return errs
	}
	more := len(errs) - MaxRowErrors
	return append(errs[:MaxRowErrors:MaxRowErrors], RowError{
		Row: 0, Reason: reason.TooManyErrors, Message: fmt.Sprintf("%d more errors not listed", more),
	})
}

// storeRowErrors maps the directory's own rejection (a race with another import, a
// class removed meanwhile) to row errors; written[i] is the row of the i-th pupil
// written.
func storeRowErrors(ie *directory.ImportError, written []int) []RowError {
	out := make([]RowError, 0, len(ie.Rows))
	for _, r := range ie.Rows {
		code := reason.InvalidRow
		switch {
		case errors.Is(r.Err, directory.ErrNotFound):
			code = reason.UnknownClass
		case errors.Is(r.Err, directory.ErrConflict):
			code = reason.Conflict
		}
		row := r.Row
		if row >= 0 && row < len(written) {
			row = written[row]
		}
		out = append(out, rowError(row, code, "%s", r.Err.Error()))
	}
	return out
}

// checkRows validates every row, in the file and against the directory, and builds
// the pupils to write with their outcome under mode. It answers the row errors, or an
// error when the directory cannot be read.
func (s *Service) checkRows(ctx context.Context, schoolID string, expiry int32, in []Row, mode Mode) ([]importRow, []RowError, error) {
	var errs []RowError
	rows := make([]importRow, len(in))
	firstRow := map[string]int{}
	classes := map[string]bool{} // class id → of the school
	for i, r := range in {
		rowErrs := checkRowFields(i, r, firstRow)
		if directory.ValidateID("class", r.ClassID) == nil {
			known, err := s.classKnown(ctx, classes, schoolID, r.ClassID)
			if err != nil {
				return nil, nil, err
			}
			if !known {
				rowErrs = append(rowErrs, rowError(i, reason.UnknownClass, "class %q is not a class of school %s", r.ClassID, schoolID))
			}
		}
		var idHash []byte
		if r.IDNumber != "" {
			h, err := idnumber.Hash(s.d.IDHashKey, r.IDNumber)
			if err != nil {
				rowErrs = append(rowErrs, rowError(i, reason.InvalidIDNumber, "%s", err.Error()))
			}
			idHash = h
		}
		errs = append(errs, rowErrs...)
		rows[i].pupil = Pupil{
			AccountID: account.ID(schoolID, r.StudentNo), SchoolID: schoolID, StudentNo: r.StudentNo,
			Name: strings.TrimSpace(r.Name), ClassID: r.ClassID, IDNumberHash: idHash,
			CardExpiry: expiry, Status: directory.PupilActive,
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	errs, err := s.mergeExisting(ctx, rows, mode)
	return rows, errs, err
}

// classKnown reports whether classID is a class of the school, asking the directory
// once per class of the file.
func (s *Service) classKnown(ctx context.Context, cache map[string]bool, schoolID, classID string) (bool, error) {
	if known, ok := cache[classID]; ok {
		return known, nil
	}
	_, err := s.d.Directory.Class(ctx, schoolID, classID)
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return false, err
	}
	cache[classID] = err == nil
	return err == nil, nil
}

// checkRowFields checks one row on its own and against the earlier rows of the file.
func checkRowFields(i int, r Row, firstRow map[string]int) []RowError {
	var errs []RowError
	no := r.StudentNo
	if err := directory.ValidateStudentNo(no); err != nil {
		errs = append(errs, rowError(i, reason.InvalidStudentNo, "student no %q, want 10 digits", no))
	} else if j, dup := firstRow[no]; dup {
		errs = append(errs, rowError(i, reason.DuplicateStudentNo, "student no %s is also in row %d", no, j+1))
	} else {
		firstRow[no] = i
	}
	if err := input.CheckText("name", strings.TrimSpace(r.Name), directory.MaxNameLen); err != nil {
		errs = append(errs, rowError(i, reason.InvalidName, "name: %s", err.Error()))
	}
	if err := directory.ValidateID("class", r.ClassID); err != nil {
		errs = append(errs, rowError(i, reason.InvalidClassID, "class id %q: want 1..%d characters of [A-Za-z0-9_.-]", r.ClassID, directory.MaxIDLen))
	}
	return errs
}

// mergeExisting looks every pupil up. An existing pupil keeps what a re-import must
// not change: the card (random, expiry), the status and, when the row has none, the
// ID-number hash; the row is Unchanged when it repeats the pupil, Updated when it
// changes name, class or ID number (in Update mode; in CreateOnly mode that is the row
// error PUPIL_EXISTS). A new pupil (Created) draws a card random.
func (s *Service) mergeExisting(ctx context.Context, rows []importRow, mode Mode) ([]RowError, error) {
	found := make([]*Pupil, len(rows))
	err := workers.ForEach(ctx, len(rows), openWorkers, func(ctx context.Context, i int) error {
		old, err := s.d.Directory.PupilByAccount(ctx, rows[i].pupil.AccountID)
		if errors.Is(err, directory.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found[i] = &old
		return nil
	})
	if err != nil {
		return nil, err
	}
	var errs []RowError
	for i := range rows {
		p := &rows[i].pupil
		if old := found[i]; old != nil {
			rows[i].outcome = Unchanged
			if changed := changes(*old, *p); changed != "" {
				rows[i].outcome = Updated
				if mode != Update {
					errs = append(errs, rowError(i, reason.PupilExists,
						"student no %s is an existing pupil and this row changes its %s: import in update mode to change it", p.StudentNo, changed))
				}
			}
			p.CardRandom, p.CardExpiry, p.Status = old.CardRandom, old.CardExpiry, old.Status
			if p.IDNumberHash == nil {
				p.IDNumberHash = old.IDNumberHash
			}
			continue
		}
		rows[i].outcome = Created
		if p.CardRandom, err = card.DrawRandom(s.d.Rand); err != nil {
			return nil, err
		}
		if p.IDNumberHash == nil {
			p.IDNumberHash = idnumber.PlaceholderHash(s.d.IDHashKey, p.AccountID)
		}
	}
	return errs, nil
}

// changes names what row changes of the existing pupil old ("" for nothing): name,
// class, and the ID number when the row gives one. It never names the values.
func changes(old, row Pupil) string {
	var what []string
	if row.Name != old.Name {
		what = append(what, "name")
	}
	if row.ClassID != old.ClassID {
		what = append(what, "class")
	}
	if row.IDNumberHash != nil && !bytes.Equal(row.IDNumberHash, old.IDNumberHash) {
		what = append(what, "ID number")
	}
	return strings.Join(what, ", ")
}
