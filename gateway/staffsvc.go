package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/onecode/onecode/app/workers"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
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
	err = workers.ForEach(ctx, len(pupils), openWorkers, func(ctx context.Context, i int) error {
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
