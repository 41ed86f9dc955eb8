package gateway

import (
	"context"
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/onecode/onecode/app/enrolment"
	"github.com/onecode/onecode/app/input"

	"github.com/onecode/onecode/domain/reason"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Bounds of the operator API.
const (
	// MaxImportRows bounds the pupils of one ImportPupils call.
	MaxImportRows = enrolment.MaxImportRows
	// MaxRowErrors bounds the row errors answered by one ImportPupils call; the rest
	// are counted in a last RowError with row 0.
	MaxRowErrors = enrolment.MaxRowErrors
	// MaxLimitFen bounds every school limit (1,000,000.00 CNY).
	MaxLimitFen = 100_000_000
	// MaxSubsidyFen bounds one subsidy (10,000.00 CNY).
	MaxSubsidyFen = 1_000_000
	// MaxReasonLen bounds a subsidy reason, in characters.
	MaxReasonLen = 128
	// MaxRequestIDLen bounds a request id, in bytes.
	MaxRequestIDLen = 64
	// TerminalSecretLen is the size of a terminal's device secret, in bytes.
	TerminalSecretLen = 32
	// openWorkers bounds the accounts one call opens (or looks up) at once.
	openWorkers = 8
)

type adminService struct {
	apiv1.UnimplementedAdminServiceServer
	d     Deps
	enrol *enrolment.Service
}

// NewAdminService returns the operator API on deps. Accounts, Directory and Keyring are
// required and IDHashKey must have at least 16 bytes (a wiring mistake panics at start);
// Now, Rand and Logger default to time.Now, crypto/rand and slog.Default. Rand must be
// safe for concurrent use.
func NewAdminService(deps Deps) apiv1.AdminServiceServer {
	switch {
	case deps.Accounts == nil || deps.Directory == nil || deps.Keyring == nil:
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
	enrol, err := newEnrolment(deps)
	if err != nil {
		panic("gateway: NewAdminService: " + err.Error())
	}
	return &adminService{d: deps, enrol: enrol}
}

// invalidArg is a request that breaks a rule of the API; nothing was changed.
func invalidArg(format string, args ...any) error {
	return Status(codes.InvalidArgument, "INVALID_ARGUMENT", fmt.Sprintf(format, args...))
}

// validationStatus turns a directory validation error into an InvalidArgument status
// (and anything else through ErrorStatus).
func validationStatus(err error) error {
	if errors.Is(err, directory.ErrInvalid) {
		return Status(codes.InvalidArgument, "INVALID_ARGUMENT", strings.TrimPrefix(err.Error(), directory.ErrInvalid.Error()+": "))
	}
	return ErrorStatus(err)
}

// school reads a school, answering NotFound with a clear message.
func (s *adminService) school(ctx context.Context, id string) (directory.School, error) {
	if err := directory.ValidateSchoolID(id); err != nil {
		return directory.School{}, validationStatus(err)
	}
	sc, err := s.d.Directory.School(ctx, id)
	if errors.Is(err, directory.ErrNotFound) {
		return sc, Status(codes.NotFound, "SCHOOL_NOT_FOUND", "school "+id+" not found")
	}
	if err != nil {
		return sc, ErrorStatus(err)
	}
	return sc, nil
}

// canteen reads a canteen, answering NotFound with a clear message.
func (s *adminService) canteen(ctx context.Context, id string) (directory.Canteen, error) {
	if err := directory.ValidateID("canteen", id); err != nil {
		return directory.Canteen{}, validationStatus(err)
	}
	c, err := s.d.Directory.Canteen(ctx, id)
	if errors.Is(err, directory.ErrNotFound) {
		return c, Status(codes.NotFound, "CANTEEN_NOT_FOUND", "canteen "+id+" not found")
	}
	if err != nil {
		return c, ErrorStatus(err)
	}
	return c, nil
}

// PutSchool creates or updates a school and its default limits.
func (s *adminService) PutSchool(ctx context.Context, req *apiv1.PutSchoolRequest) (*apiv1.PutSchoolResponse, error) {
	p := req.GetSchool()
	if p == nil {
		return nil, invalidArg("school is required")
	}
	sc := directory.School{
		ID: p.GetId(), Name: strings.TrimSpace(p.GetName()),
		SingleRechargeMax: p.GetSingleRechargeMaxFen(), BalanceCap: p.GetBalanceCapFen(),
		DailySpendCap: p.GetDailySpendCapFen(), ArrearsCap: p.GetArrearsCapFen(),
		VoidWindowSeconds: p.GetVoidWindowSeconds(),
	}
	if err := directory.ValidateSchool(&sc); err != nil {
		return nil, validationStatus(err)
	}
	for _, l := range []int64{sc.SingleRechargeMax, sc.BalanceCap, sc.DailySpendCap, sc.ArrearsCap} {
		if l > MaxLimitFen {
			return nil, invalidArg("school %s: limit %d fen above %d", sc.ID, l, MaxLimitFen)
		}
	}
	if err := s.d.Directory.PutSchool(ctx, sc); err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutSchoolResponse{School: schoolProto(sc)}, nil
}

func schoolProto(sc directory.School) *apiv1.School {
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
	c := directory.Class{SchoolID: p.GetSchoolId(), ID: p.GetId(), Name: strings.TrimSpace(p.GetName()), Grade: p.GetGrade()}
	if err := directory.ValidateClass(&c); err != nil {
		return nil, validationStatus(err)
	}
	if _, err := s.school(ctx, c.SchoolID); err != nil {
		return nil, err
	}
	if err := s.d.Directory.PutClass(ctx, c); err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutClassResponse{Class: &apiv1.Class{SchoolId: c.SchoolID, Id: c.ID, Name: c.Name, Grade: c.Grade}}, nil
}

// GrantSubsidy credits a pupil's account from the school's subsidy fund, once per
// request id (idempotency key "subsidy:<request_id>").
func (s *adminService) GrantSubsidy(ctx context.Context, req *apiv1.GrantSubsidyRequest) (*apiv1.GrantSubsidyResponse, error) {
	if err := directory.ValidateAccountID(req.GetAccountId()); err != nil {
		return nil, validationStatus(err)
	}
	if a := req.GetAmountFen(); a <= 0 || a > MaxSubsidyFen {
		return nil, invalidArg("amount %d fen, want 1..%d", a, MaxSubsidyFen)
	}
	subsidyReason := strings.TrimSpace(req.GetReason())
	if err := input.CheckText("reason", subsidyReason, MaxReasonLen); err != nil {
		return nil, err
	}
	if err := input.CheckRequestID(req.GetRequestId()); err != nil {
		return nil, err
	}
	if _, err := s.pupil(ctx, req.GetAccountId()); err != nil {
		return nil, err
	}
	resp, err := s.d.Accounts.Execute(ctx, req.GetAccountId(), &grainv1.ExecuteRequest{
		IdemKey: "subsidy:" + req.GetRequestId(),
		Command: &grainv1.ExecuteRequest_GrantSubsidy{GrantSubsidy: &grainv1.GrantSubsidyCommand{
			AmountFen: req.GetAmountFen(), Reason: subsidyReason,
		}},
	})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	if d := resp.GetDeclined(); d != nil {
		return nil, DeclineStatus(reason.Code(d.GetReason()), d.GetMessage())
	}
	a := resp.GetAccepted()
	return &apiv1.GrantSubsidyResponse{BalanceFen: a.GetBalanceFen(), Replayed: a.GetReplayed()}, nil
}

// GetAccount answers a pupil's account as staff see it (full name included).
func (s *adminService) GetAccount(ctx context.Context, req *apiv1.GetAccountRequest) (*apiv1.GetAccountResponse, error) {
	if err := directory.ValidateAccountID(req.GetAccountId()); err != nil {
		return nil, validationStatus(err)
	}
	p, err := s.pupil(ctx, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	st, err := s.d.Accounts.State(ctx, p.AccountID)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	if !st.GetOpened() {
		return nil, DeclineStatus("ACCOUNT_NOT_OPENED", "the account of this pupil is not opened yet: run the import again")
	}
	return &apiv1.GetAccountResponse{
		AccountId: p.AccountID, SchoolId: p.SchoolID, StudentNo: p.StudentNo, Name: p.Name,
		BalanceFen: st.GetBalanceFen(), CardState: st.GetCardState(), CardGeneration: int64(st.GetCardGeneration()),
		DailySpendCapFen: st.GetLimits().GetDailySpendCapFen(), ArrearsCapFen: st.GetLimits().GetArrearsCapFen(),
		SpentTodayFen: st.GetSpentTodayFen(),
	}, nil
}

func (s *adminService) pupil(ctx context.Context, accountID string) (directory.Pupil, error) {
	p, err := s.d.Directory.PupilByAccount(ctx, accountID)
	if errors.Is(err, directory.ErrNotFound) {
		return p, Status(codes.NotFound, "ACCOUNT_NOT_FOUND", "no pupil has account "+accountID)
	}
	if err != nil {
		return p, ErrorStatus(err)
	}
	return p, nil
}
