package pgdirectory

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/directory"
)

const pupilCols = "account_id, school_id, student_no, name, class_id, id_number_hash, card_random, card_expiry, status"

// upsertPupil keys on the account id; the WHERE keeps an existing pupil's
// school and student number (no row affected otherwise).
const upsertPupil = `INSERT INTO pupils (` + pupilCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
	ON CONFLICT (account_id) DO UPDATE SET name = excluded.name, class_id = excluded.class_id,
		id_number_hash = excluded.id_number_hash, card_random = excluded.card_random,
		card_expiry = excluded.card_expiry, status = excluded.status
	WHERE pupils.school_id = excluded.school_id AND pupils.student_no = excluded.student_no`

func scanPupil(row pgx.Row) (directory.Pupil, error) {
	var p directory.Pupil
	err := row.Scan(&p.AccountID, &p.SchoolID, &p.StudentNo, &p.Name, &p.ClassID, &p.IDNumberHash, &p.CardRandom, &p.CardExpiry, &p.Status)
	return p, err
}

// PutPupil implements directory.Store.
func (s *Store) PutPupil(ctx context.Context, p directory.Pupil) error {
	return directory.RowErr(s.BulkImportPupils(ctx, p.SchoolID, []directory.Pupil{p}))
}

// BulkImportPupils implements directory.Store. The school row is locked
// (FOR NO KEY UPDATE) so imports of one school are serialised and the
// checks made before writing still hold when writing.
func (s *Store) BulkImportPupils(ctx context.Context, schoolID string, pupils []directory.Pupil) error {
	if err := directory.ValidateSchoolID(schoolID); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM schools WHERE id = $1 FOR NO KEY UPDATE", schoolID).Scan(&one)
		if err != nil {
			return mapErr("school "+schoolID, err)
		}
		rows, err := directory.CheckImport(schoolID, pupils, func(classIDs, accountIDs, nos []string) (directory.Existing, error) {
			return lookup(ctx, tx, schoolID, classIDs, accountIDs, nos)
		})
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, p := range rows {
			b.Queue(upsertPupil, p.AccountID, p.SchoolID, p.StudentNo, p.Name, p.ClassID, p.IDNumberHash, p.CardRandom, p.CardExpiry, p.Status)
		}
		br := tx.SendBatch(ctx, b)
		for i, p := range rows {
			tag, err := br.Exec()
			if err == nil && tag.RowsAffected() != 1 {
				err = fmt.Errorf("%w: account %q changed school or student no", directory.ErrConflict, p.AccountID)
			}
			if err != nil {
				_ = br.Close()
				return &directory.ImportError{Rows: []directory.RowError{{Row: i, Err: mapErr("pupil "+p.AccountID, err)}}}
			}
		}
		return mapErr("import", br.Close())
	})
}

func lookup(ctx context.Context, tx pgx.Tx, schoolID string, classIDs, accountIDs, nos []string) (directory.Existing, error) {
	ex := directory.Existing{Classes: map[string]bool{}, Pupils: map[string]directory.Pupil{}, StudentNos: map[string]string{}}
	rows, err := tx.Query(ctx, "SELECT id FROM classes WHERE school_id = $1 AND id = ANY($2)", schoolID, classIDs)
	if err != nil {
		return ex, mapErr("import lookup", err)
	}
	var id string
	_, err = pgx.ForEachRow(rows, []any{&id}, func() error { ex.Classes[id] = true; return nil })
	if err != nil {
		return ex, mapErr("import lookup", err)
	}
	var p directory.Pupil
	rows, err = tx.Query(ctx, `SELECT account_id, school_id, student_no FROM pupils WHERE account_id = ANY($1)
		UNION SELECT account_id, school_id, student_no FROM pupils WHERE school_id = $2 AND student_no = ANY($3)`,
		accountIDs, schoolID, nos)
	if err != nil {
		return ex, mapErr("import lookup", err)
	}
	_, err = pgx.ForEachRow(rows, []any{&p.AccountID, &p.SchoolID, &p.StudentNo}, func() error {
		ex.Pupils[p.AccountID] = p
		if p.SchoolID == schoolID {
			ex.StudentNos[p.StudentNo] = p.AccountID
		}
		return nil
	})
	return ex, mapErr("import lookup", err)
}

// PupilByAccount implements directory.Store.
func (s *Store) PupilByAccount(ctx context.Context, accountID string) (directory.Pupil, error) {
	if err := directory.ValidateAccountID(accountID); err != nil {
		return directory.Pupil{}, err
	}
	p, err := scanPupil(s.pool.QueryRow(ctx, "SELECT "+pupilCols+" FROM pupils WHERE account_id = $1", accountID))
	return p, mapErr("pupil "+accountID, err)
}

// PupilsByAccounts implements directory.Store: one statement, the ids as one
// array parameter.
func (s *Store) PupilsByAccounts(ctx context.Context, schoolID string, accountIDs []string) ([]directory.Pupil, error) {
	if err := directory.ValidateAccountIDs(schoolID, accountIDs); err != nil {
		return nil, err
	}
	if len(accountIDs) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, "SELECT "+pupilCols+` FROM pupils
		WHERE account_id = ANY($1) AND school_id = $2 ORDER BY account_id`, accountIDs, schoolID)
	if err != nil {
		return nil, mapErr("pupils by accounts", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Pupil, error) { return scanPupil(r) })
	return out, mapErr("pupils by accounts", err)
}

// PupilByStudentNo implements directory.Store.
func (s *Store) PupilByStudentNo(ctx context.Context, schoolID, studentNo string) (directory.Pupil, error) {
	if err := errors.Join(directory.ValidateSchoolID(schoolID), directory.ValidateStudentNo(studentNo)); err != nil {
		return directory.Pupil{}, err
	}
	p, err := scanPupil(s.pool.QueryRow(ctx, "SELECT "+pupilCols+" FROM pupils WHERE school_id = $1 AND student_no = $2", schoolID, studentNo))
	return p, mapErr("pupil "+studentNo, err)
}

// ListPupils implements directory.Store.
func (s *Store) ListPupils(ctx context.Context, schoolID, classID, after string, limit int) ([]directory.Pupil, error) {
	if err := directory.ValidatePupilPage(schoolID, classID, after, limit); err != nil {
		return nil, err
	}
	q, args := "SELECT "+pupilCols+` FROM pupils
		WHERE school_id = $1 AND class_id = $2 AND student_no > $3 ORDER BY student_no LIMIT $4`, []any{schoolID, classID, after, limit}
	if classID == "" { // the whole school, on its (school_id, student_no) key
		q, args = "SELECT "+pupilCols+` FROM pupils
		WHERE school_id = $1 AND student_no > $2 ORDER BY student_no LIMIT $3`, []any{schoolID, after, limit}
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, mapErr("list pupils", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Pupil, error) { return scanPupil(r) })
	return out, mapErr("list pupils", err)
}
