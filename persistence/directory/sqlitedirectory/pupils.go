package sqlitedirectory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/onecode/onecode/persistence/directory"
)

const pupilCols = "account_id, school_id, student_no, name, class_id, id_number_hash, card_random, card_expiry, status"

// upsertPupil keys on the account id; the WHERE keeps an existing pupil's
// school and student number (no row affected otherwise).
const upsertPupil = `INSERT INTO pupils (` + pupilCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (account_id) DO UPDATE SET name = excluded.name, class_id = excluded.class_id,
		id_number_hash = excluded.id_number_hash, card_random = excluded.card_random,
		card_expiry = excluded.card_expiry, status = excluded.status
	WHERE pupils.school_id = excluded.school_id AND pupils.student_no = excluded.student_no`

type scanner interface{ Scan(dest ...any) error }

func scanPupil(row scanner) (directory.Pupil, error) {
	var p directory.Pupil
	var status string
	err := row.Scan(&p.AccountID, &p.SchoolID, &p.StudentNo, &p.Name, &p.ClassID, &p.IDNumberHash, &p.CardRandom, &p.CardExpiry, &status)
	p.Status = directory.PupilStatus(status)
	return p, err
}

// PutPupil implements directory.Store.
func (s *Store) PutPupil(ctx context.Context, p directory.Pupil) error {
	return directory.RowErr(s.BulkImportPupils(ctx, p.SchoolID, []directory.Pupil{p}))
}

// BulkImportPupils implements directory.Store. The transaction holds the
// database's write lock from its start, so the checks made before writing
// still hold when writing.
func (s *Store) BulkImportPupils(ctx context.Context, schoolID string, pupils []directory.Pupil) error {
	if err := directory.ValidateSchoolID(schoolID); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM schools WHERE id = ?", schoolID).Scan(&one); err != nil {
			return mapErr("school "+schoolID, err)
		}
		rows, err := directory.CheckImport(schoolID, pupils, func(classIDs, accountIDs, nos []string) (directory.Existing, error) {
			return lookup(ctx, tx, schoolID, classIDs, accountIDs, nos)
		})
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, upsertPupil)
		if err != nil {
			return mapErr("import", err)
		}
		defer stmt.Close()
		for i, p := range rows {
			n, err := affected("pupil " + p.AccountID)(stmt.ExecContext(ctx, p.AccountID, p.SchoolID, p.StudentNo, p.Name, p.ClassID,
				p.IDNumberHash, p.CardRandom, p.CardExpiry, string(p.Status)))
			if err == nil && n != 1 {
				err = fmt.Errorf("%w: account %q changed school or student no", directory.ErrConflict, p.AccountID)
			}
			if err != nil {
				return &directory.ImportError{Rows: []directory.RowError{{Row: i, Err: err}}}
			}
		}
		return nil
	})
}

func jsonList(xs []string) string {
	b, _ := json.Marshal(xs) // []string always marshals
	return string(b)
}

func lookup(ctx context.Context, tx *sql.Tx, schoolID string, classIDs, accountIDs, nos []string) (directory.Existing, error) {
	ex := directory.Existing{Classes: map[string]bool{}, Pupils: map[string]directory.Pupil{}, StudentNos: map[string]string{}}
	rows, err := tx.QueryContext(ctx, "SELECT id FROM classes WHERE school_id = ? AND id IN (SELECT value FROM json_each(?))",
		schoolID, jsonList(classIDs))
	if err != nil {
		return ex, mapErr("import lookup", err)
	}
	err = eachRow(rows, func() error {
		var id string
		err := rows.Scan(&id)
		ex.Classes[id] = true
		return err
	})
	if err != nil {
		return ex, mapErr("import lookup", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT account_id, school_id, student_no FROM pupils WHERE account_id IN (SELECT value FROM json_each(?))
		UNION SELECT account_id, school_id, student_no FROM pupils WHERE school_id = ? AND student_no IN (SELECT value FROM json_each(?))`,
		jsonList(accountIDs), schoolID, jsonList(nos))
	if err != nil {
		return ex, mapErr("import lookup", err)
	}
	err = eachRow(rows, func() error {
		var p directory.Pupil
		err := rows.Scan(&p.AccountID, &p.SchoolID, &p.StudentNo)
		ex.Pupils[p.AccountID] = p
		if p.SchoolID == schoolID {
			ex.StudentNos[p.StudentNo] = p.AccountID
		}
		return err
	})
	return ex, mapErr("import lookup", err)
}

// eachRow calls f for every row and closes rows.
func eachRow(rows *sql.Rows, f func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := f(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PupilByAccount implements directory.Store.
func (s *Store) PupilByAccount(ctx context.Context, accountID string) (directory.Pupil, error) {
	if err := directory.ValidateAccountID(accountID); err != nil {
		return directory.Pupil{}, err
	}
	p, err := scanPupil(s.db.QueryRowContext(ctx, "SELECT "+pupilCols+" FROM pupils WHERE account_id = ?", accountID))
	return p, mapErr("pupil "+accountID, err)
}

// PupilsByAccounts implements directory.Store: one statement, the ids as one
// JSON array parameter.
func (s *Store) PupilsByAccounts(ctx context.Context, schoolID string, accountIDs []string) ([]directory.Pupil, error) {
	if err := directory.ValidateAccountIDs(schoolID, accountIDs); err != nil {
		return nil, err
	}
	if len(accountIDs) == 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+pupilCols+` FROM pupils
		WHERE account_id IN (SELECT value FROM json_each(?)) AND school_id = ? ORDER BY account_id`,
		jsonList(accountIDs), schoolID)
	if err != nil {
		return nil, mapErr("pupils by accounts", err)
	}
	var out []directory.Pupil
	err = eachRow(rows, func() error {
		p, err := scanPupil(rows)
		out = append(out, p)
		return err
	})
	return out, mapErr("pupils by accounts", err)
}

// PupilByStudentNo implements directory.Store.
func (s *Store) PupilByStudentNo(ctx context.Context, schoolID, studentNo string) (directory.Pupil, error) {
	if err := errors.Join(directory.ValidateSchoolID(schoolID), directory.ValidateStudentNo(studentNo)); err != nil {
		return directory.Pupil{}, err
	}
	p, err := scanPupil(s.db.QueryRowContext(ctx, "SELECT "+pupilCols+" FROM pupils WHERE school_id = ? AND student_no = ?", schoolID, studentNo))
	return p, mapErr("pupil "+studentNo, err)
}

// ListPupils implements directory.Store.
func (s *Store) ListPupils(ctx context.Context, schoolID, classID, after string, limit int) ([]directory.Pupil, error) {
	if err := directory.ValidatePupilPage(schoolID, classID, after, limit); err != nil {
		return nil, err
	}
	q, args := "SELECT "+pupilCols+` FROM pupils
		WHERE school_id = ? AND class_id = ? AND student_no > ? ORDER BY student_no LIMIT ?`, []any{schoolID, classID, after, limit}
	if classID == "" { // the whole school, on its (school_id, student_no) key
		q, args = "SELECT "+pupilCols+` FROM pupils
		WHERE school_id = ? AND student_no > ? ORDER BY student_no LIMIT ?`, []any{schoolID, after, limit}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr("list pupils", err)
	}
	var out []directory.Pupil
	err = eachRow(rows, func() error {
		p, err := scanPupil(rows)
		out = append(out, p)
		return err
	})
	return out, mapErr("list pupils", err)
}
