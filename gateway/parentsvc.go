package gateway

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/app/workers"

	"github.com/onecode/onecode/domain/reason"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

var _ RechargeDesk = (*Recharges)(nil)

// Binding (seed 1 §4.1): FindChild answers masked details and a ticket that
// BindChild redeems once.
const (
	// BindTicketTTL is how long a FindChild ticket may be redeemed.
	BindTicketTTL   = 5 * time.Minute
	bindTicketBytes = 16
	// DefaultRelation is the relation of a binding that names none.
	DefaultRelation = "guardian"
	// MaxDailyCapFen bounds the daily cap a parent sets (= MaxLimitFen).
	MaxDailyCapFen = MaxLimitFen
)

// Default rate limits of FindChild: per parent, and per client address (higher,
// as mobile networks put many parents behind one address).
var (
	DefaultFindChildPerParent = cache.Limit{Rate: 10, Burst: 10, Period: time.Hour}
	DefaultFindChildPerAddr   = cache.Limit{Rate: 60, Burst: 20, Period: time.Hour}
)

var (
	// errChildNotFound is every FindChild miss: unknown school or student
	// number, another name, another ID number, a pupil who left. It never says
	// which field was wrong.
	errChildNotFound = Status(codes.NotFound, "CHILD_NOT_FOUND",
		"no pupil matches these details: check them, or ask the school to import the pupil again")
	errBindTicket = Status(codes.FailedPrecondition, "BIND_TICKET_INVALID",
		"the binding ticket is unknown, used or expired: find the child again")
	errRechargeNotFound = Status(codes.NotFound, ReasonRechargeNotFound, "no such recharge")
	errRechargeDisabled = Status(codes.Unavailable, "RECHARGE_DISABLED", "online recharge is not configured")
)

// ParentService implements apiv1.ParentServiceServer: what a logged-in parent
// does on the phone page. Every call about a child first checks that the child
// is bound to the caller (RequireGuardian); a child of another family answers
// exactly as an unknown one. Parents see names masked.
type ParentService struct {
	apiv1.UnimplementedParentServiceServer
	d         Deps
	recharges RechargeDesk
	// PerParent and PerAddr rate-limit FindChild; set before serving.
	PerParent, PerAddr cache.Limit
}

var _ apiv1.ParentServiceServer = (*ParentService)(nil)

// NewParentService returns the ParentService. It needs deps.Accounts,
// Directory, Journal, Cache, IDHashKey (≥ 16 bytes), Now and Rand; Logger
// defaults to slog.Default. recharges may be nil: CreateRecharge and
// GetRecharge then answer Unavailable RECHARGE_DISABLED.
func NewParentService(deps Deps, recharges RechargeDesk) (*ParentService, error) {
	switch {
	case deps.Accounts == nil || deps.Directory == nil || deps.Journal == nil || deps.Cache == nil:
		return nil, errors.New("gateway: the parent service needs Accounts, Directory, Journal and Cache")
	case len(deps.IDHashKey) < 16:
		return nil, errors.New("gateway: the parent service needs an IDHashKey of at least 16 bytes")
	case deps.Now == nil || deps.Rand == nil:
		return nil, errors.New("gateway: the parent service needs Now and Rand")
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if r, ok := recharges.(*Recharges); ok && r == nil {
		recharges = nil
	}
	return &ParentService{d: deps, recharges: recharges, PerParent: DefaultFindChildPerParent, PerAddr: DefaultFindChildPerAddr}, nil
}

// ListChildren implements apiv1.ParentServiceServer.
func (s *ParentService) ListChildren(ctx context.Context, _ *apiv1.ListChildrenRequest) (*apiv1.ListChildrenResponse, error) {
	p, err := RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	bindings, err := s.d.Directory.ChildrenOf(ctx, p.SubjectID)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	out := make([]*apiv1.Child, len(bindings))
	err = workers.ForEach(ctx, len(bindings), openWorkers, func(ctx context.Context, i int) error {
		pupil, err := s.d.Directory.PupilByAccount(ctx, bindings[i].AccountID)
		if err != nil {
			return ErrorStatus(err)
		}
		out[i], err = s.child(ctx, pupil)
		return err
	})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.ListChildrenResponse{Children: out}, nil
}

// GetChild implements apiv1.ParentServiceServer.
func (s *ParentService) GetChild(ctx context.Context, req *apiv1.GetChildRequest) (*apiv1.GetChildResponse, error) {
	pupil, err := s.guardedPupil(ctx, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	c, err := s.child(ctx, pupil)
	if err != nil {
		return nil, err
	}
	return &apiv1.GetChildResponse{Child: c}, nil
}

// ListHistory implements apiv1.ParentServiceServer: itemised history, newest
// first (see renderHistory).
func (s *ParentService) ListHistory(ctx context.Context, req *apiv1.ListHistoryRequest) (*apiv1.ListHistoryResponse, error) {
	if _, err := RequireGuardian(ctx, s.d.Directory, req.GetAccountId()); err != nil {
		return nil, err
	}
	lines, next, err := renderHistory(ctx, s.d, req.GetAccountId(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &apiv1.ListHistoryResponse{Lines: lines, NextPageToken: next}, nil
}

// ReportLoss implements apiv1.ParentServiceServer: the card stops at once; the
// same request id answers the first report again.
func (s *ParentService) ReportLoss(ctx context.Context, req *apiv1.ReportLossRequest) (*apiv1.ReportLossResponse, error) {
	if _, err := RequireGuardian(ctx, s.d.Directory, req.GetAccountId()); err != nil {
		return nil, err
	}
	if err := input.CheckRequestID(req.GetRequestId()); err != nil {
		return nil, err
	}
	gen, err := reportLoss(ctx, s.d, req.GetAccountId(), "parent", req.GetRequestId())
	if err != nil {
		return nil, err
	}
	return &apiv1.ReportLossResponse{CardState: "lost", CardGeneration: gen}, nil
}

// reportLoss runs the loss report of by ("parent" or "staff") under the key
// "loss:<by>:<request id>" and answers the card generation after it.
func reportLoss(ctx context.Context, d Deps, accountID, by, requestID string) (int64, error) {
	a, err := execute(ctx, d, accountID, &grainv1.ExecuteRequest{
		IdemKey: "loss:" + by + ":" + requestID,
		Command: &grainv1.ExecuteRequest_ReportLoss{ReportLoss: &grainv1.ReportLossCommand{By: by}},
	})
	if err != nil {
		return 0, err
	}
	d.Logger.Info("card reported lost", slog.String("account", accountID), slog.String("by", by), slog.Bool("replayed", a.GetReplayed()))
	return a.GetCardGeneration(), nil
}

// execute runs a command on an account and answers the accepted outcome, or
// the status of a decline or failure.
func execute(ctx context.Context, d Deps, accountID string, req *grainv1.ExecuteRequest) (*grainv1.Accepted, error) {
	resp, err := d.Accounts.Execute(ctx, accountID, req)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	if dec := resp.GetDeclined(); dec != nil {
		return nil, DeclineStatus(reason.Code(dec.GetReason()), dec.GetMessage())
	}
	return resp.GetAccepted(), nil
}

// SetDailyCap implements apiv1.ParentServiceServer (0 = no cap).
func (s *ParentService) SetDailyCap(ctx context.Context, req *apiv1.SetDailyCapRequest) (*apiv1.SetDailyCapResponse, error) {
	if _, err := RequireGuardian(ctx, s.d.Directory, req.GetAccountId()); err != nil {
		return nil, err
	}
	if a := req.GetAmountFen(); a < 0 || a > MaxDailyCapFen {
		return nil, invalidArg("amount_fen %d, want 0..%d (0 = no cap)", a, MaxDailyCapFen)
	}
	if err := input.CheckRequestID(req.GetRequestId()); err != nil {
		return nil, err
	}
	if _, err := execute(ctx, s.d, req.GetAccountId(), &grainv1.ExecuteRequest{
		IdemKey: "dailycap:parent:" + req.GetRequestId(),
		Command: &grainv1.ExecuteRequest_SetDailyCap{SetDailyCap: &grainv1.SetDailyCapCommand{AmountFen: req.GetAmountFen()}},
	}); err != nil {
		return nil, err
	}
	return &apiv1.SetDailyCapResponse{DailySpendCapFen: req.GetAmountFen()}, nil
}

func printableASCIIID(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// guardedPupil returns the caller's child accountID (NotFound, as if unknown,
// for any other).
func (s *ParentService) guardedPupil(ctx context.Context, accountID string) (directory.Pupil, error) {
	if _, err := RequireGuardian(ctx, s.d.Directory, accountID); err != nil {
		return directory.Pupil{}, err
	}
	pupil, err := s.d.Directory.PupilByAccount(ctx, accountID)
	if errors.Is(err, directory.ErrNotFound) {
		return pupil, ErrNotReachable
	}
	if err != nil {
		return pupil, ErrorStatus(err)
	}
	return pupil, nil
}

// child is a pupil as the parent sees it: name masked, with the account's
// balance, card and limits (zero while the account is not opened).
func (s *ParentService) child(ctx context.Context, pupil directory.Pupil) (*apiv1.Child, error) {
	names, err := lookupNames(ctx, s.d.Directory, pupil)
	if err != nil {
		return nil, err
	}
	c := &apiv1.Child{AccountId: pupil.AccountID, MaskedName: actors.MaskName(pupil.Name), SchoolName: names.school, ClassName: names.class}
	st, err := s.d.Accounts.State(ctx, pupil.AccountID)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	if st.GetOpened() {
		c.BalanceFen, c.CardState = st.GetBalanceFen(), st.GetCardState()
		c.DailySpendCapFen, c.SpentTodayFen, c.ArrearsCapFen = st.GetLimits().GetDailySpendCapFen(), st.GetSpentTodayFen(), st.GetLimits().GetArrearsCapFen()
	}
	return c, nil
}

type pupilNames struct{ school, class string }

// lookupNames names a pupil's school and class (a class gone from the
// directory shows its id).
func lookupNames(ctx context.Context, dir directory.Store, p directory.Pupil) (pupilNames, error) {
	sc, err := dir.School(ctx, p.SchoolID)
	if err != nil {
		return pupilNames{}, ErrorStatus(err)
	}
	n := pupilNames{school: sc.Name, class: p.ClassID}
	c, err := dir.Class(ctx, p.SchoolID, p.ClassID)
	switch {
	case err == nil:
		n.class = c.Name
	case !errors.Is(err, directory.ErrNotFound):
		return pupilNames{}, ErrorStatus(err)
	}
	return n, nil
}
