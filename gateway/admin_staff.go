package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"unicode/utf8"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// Staff accounts.
const (
	// MaxStaffUsernameLen bounds a staff username (the directory's id charset,
	// [A-Za-z0-9_.-]), so that the id st_<school>_<username> of a new account
	// fits directory.MaxIDLen.
	MaxStaffUsernameLen = directory.MaxIDLen - len("st_00000_")
	// MinStaffPasswordLen and MaxStaffPasswordLen bound a new staff password, in
	// characters (and it must fit MaxPasswordLen bytes, which a login accepts).
	MinStaffPasswordLen, MaxStaffPasswordLen = 10, 128
	// staffHashWorkers bounds the password hashes of staff writes running at
	// once (each takes DefaultPasswordParams.MemoryKiB).
	staffHashWorkers = 2
)

// staffHashSlots bounds the hashing of staffAccounts (process-wide).
var staffHashSlots = make(chan struct{}, staffHashWorkers)

// StaffID is the id of a new staff account: st_<school>_<username>.
func StaffID(schoolID, username string) string {
	return "st_" + schoolID + "_" + username
}

// PutStaffUser creates or updates a staff account of an existing school (see
// staffAccounts.put); the operator creates each school's first admin with it.
// A teacher's class must be of that school (NotFound CLASS_NOT_FOUND).
func (s *adminService) PutStaffUser(ctx context.Context, req *apiv1.PutStaffUserRequest) (*apiv1.PutStaffUserResponse, error) {
	in, err := checkStaffPut(req.GetSchoolId(), req.GetUsername(), req.GetRole(), req.GetClassId(), req.GetPassword(), req.GetEnabled())
	if err != nil {
		return nil, err
	}
	if _, err := s.school(ctx, in.schoolID); err != nil {
		return nil, err
	}
	unknownClass := Status(codes.NotFound, "CLASS_NOT_FOUND", "class "+in.classID+" not found in school "+in.schoolID)
	u, err := staffAccounts{d: s.d}.put(ctx, in, "", unknownClass, slog.String("by", "operator"))
	if err != nil {
		return nil, err
	}
	return &apiv1.PutStaffUserResponse{Staff: u}, nil
}

// staffAccounts are the staff-account rules shared by the operator API
// (AdminService.PutStaffUser, any school) and the school's console
// (StaffService.PutSchoolStaff, the caller's school), as canteenRules and
// pupilImporter share theirs: the checks, the password hash, the directory
// write and the end of the account's open sessions. Which school a caller may
// write is the caller's business, settled before these run.
type staffAccounts struct {
	d Deps
}

// staffPut is a checked staff write (checkStaffPut). The password is kept only
// to be hashed: it is never logged, answered or put in an error.
type staffPut struct {
	schoolID, username, classID, password string
	role                                  directory.StaffRole
	enabled                               bool
}

// checkStaffPut checks a staff write on its own (InvalidArgument, nothing read
// or written): a username of 1..MaxStaffUsernameLen characters of
// [A-Za-z0-9_.-]; one of the four roles; a class id for a teacher and none for
// the other roles; a password, when given, of MinStaffPasswordLen..
// MaxStaffPasswordLen characters of valid UTF-8 within MaxPasswordLen bytes.
func checkStaffPut(schoolID, username string, role apiv1.StaffRole, classID, password string, enabled bool) (staffPut, error) {
	in := staffPut{schoolID: schoolID, username: username, classID: classID, password: password, role: RoleToDirectory(role), enabled: enabled}
	if err := directory.ValidateSchoolID(schoolID); err != nil {
		return in, validationStatus(err)
	}
	if directory.ValidateID("username", username) != nil || len(username) > MaxStaffUsernameLen {
		return in, invalidArg("username %q: want 1..%d characters of [A-Za-z0-9_.-]", username, MaxStaffUsernameLen)
	}
	switch {
	case in.role == "":
		return in, invalidArg("role %v: want STAFF_ROLE_SCHOOL_ADMIN, STAFF_ROLE_FINANCE, STAFF_ROLE_CANTEEN_MANAGER or STAFF_ROLE_TEACHER", role)
	case in.role == directory.RoleTeacher && classID == "":
		return in, Status(codes.InvalidArgument, "CLASS_ID_REQUIRED", "a teacher needs class_id: the class they teach")
	case in.role == directory.RoleTeacher:
		if err := directory.ValidateID("class", classID); err != nil {
			return in, validationStatus(err)
		}
	case classID != "":
		return in, invalidArg("class_id is only for teachers: leave it empty for role %v", role)
	}
	if password != "" {
		n := utf8.RuneCountInString(password)
		if !utf8.ValidString(password) || n < MinStaffPasswordLen || n > MaxStaffPasswordLen || len(password) > MaxPasswordLen {
			return in, Status(codes.InvalidArgument, "INVALID_PASSWORD",
				fmt.Sprintf("password: want %d..%d characters (at most %d bytes of UTF-8)", MinStaffPasswordLen, MaxStaffPasswordLen, MaxPasswordLen))
		}
	}
	return in, nil
}

// put creates or updates the account in.username of school in.schoolID (which
// exists) and answers it.
//
// The account is found by username: an existing one keeps its id and, when no
// password is given, its password hash; a new one gets the id
// st_<school>_<username> and needs a password (InvalidArgument
// PASSWORD_REQUIRED). A password is hashed with DefaultPasswordParams. A
// teacher's class must be a class of the school: another school's class, or an
// unknown one, answers unknownClass. When self is set (the calling staff
// member's id), that caller cannot change their own role or disable
// themselves (FailedPrecondition SELF_LOCKOUT). attrs are added to the log line.
//
// Sessions: when an existing account is disabled, or gets another role, class,
// password or is enabled again, its open sessions end (Sessions.RevokeStaff)
// once before the write and once after it, so that neither a failed write nor
// a login running meanwhile leaves a session of the old account alive; a
// disabled account's sessions stay dead until it is enabled (and then only
// sessions opened after that live). A revocation that fails after the write
// answers Unavailable SESSIONS_NOT_ENDED: sending the same request again ends
// them.
func (r staffAccounts) put(ctx context.Context, in staffPut, self string, unknownClass error, attrs ...any) (*apiv1.StaffUser, error) {
	if in.role == directory.RoleTeacher {
		_, err := r.d.Directory.Class(ctx, in.schoolID, in.classID)
		if errors.Is(err, directory.ErrNotFound) {
			return nil, unknownClass
		}
		if err != nil {
			return nil, ErrorStatus(err)
		}
	}
	u := directory.StaffUser{
		ID: StaffID(in.schoolID, in.username), SchoolID: in.schoolID, Username: in.username,
		Role: in.role, ClassID: in.classID, Status: directory.StaffDisabled,
	}
	if in.enabled {
		u.Status = directory.StaffActive
	}
	old, err := r.d.Directory.StaffByUsername(ctx, in.schoolID, in.username)
	exists := err == nil
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return nil, ErrorStatus(err)
	}
	switch {
	case exists:
		u.ID, u.PasswordHash = old.ID, old.PasswordHash
		if self != "" && old.ID == self && (u.Role != old.Role || u.Status != directory.StaffActive) {
			return nil, Status(codes.FailedPrecondition, "SELF_LOCKOUT", "you cannot change your own role or disable yourself: ask another school admin")
		}
	case in.password == "":
		return nil, Status(codes.InvalidArgument, "PASSWORD_REQUIRED", "a new account needs a password")
	default:
		// The id of a new account must be free: writing over an account of
		// another username (or school) would rename (or move) it.
		_, err := r.d.Directory.StaffByID(ctx, u.ID)
		if err == nil {
			return nil, Status(codes.AlreadyExists, "STAFF_ID_TAKEN", "staff id "+u.ID+" is taken by another account")
		}
		if !errors.Is(err, directory.ErrNotFound) {
			return nil, ErrorStatus(err)
		}
	}
	if in.password != "" {
		if u.PasswordHash, err = r.hash(ctx, in.password); err != nil {
			return nil, err
		}
	}
	if err := directory.ValidateStaff(&u); err != nil {
		return nil, validationStatus(err)
	}
	revoke := exists && r.d.Sessions != nil && (u.Status != directory.StaffActive || u.Status != old.Status ||
		u.Role != old.Role || u.ClassID != old.ClassID || u.PasswordHash != old.PasswordHash)
	if revoke {
		if err := r.d.Sessions.RevokeStaff(ctx, u.ID, false); err != nil {
			return nil, ErrorStatus(err)
		}
	}
	err = r.d.Directory.PutStaff(ctx, u)
	switch {
	case errors.Is(err, directory.ErrNotFound): // the class was removed meanwhile
		return nil, unknownClass
	case errors.Is(err, directory.ErrConflict): // the username was taken meanwhile
		return nil, Status(codes.Aborted, "STAFF_CONFLICT", "the account "+in.username+" was written meanwhile: retry")
	case err != nil:
		return nil, ErrorStatus(err)
	}
	if revoke {
		if err := r.d.Sessions.RevokeStaff(ctx, u.ID, u.Status == directory.StaffDisabled); err != nil {
			r.d.Logger.Warn("staff sessions not ended", slog.String("staff", u.ID), slog.Any("error", err))
			return nil, Status(codes.Unavailable, "SESSIONS_NOT_ENDED",
				"the account is saved but its open sessions could not be ended: send the same request again")
		}
	}
	r.d.Logger.Info("staff account put", append([]any{slog.String("school", u.SchoolID), slog.String("staff", u.ID),
		slog.String("username", u.Username), slog.String("role", string(u.Role)), slog.String("class", u.ClassID),
		slog.String("status", string(u.Status)), slog.Bool("created", !exists), slog.Bool("password_set", in.password != ""),
		slog.Bool("sessions_ended", revoke)}, attrs...)...)
	return staffUserProto(u), nil
}

// hash hashes a staff password within staffHashSlots.
func (r staffAccounts) hash(ctx context.Context, password string) (string, error) {
	select {
	case staffHashSlots <- struct{}{}:
	case <-ctx.Done():
		return "", ErrorStatus(ctx.Err())
	}
	defer func() { <-staffHashSlots }()
	h, err := HashPassword(password, DefaultPasswordParams, r.d.Rand)
	if err != nil {
		return "", ErrorStatus(errors.New("gateway: staff password hash failed")) // not err: it is not passed on
	}
	return h, nil
}

// staffUserProto is an account as administrators see it: never its password
// hash.
func staffUserProto(u directory.StaffUser) *apiv1.StaffUser {
	return &apiv1.StaffUser{StaffId: u.ID, SchoolId: u.SchoolID, Username: u.Username, Role: RoleFromDirectory(u.Role),
		ClassId: u.ClassID, Enabled: u.Status == directory.StaffActive}
}
