package gateway

import (
	"context"
	cryptorand "crypto/rand"
	"log/slog"
	"time"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/catalog"
	"github.com/onecode/onecode/app/enrolment"
	"github.com/onecode/onecode/app/schools"

	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// Bounds of the operator API.
const (
	// MaxImportRows bounds the pupils of one ImportPupils call.
	MaxImportRows = enrolment.MaxImportRows
	// MaxRowErrors bounds the row errors answered by one ImportPupils call; the rest
	// are counted in a last RowError with row 0.
	MaxRowErrors = enrolment.MaxRowErrors
	// MaxLimitFen bounds every school limit (1,000,000.00 CNY).
	MaxLimitFen = schools.MaxLimitFen
	// MaxSubsidyFen bounds one subsidy (10,000.00 CNY).
	MaxSubsidyFen = schools.MaxSubsidyFen
	// MaxReasonLen bounds a subsidy reason, in characters.
	MaxReasonLen = schools.MaxReasonLen
	// MaxRequestIDLen bounds a request id, in bytes.
	MaxRequestIDLen = 64
	// TerminalSecretLen is the size of a terminal's device secret, in bytes.
	TerminalSecretLen = catalog.TerminalSecretLen
)

type adminService struct {
	apiv1.UnimplementedAdminServiceServer
	d       Deps
	schools *schools.Service
	catalog *catalog.Service
	enrol   *enrolment.Service
	staff   access.StaffAccounts
}

// NewAdminService returns the operator API on deps. Accounts, Directory and Keyring are
// required and IDHashKey must have at least 16 bytes (a wiring mistake panics at start);
// Now, Rand and Logger default to time.Now, crypto/rand and slog.Default. Rand must be
// safe for concurrent use.
func NewAdminService(deps Deps) apiv1.AdminServiceServer {
	switch {
	case deps.Accounts == nil || deps.Keyring == nil:
		panic("gateway: NewAdminService needs Accounts, Directory and Keyring")
	case len(deps.IDHashKey) < 16:
		panic("gateway: NewAdminService needs an IDHashKey of at least 16 bytes")
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Rand == nil {
		deps.Rand = cryptorand.Reader
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	enrol, err := deps.Enrolment()
	if err != nil {
		panic("gateway: NewAdminService: " + err.Error())
	}
	return &adminService{d: deps, schools: deps.Schools(), catalog: deps.Catalog(), enrol: enrol,
		staff: deps.StaffAccounts()}
}

// invalidArg is a request that breaks a rule of the API; nothing was changed.
func invalidArg(format string, args ...any) error {
	return ErrorStatus(reason.Invalid(reason.InvalidArgument, format, args...))
}

// PutSchool creates or updates a school and its default limits.
func (s *adminService) PutSchool(ctx context.Context, req *apiv1.PutSchoolRequest) (*apiv1.PutSchoolResponse, error) {
	p := req.GetSchool()
	if p == nil {
		return nil, invalidArg("school is required")
	}
	sc, err := s.schools.PutSchool(ctx, schools.School{
		ID: p.GetId(), Name: p.GetName(),
		SingleRechargeMax: p.GetSingleRechargeMaxFen(), BalanceCap: p.GetBalanceCapFen(),
		DailySpendCap: p.GetDailySpendCapFen(), ArrearsCap: p.GetArrearsCapFen(),
		VoidWindowSeconds: p.GetVoidWindowSeconds(),
	})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutSchoolResponse{School: schoolProto(sc)}, nil
}

func schoolProto(sc schools.School) *apiv1.School {
	return &apiv1.School{
		Id: sc.ID, Name: sc.Name,
		SingleRechargeMaxFen: sc.SingleRechargeMax, BalanceCapFen: sc.BalanceCap,
		DailySpendCapFen: sc.DailySpendCap, ArrearsCapFen: sc.ArrearsCap,
		VoidWindowSeconds: sc.VoidWindowSeconds,
	}
}

// PutClass creates or updates a class of an existing school.
func (s *adminService) PutClass(ctx context.Context, req *apiv1.PutClassRequest) (*apiv1.PutClassResponse, error) {
	p := req.GetClass()
	if p == nil {
		return nil, invalidArg("class is required")
	}
	c, err := s.schools.PutClass(ctx, schools.Class{SchoolID: p.GetSchoolId(), ID: p.GetId(), Name: p.GetName(), Grade: p.GetGrade()})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutClassResponse{Class: &apiv1.Class{SchoolId: c.SchoolID, Id: c.ID, Name: c.Name, Grade: c.Grade}}, nil
}

// GrantSubsidy credits a pupil's account from the school's subsidy fund, once per
// request id (schools.Service.GrantSubsidy).
func (s *adminService) GrantSubsidy(ctx context.Context, req *apiv1.GrantSubsidyRequest) (*apiv1.GrantSubsidyResponse, error) {
	g, err := s.schools.GrantSubsidy(ctx, schools.Subsidy{
		AccountID: req.GetAccountId(), AmountFen: req.GetAmountFen(), Reason: req.GetReason(), RequestID: req.GetRequestId(),
	})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.GrantSubsidyResponse{BalanceFen: g.BalanceFen, Replayed: g.Replayed}, nil
}

// GetAccount answers a pupil's account as staff see it (full name included).
func (s *adminService) GetAccount(ctx context.Context, req *apiv1.GetAccountRequest) (*apiv1.GetAccountResponse, error) {
	a, err := s.schools.Account(ctx, req.GetAccountId())
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.GetAccountResponse{
		AccountId: a.AccountID, SchoolId: a.SchoolID, StudentNo: a.StudentNo, Name: a.Name,
		BalanceFen: a.BalanceFen, CardState: a.CardState, CardGeneration: a.CardGeneration,
		DailySpendCapFen: a.DailySpendCapFen, ArrearsCapFen: a.ArrearsCapFen,
		SpentTodayFen: a.SpentTodayFen,
	}, nil
}
