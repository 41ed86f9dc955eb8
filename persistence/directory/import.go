package directory

import (
	"errors"
	"fmt"
	"sort"
)

// Existing is what a Store found, inside the import's transaction, for the
// keys of the rows being imported.
type Existing struct {
	Classes    map[string]bool   // ids of the school's classes among those asked
	Pupils     map[string]Pupil  // pupils by account id (SchoolID and StudentNo suffice)
	StudentNos map[string]string // student no → account id, in the school
}

// Lookup reads what exists for the given keys (all valid, deduplicated).
type Lookup func(classIDs, accountIDs, studentNos []string) (Existing, error)

// CheckImport is the check every Store runs before writing an import: each
// row is validated, compared with the other rows (an account id or student
// number twice is a conflict) and with what lookup finds (a missing class,
// an account of another school or student number, a student number taken
// by another account). It returns the rows with SchoolID filled in, or an
// *ImportError listing every bad row, or lookup's error.
func CheckImport(schoolID string, rows []Pupil, lookup Lookup) ([]Pupil, error) {
	if err := ValidateSchoolID(schoolID); err != nil {
		return nil, err
	}
	if len(rows) == 0 || len(rows) > MaxImport {
		return nil, invalid("%d pupils, want 1..%d", len(rows), MaxImport)
	}
	out := make([]Pupil, len(rows))
	bad := map[int]error{}
	firstAccount, firstNo := map[string]int{}, map[string]int{}
	var classIDs, accountIDs, nos []string
	classSeen := map[string]bool{}
	for i, p := range rows {
		if p.SchoolID == "" {
			p.SchoolID = schoolID
		}
		out[i] = p
		if err := checkRow(schoolID, &p, i, firstAccount, firstNo); err != nil {
			bad[i] = err
			continue
		}
		firstAccount[p.AccountID], firstNo[p.StudentNo] = i, i
		accountIDs, nos = append(accountIDs, p.AccountID), append(nos, p.StudentNo)
		if !classSeen[p.ClassID] {
			classSeen[p.ClassID] = true
			classIDs = append(classIDs, p.ClassID)
		}
	}
	if len(accountIDs) > 0 {
		ex, err := lookup(classIDs, accountIDs, nos)
		if err != nil {
			return nil, err
		}
		for i := range out {
			if bad[i] == nil {
				if err := checkExisting(&out[i], &ex); err != nil {
					bad[i] = err
				}
			}
		}
	}
	if len(bad) == 0 {
		return out, nil
	}
	ie := &ImportError{}
	for i, err := range bad {
		ie.Rows = append(ie.Rows, RowError{Row: i, Err: err})
	}
	sort.Slice(ie.Rows, func(a, b int) bool { return ie.Rows[a].Row < ie.Rows[b].Row })
	return nil, ie
}

func checkRow(schoolID string, p *Pupil, i int, firstAccount, firstNo map[string]int) error {
	if err := ValidatePupil(p); err != nil {
		return err
	}
	if p.SchoolID != schoolID {
		return invalid("pupil of school %s in an import for school %s", p.SchoolID, schoolID)
	}
	if j, dup := firstAccount[p.AccountID]; dup {
		return fmt.Errorf("%w: account id %q also in row %d", ErrConflict, p.AccountID, j)
	}
	if j, dup := firstNo[p.StudentNo]; dup {
		return fmt.Errorf("%w: student no %s also in row %d", ErrConflict, p.StudentNo, j)
	}
	return nil
}

func checkExisting(p *Pupil, ex *Existing) error {
	if !ex.Classes[p.ClassID] {
		return fmt.Errorf("%w: class %q of school %s", ErrNotFound, p.ClassID, p.SchoolID)
	}
	if old, ok := ex.Pupils[p.AccountID]; ok && (old.SchoolID != p.SchoolID || old.StudentNo != p.StudentNo) {
		return fmt.Errorf("%w: account %q is student %s of school %s", ErrConflict, p.AccountID, old.StudentNo, old.SchoolID)
	}
	if acc, ok := ex.StudentNos[p.StudentNo]; ok && acc != p.AccountID {
		return fmt.Errorf("%w: student no %s belongs to account %q", ErrConflict, p.StudentNo, acc)
	}
	return nil
}

// RowErr returns the error of a one-row import (PutPupil): the row's own
// error rather than an *ImportError around it.
func RowErr(err error) error {
	var ie *ImportError
	if errors.As(err, &ie) && len(ie.Rows) == 1 {
		return ie.Rows[0].Err
	}
	return err
}
