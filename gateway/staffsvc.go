package gateway

import (
	"context"
	"errors"
	"log/slog"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/catalog"
	"github.com/onecode/onecode/app/enrolment"
	"github.com/onecode/onecode/app/guardian"
	"github.com/onecode/onecode/app/history"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// Pages of StaffService.ListPupils and ListCanteenDishes.
const (
	DefaultPupilPage = enrolment.DefaultPupilPage
	MaxPupilPage     = enrolment.MaxPupilPage
	DefaultDishPage  = catalog.DefaultDishPage
	MaxDishPage      = catalog.MaxDishPage
)

// Roles of the staff console (a school admin passes every role check).
var (
	// rolesPupils see and act on pupils: finance the whole school, teachers
	// their class (CanStaffReachPupil).
	rolesPupils = []access.Role{access.RoleFinance, access.RoleTeacher}
	// rolesImport import pupils.
	rolesImport = []access.Role{access.RoleFinance}
	// rolesCanteen see canteen totals.
	rolesCanteen = []access.Role{access.RoleCanteenManager, access.RoleFinance}
	// rolesCanteenAdmin manage canteens, their terminals and dish catalogs
	// (and list the catalogs); finance and teachers do not.
	rolesCanteenAdmin = []access.Role{access.RoleCanteenManager}
)

// StaffService implements apiv1.StaffServiceServer: the school's PC console.
// Every call is scoped to the caller's school and role; a pupil, class or
// canteen out of reach answers exactly as an unknown one (ErrNotReachable).
type StaffService struct {
	apiv1.UnimplementedStaffServiceServer
	d         Deps
	enrol     *enrolment.Service
	catalog   *catalog.Service
	history   *history.Service
	staff     access.StaffAccounts
	guardians *guardian.Service
	// guardiansErr is why guardians could not be built (no cache, no ID hash key):
	// the guardianship calls answer it.
	guardiansErr error
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
	enrol, err := deps.Enrolment()
	if err != nil {
		return nil, err
	}
	s := &StaffService{d: deps, enrol: enrol, catalog: deps.Catalog(), history: deps.History(), staff: deps.StaffAccounts()}
	s.guardians, s.guardiansErr = deps.Guardians()
	return s, nil
}

// ListPupils implements apiv1.StaffServiceServer: pupils by student number, with
// balances. Without class_id, school admins and finance list the whole school and a
// teacher their class (enrolment.Service.ListPupils).
func (s *StaffService) ListPupils(ctx context.Context, req *apiv1.ListPupilsRequest) (*apiv1.ListPupilsResponse, error) {
	p, err := access.RequireStaff(ctx, rolesPupils...)
	if err != nil {
		return nil, err
	}
	page, err := s.enrol.ListPupils(ctx, staffReach(p), req.GetClassId(), int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &apiv1.ListPupilsResponse{Pupils: make([]*apiv1.Pupil, len(page.Pupils)), NextPageToken: page.Next}
	for i, v := range page.Pupils {
		out.Pupils[i] = pupilProto(v)
	}
	return out, nil
}

// staffReach is the reach of a staff member who passed access.RequireStaff(rolesPupils...):
// school admins and finance the whole school, a teacher their class.
func staffReach(p access.Principal) enrolment.Reach {
	return enrolment.Reach{SchoolID: p.SchoolID, ClassID: p.ClassID,
		WholeSchool: p.Role == access.RoleSchoolAdmin || p.Role == access.RoleFinance}
}

// reachPupil returns a pupil the caller may act on (enrolment.Reach); an unknown or
// foreign one is not found.
func (s *StaffService) reachPupil(ctx context.Context, accountID string) (enrolment.Pupil, error) {
	p, err := access.RequireStaff(ctx, rolesPupils...)
	if err != nil {
		return enrolment.Pupil{}, err
	}
	return s.enrol.ReachPupil(ctx, staffReach(p), accountID)
}

// pupilProto is a pupil as staff see it: full name, balance and card.
func pupilProto(v enrolment.PupilView) *apiv1.Pupil {
	return &apiv1.Pupil{AccountId: v.AccountID, StudentNo: v.StudentNo, Name: v.Name, ClassId: v.ClassID,
		BalanceFen: v.BalanceFen, CardState: v.CardState, CardGeneration: v.CardGeneration}
}

// GetPupil implements apiv1.StaffServiceServer.
func (s *StaffService) GetPupil(ctx context.Context, req *apiv1.GetPupilRequest) (*apiv1.GetPupilResponse, error) {
	p, err := access.RequireStaff(ctx, rolesPupils...)
	if err != nil {
		return nil, err
	}
	v, err := s.enrol.GetPupil(ctx, staffReach(p), req.GetAccountId())
	if err != nil {
		return nil, err
	}
	return &apiv1.GetPupilResponse{Pupil: pupilProto(v)}, nil
}
