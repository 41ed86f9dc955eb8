package pgdirectory

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/directory"
)

const staffCols = "id, school_id, username, password_hash, role, COALESCE(class_id, ''), status, created_at, email"

func scanStaff(row pgx.Row) (directory.StaffUser, error) {
	var u directory.StaffUser
	err := row.Scan(&u.ID, &u.SchoolID, &u.Username, &u.PasswordHash, &u.Role, &u.ClassID, &u.Status, &u.CreatedAt, &u.Email)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// nullable stores "" as NULL.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// PutStaff implements directory.Store.
func (s *Store) PutStaff(ctx context.Context, u directory.StaffUser) error {
	if err := directory.ValidateStaff(&u); err != nil {
		return err
	}
	tag, err := s.exec(ctx, "put staff "+u.ID, `
		INSERT INTO staff (id, school_id, username, password_hash, role, class_id, status, created_at, email)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO UPDATE SET username = excluded.username, password_hash = excluded.password_hash,
			role = excluded.role, class_id = excluded.class_id, status = excluded.status, email = excluded.email
		WHERE staff.school_id = excluded.school_id`,
		u.ID, u.SchoolID, u.Username, u.PasswordHash, u.Role, nullable(u.ClassID), u.Status, s.clock(), u.Email)
	if err == nil && tag.RowsAffected() != 1 {
		err = fmt.Errorf("%w: staff %q is of another school", directory.ErrConflict, u.ID)
	}
	return err
}

// StaffByUsername implements directory.Store.
func (s *Store) StaffByUsername(ctx context.Context, schoolID, username string) (directory.StaffUser, error) {
	if err := errors.Join(directory.ValidateSchoolID(schoolID), directory.ValidateID("username", username)); err != nil {
		return directory.StaffUser{}, err
	}
	u, err := scanStaff(s.pool.QueryRow(ctx, "SELECT "+staffCols+" FROM staff WHERE school_id = $1 AND username = $2", schoolID, username))
	return u, mapErr("staff "+username, err)
}

// StaffByID implements directory.Store.
func (s *Store) StaffByID(ctx context.Context, id string) (directory.StaffUser, error) {
	if err := directory.ValidateID("staff", id); err != nil {
		return directory.StaffUser{}, err
	}
	u, err := scanStaff(s.pool.QueryRow(ctx, "SELECT "+staffCols+" FROM staff WHERE id = $1", id))
	return u, mapErr("staff "+id, err)
}

const parentCols = "id, phone_hash, phone_masked, phone_sealed, created_at"

func scanParent(row pgx.Row) (directory.Parent, error) {
	var p directory.Parent
	err := row.Scan(&p.ID, &p.PhoneHash, &p.PhoneMasked, &p.PhoneSealed, &p.CreatedAt)
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

// PutParent implements directory.Store.
func (s *Store) PutParent(ctx context.Context, p directory.Parent) (directory.Parent, error) {
	if err := directory.ValidateParent(&p); err != nil {
		return directory.Parent{}, err
	}
	if _, err := s.exec(ctx, "put parent "+p.ID, `INSERT INTO parents (`+parentCols+`) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (phone_hash) DO UPDATE SET phone_sealed = EXCLUDED.phone_sealed WHERE EXCLUDED.phone_sealed <> ''`,
		p.ID, p.PhoneHash, p.PhoneMasked, p.PhoneSealed, s.clock()); err != nil {
		return directory.Parent{}, err
	}
	return s.ParentByPhoneHash(ctx, p.PhoneHash)
}

// ParentByPhoneHash implements directory.Store.
func (s *Store) ParentByPhoneHash(ctx context.Context, phoneHash []byte) (directory.Parent, error) {
	if err := directory.ValidatePhoneHash(phoneHash); err != nil {
		return directory.Parent{}, err
	}
	p, err := scanParent(s.pool.QueryRow(ctx, "SELECT "+parentCols+" FROM parents WHERE phone_hash = $1", phoneHash))
	return p, mapErr("parent by phone", err)
}

// ParentByID implements directory.Store.
func (s *Store) ParentByID(ctx context.Context, id string) (directory.Parent, error) {
	if err := directory.ValidateID("parent", id); err != nil {
		return directory.Parent{}, err
	}
	p, err := scanParent(s.pool.QueryRow(ctx, "SELECT "+parentCols+" FROM parents WHERE id = $1", id))
	return p, mapErr("parent "+id, err)
}

// Bind implements directory.Store (BindGuardian without proof or notice).
func (s *Store) Bind(ctx context.Context, g directory.Guardianship) error {
	_, err := s.BindGuardian(ctx, g, directory.BindOptions{})
	return err
}

func (s *Store) guardianships(ctx context.Context, where string, arg string, limit int) ([]directory.Guardianship, error) {
	rows, err := s.pool.Query(ctx, `SELECT parent_id, account_id, relation, created_at FROM guardianships
		WHERE `+where+` = $1 ORDER BY created_at, parent_id, account_id LIMIT $2`, arg, limit)
	if err != nil {
		return nil, mapErr("guardianships", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Guardianship, error) {
		var g directory.Guardianship
		err := r.Scan(&g.ParentID, &g.AccountID, &g.Relation, &g.CreatedAt)
		g.CreatedAt = g.CreatedAt.UTC()
		return g, err
	})
	return out, mapErr("guardianships", err)
}

// Guardians implements directory.Store.
func (s *Store) Guardians(ctx context.Context, accountID string) ([]directory.Guardianship, error) {
	if err := directory.ValidateAccountID(accountID); err != nil {
		return nil, err
	}
	return s.guardianships(ctx, "account_id", accountID, directory.MaxGuardians)
}

// GuardianParents implements directory.Store.
func (s *Store) GuardianParents(ctx context.Context, accountID string) ([]directory.Parent, error) {
	if err := directory.ValidateAccountID(accountID); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT p.id, p.phone_hash, p.phone_masked, p.phone_sealed, p.created_at
		FROM guardianships g JOIN parents p ON p.id = g.parent_id
		WHERE g.account_id = $1 ORDER BY g.created_at, g.parent_id LIMIT $2`, accountID, directory.MaxGuardians)
	if err != nil {
		return nil, mapErr("guardian parents", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Parent, error) { return scanParent(r) })
	return out, mapErr("guardian parents", err)
}

// ChildrenOf implements directory.Store.
func (s *Store) ChildrenOf(ctx context.Context, parentID string) ([]directory.Guardianship, error) {
	if err := directory.ValidateID("parent", parentID); err != nil {
		return nil, err
	}
	return s.guardianships(ctx, "parent_id", parentID, directory.MaxChildren)
}

// IsGuardian implements directory.Store.
func (s *Store) IsGuardian(ctx context.Context, parentID, accountID string) (bool, error) {
	if err := errors.Join(directory.ValidateID("parent", parentID), directory.ValidateAccountID(accountID)); err != nil {
		return false, err
	}
	var ok bool
	err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM guardianships WHERE parent_id = $1 AND account_id = $2)", parentID, accountID).Scan(&ok)
	return ok, mapErr("is guardian", err)
}

// GuardedPupil implements directory.Store.
func (s *Store) GuardedPupil(ctx context.Context, parentID, accountID string) (directory.Pupil, error) {
	if err := errors.Join(directory.ValidateID("parent", parentID), directory.ValidateAccountID(accountID)); err != nil {
		return directory.Pupil{}, err
	}
	p, err := scanPupil(s.pool.QueryRow(ctx, "SELECT "+pupilCols+` FROM pupils WHERE account_id = $2
		AND EXISTS (SELECT 1 FROM guardianships WHERE parent_id = $1 AND account_id = $2)`, parentID, accountID))
	return p, mapErr("guarded pupil", err)
}

// ListStaff implements directory.Store (byte-wise order, as SQLite).
func (s *Store) ListStaff(ctx context.Context, schoolID, after string, limit int) ([]directory.StaffUser, error) {
	if err := directory.ValidateIDPage("school", schoolID, after, limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+staffCols+` FROM staff
		WHERE school_id = $1 AND username COLLATE "C" > $2 ORDER BY username COLLATE "C" LIMIT $3`, schoolID, after, limit)
	if err != nil {
		return nil, mapErr("list staff", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.StaffUser, error) { return scanStaff(r) })
	return out, mapErr("list staff", err)
}
