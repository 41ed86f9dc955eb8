package access

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// staffHashWorkers bounds the password hashes of staff writes running at once,
// process-wide (each takes DefaultPasswordParams.MemoryKiB).
const staffHashWorkers = 2

// staffHashSlots bounds the hashing of StaffAccounts (process-wide, as the memory
// it guards).
var staffHashSlots = make(chan struct{}, staffHashWorkers)

// StaffAccounts are the staff-account use cases of the operator API (any school)
// and of the school's console (the caller's school): the checks, the password
// hash, the directory write and the end of the account's open sessions.
type StaffAccounts struct {
	Directory directory.Store
	// Sessions, when set, are revoked when an account changes.
	Sessions *Sessions
	Rand     io.Reader
	Logger   *slog.Logger
}

// StaffPut is a staff write. The password is kept only to be hashed: it is never
// logged, answered or put in an error.
type StaffPut struct {
	SchoolID, Username string
	// Role is "" when the caller named no known role; RoleName is how the caller
	// named it (for messages).
	Role     Role
	RoleName string
	ClassID  string
	// Password, when set, replaces the account's; a new account needs one.
	Password string
	Enabled  bool
	// Email (optional) is where notices to staff are e-mailed; a put replaces
	// the stored one (empty: none).
	Email string
}

// StaffAccount is an account as administrators see it: never its password hash.
type StaffAccount struct {
	ID, SchoolID, Username string
	Role                   Role
	ClassID                string
	Enabled                bool
	Email                  string
}

// PutByOperator creates or updates a staff account of an existing school (see
// put); the operator creates each school's first admin with it. A teacher's class
// must be of that school (NotFound CLASS_NOT_FOUND).
func (r StaffAccounts) PutByOperator(ctx context.Context, in StaffPut) (StaffAccount, error) {
	if err := checkStaffPut(in); err != nil {
		return StaffAccount{}, err
	}
	_, err := r.Directory.School(ctx, in.SchoolID)
	if errors.Is(err, directory.ErrNotFound) {
		return StaffAccount{}, reason.New(reason.KindNotFound, reason.SchoolNotFound, "school "+in.SchoolID+" not found")
	}
	if err != nil {
		return StaffAccount{}, err
	}
	unknownClass := reason.New(reason.KindNotFound, reason.ClassNotFound, "class "+in.ClassID+" not found in school "+in.SchoolID)
	return r.put(ctx, in, "", unknownClass, slog.String("by", "operator"))
}

// PutBySchoolAdmin creates or updates a staff account of the caller's school by
// the rules of PutByOperator (in.SchoolID is ignored). The school is always the
// caller's, so a username that exists in another school names a new account of
// this one and the other is not touched; a class of another school answers as an
// unknown one (ErrNotReachable). A caller cannot change their own role or disable
// themselves (FailedPrecondition SELF_LOCKOUT). School admins only.
func (r StaffAccounts) PutBySchoolAdmin(ctx context.Context, in StaffPut) (StaffAccount, error) {
	p, err := RequireStaff(ctx, RoleSchoolAdmin)
	if err != nil {
		return StaffAccount{}, err
	}
	in.SchoolID = p.SchoolID
	if err := checkStaffPut(in); err != nil {
		return StaffAccount{}, err
	}
	return r.put(ctx, in, p.SubjectID, ErrNotReachable, slog.String("by", p.SubjectID))
}

// checkStaffPut checks a staff write on its own (Invalid, nothing read or
// written): a school id of 5 digits; a username of 1..MaxStaffUsernameLen
// characters of [A-Za-z0-9_.-]; one of the four roles; a class id for a teacher
// and none for the other roles; a password, when given, that
// policy.ValidStaffPassword accepts.
func checkStaffPut(in StaffPut) error {
	if err := directory.ValidateSchoolID(in.SchoolID); err != nil {
		return invalidFromStore(err)
	}
	if !policy.ValidUsername(in.Username) {
		return reason.Invalid(reason.InvalidArgument, "username %q: want 1..%d characters of [A-Za-z0-9_.-]", in.Username, policy.MaxStaffUsernameLen)
	}
	switch {
	case !in.Role.Valid():
		return reason.Invalid(reason.InvalidArgument,
			"role %s: want STAFF_ROLE_SCHOOL_ADMIN, STAFF_ROLE_FINANCE, STAFF_ROLE_CANTEEN_MANAGER or STAFF_ROLE_TEACHER", in.RoleName)
	case in.Role == RoleTeacher && in.ClassID == "":
		return reason.New(reason.KindInvalid, reason.ClassIDRequired, "a teacher needs class_id: the class they teach")
	case in.Role == RoleTeacher:
		if err := directory.ValidateID("class", in.ClassID); err != nil {
			return invalidFromStore(err)
		}
	case in.ClassID != "":
		return reason.Invalid(reason.InvalidArgument, "class_id is only for teachers: leave it empty for role %s", in.RoleName)
	}
	if err := directory.ValidateEmail(in.Email); err != nil {
		return invalidFromStore(err)
	}
	if in.Password != "" && !policy.ValidStaffPassword(in.Password) {
		return reason.New(reason.KindInvalid, reason.InvalidPassword,
			fmt.Sprintf("password: want %d..%d characters (at most %d bytes of UTF-8)", policy.MinStaffPasswordLen, policy.MaxStaffPasswordLen, MaxPasswordLen))
	}
	return nil
}

// invalidFromStore turns a directory validation error into an Invalid error
// (anything else is returned as it is).
func invalidFromStore(err error) error {
	if errors.Is(err, directory.ErrInvalid) {
		return reason.New(reason.KindInvalid, reason.InvalidArgument, strings.TrimPrefix(err.Error(), directory.ErrInvalid.Error()+": "))
	}
	return err
}

// put creates or updates the account in.Username of school in.SchoolID (which
// exists) and answers it.
//
// The account is found by username: an existing one keeps its id and, when no
// password is given, its password hash; a new one gets the id
// st_<school>_<username> and needs a password (Invalid PASSWORD_REQUIRED). A
// password is hashed with DefaultPasswordParams. A teacher's class must be a
// class of the school: another school's class, or an unknown one, answers
// unknownClass. When self is set (the calling staff member's id), that caller
// cannot change their own role or disable themselves (FailedPrecondition
// SELF_LOCKOUT). attrs are added to the log line.
//
// Sessions: when an existing account is disabled, or gets another role, class,
// password or is enabled again, its open sessions end (Sessions.RevokeStaff) once
// before the write and once after it, so that neither a failed write nor a login
// running meanwhile leaves a session of the old account alive; a disabled
// account's sessions stay dead until it is enabled (and then only sessions opened
// after that live). A revocation that fails after the write answers Unavailable
// SESSIONS_NOT_ENDED: sending the same request again ends them.
func (r StaffAccounts) put(ctx context.Context, in StaffPut, self string, unknownClass error, attrs ...any) (StaffAccount, error) {
	if in.Role == RoleTeacher {
		_, err := r.Directory.Class(ctx, in.SchoolID, in.ClassID)
		if errors.Is(err, directory.ErrNotFound) {
			return StaffAccount{}, unknownClass
		}
		if err != nil {
			return StaffAccount{}, err
		}
	}
	u, old, exists, err := r.prepare(ctx, in, self)
	if err != nil {
		return StaffAccount{}, err
	}
	revoke := exists && r.Sessions != nil && (u.Status != directory.StaffActive || u.Status != old.Status ||
		u.Role != old.Role || u.ClassID != old.ClassID || u.PasswordHash != old.PasswordHash)
	if err := r.write(ctx, u, revoke, unknownClass); err != nil {
		return StaffAccount{}, err
	}
	r.logger().Info("staff account put", append([]any{slog.String("school", u.SchoolID), slog.String("staff", u.ID),
		slog.String("username", u.Username), slog.String("role", string(u.Role)), slog.String("class", u.ClassID),
		slog.String("status", string(u.Status)), slog.Bool("created", !exists), slog.Bool("password_set", in.Password != ""),
		slog.Bool("sessions_ended", revoke)}, attrs...)...)
	return staffAccount(u), nil
}

// prepare builds the account to write from in and the stored one (old, when it
// exists), with the password hashed.
func (r StaffAccounts) prepare(ctx context.Context, in StaffPut, self string) (u, old directory.StaffUser, exists bool, err error) {
	u = directory.StaffUser{
		ID: policy.StaffID(in.SchoolID, in.Username), SchoolID: in.SchoolID, Username: in.Username,
		Role: RoleToStored(in.Role), ClassID: in.ClassID, Status: directory.StaffDisabled, Email: in.Email,
	}
	if in.Enabled {
		u.Status = directory.StaffActive
	}
	old, err = r.Directory.StaffByUsername(ctx, in.SchoolID, in.Username)
	exists = err == nil
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return u, old, false, err
	}
	switch {
	case exists:
		u.ID, u.PasswordHash = old.ID, old.PasswordHash
		if self != "" && old.ID == self && (u.Role != old.Role || u.Status != directory.StaffActive) {
			return u, old, exists, reason.New(reason.KindFailedPrecondition, reason.SelfLockout,
				"you cannot change your own role or disable yourself: ask another school admin")
		}
	case in.Password == "":
		return u, old, exists, reason.New(reason.KindInvalid, reason.PasswordRequired, "a new account needs a password")
	default:
		// The id of a new account must be free: writing over an account of
		// another username (or school) would rename (or move) it.
		_, err := r.Directory.StaffByID(ctx, u.ID)
		if err == nil {
			return u, old, exists, reason.New(reason.KindAlreadyExists, reason.StaffIDTaken, "staff id "+u.ID+" is taken by another account")
		}
		if !errors.Is(err, directory.ErrNotFound) {
			return u, old, exists, err
		}
	}
	if in.Password != "" {
		if u.PasswordHash, err = r.hash(ctx, in.Password); err != nil {
			return u, old, exists, err
		}
	}
	if err := directory.ValidateStaff(&u); err != nil {
		return u, old, exists, invalidFromStore(err)
	}
	return u, old, exists, nil
}

// write stores u, ending its sessions before and after when revoke is set.
func (r StaffAccounts) write(ctx context.Context, u directory.StaffUser, revoke bool, unknownClass error) error {
	if revoke {
		if err := r.Sessions.RevokeStaff(ctx, u.ID, false); err != nil {
			return err
		}
	}
	err := r.Directory.PutStaff(ctx, u)
	switch {
	case errors.Is(err, directory.ErrNotFound): // the class was removed meanwhile
		return unknownClass
	case errors.Is(err, directory.ErrConflict): // the username was taken meanwhile
		return reason.New(reason.KindAborted, reason.StaffConflict, "the account "+u.Username+" was written meanwhile: retry")
	case err != nil:
		return err
	}
	if revoke {
		if err := r.Sessions.RevokeStaff(ctx, u.ID, u.Status == directory.StaffDisabled); err != nil {
			r.logger().Warn("staff sessions not ended", slog.String("staff", u.ID), slog.Any("error", err))
			return reason.New(reason.KindUnavailable, reason.SessionsNotEnded,
				"the account is saved but its open sessions could not be ended: send the same request again")
		}
	}
	return nil
}

// hash hashes a staff password within staffHashSlots.
func (r StaffAccounts) hash(ctx context.Context, password string) (string, error) {
	select {
	case staffHashSlots <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-staffHashSlots }()
	h, err := HashPassword(password, DefaultPasswordParams, r.Rand)
	if err != nil {
		return "", errors.New("access: staff password hash failed") // not err: it is not passed on
	}
	return h, nil
}

func (r StaffAccounts) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.Default()
	}
	return r.Logger
}

func staffAccount(u directory.StaffUser) StaffAccount {
	return StaffAccount{ID: u.ID, SchoolID: u.SchoolID, Username: u.Username, Role: RoleFromStored(u.Role),
		ClassID: u.ClassID, Enabled: u.Status == directory.StaffActive, Email: u.Email}
}

// Pages of ListBySchoolAdmin.
const (
	DefaultStaffPage = 50
	MaxStaffPage     = directory.MaxPage
)

// StaffPage is a page of staff accounts; Next is "" on the last page.
type StaffPage struct {
	Staff []StaffAccount
	Next  string
}

// ListBySchoolAdmin lists the staff accounts of the caller's school by
// username (size 0 means DefaultStaffPage; 1..MaxStaffPage), never a password
// hash. School admins only.
func (r StaffAccounts) ListBySchoolAdmin(ctx context.Context, size int, after string) (StaffPage, error) {
	p, err := RequireStaff(ctx, RoleSchoolAdmin)
	if err != nil {
		return StaffPage{}, err
	}
	if size == 0 {
		size = DefaultStaffPage
	}
	if size < 0 || size > MaxStaffPage {
		return StaffPage{}, reason.Invalid(reason.InvalidArgument, "page_size %d: want 0..%d", size, MaxStaffPage)
	}
	us, err := r.Directory.ListStaff(ctx, p.SchoolID, after, size)
	if err != nil {
		return StaffPage{}, invalidFromStore(err)
	}
	out := StaffPage{Staff: make([]StaffAccount, len(us))}
	for i, u := range us {
		out.Staff[i] = staffAccount(u)
	}
	if len(us) == size {
		out.Next = us[len(us)-1].Username
	}
	return out, nil
}
