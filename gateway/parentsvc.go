package gateway

import (
	"context"
	"errors"
	"log/slog"

	"github.com/onecode/onecode/app/access"

	"github.com/onecode/onecode/app/guardian"
	"github.com/onecode/onecode/app/history"
	"github.com/onecode/onecode/app/notify"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

var _ RechargeDesk = (*Recharges)(nil)

// ParentService implements apiv1.ParentServiceServer: what a logged-in parent
// does on the phone page, as thin adapters over app/guardian. Every call about
// a child first checks that the child is bound to the caller; a child of
// another family answers exactly as an unknown one. Parents see names masked.
type ParentService struct {
	apiv1.UnimplementedParentServiceServer
	g         *guardian.Service
	history   *history.Service
	recharges RechargeDesk
	prefs     *notify.Prefs // may be nil (WithNoticePrefs)
}

var _ apiv1.ParentServiceServer = (*ParentService)(nil)

// NewParentService returns the ParentService. It needs deps.Accounts,
// Directory, Journal, Cache, IDHashKey (≥ 16 bytes), Now and Rand; Logger
// defaults to slog.Default. recharges may be nil: CreateRecharge and
// GetRecharge then answer Unavailable RECHARGE_DISABLED.
func NewParentService(deps Deps, recharges RechargeDesk) (*ParentService, error) {
	if deps.Journal == nil {
		return nil, errors.New("gateway: the parent service needs Accounts, Directory, Journal and Cache")
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	g, err := deps.Guardians()
	if err != nil {
		return nil, err
	}
	if r, ok := recharges.(*Recharges); ok && r == nil {
		recharges = nil
	}
	return &ParentService{g: g, history: deps.History(), recharges: recharges}, nil
}

// ListChildren implements apiv1.ParentServiceServer.
func (s *ParentService) ListChildren(ctx context.Context, _ *apiv1.ListChildrenRequest) (*apiv1.ListChildrenResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	kids, err := s.g.Children(ctx, p.SubjectID)
	if err != nil {
		return nil, err
	}
	out := make([]*apiv1.Child, len(kids))
	for i, c := range kids {
		out[i] = childProto(c)
	}
	return &apiv1.ListChildrenResponse{Children: out}, nil
}

// GetChild implements apiv1.ParentServiceServer.
func (s *ParentService) GetChild(ctx context.Context, req *apiv1.GetChildRequest) (*apiv1.GetChildResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.g.Child(ctx, p.SubjectID, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	return &apiv1.GetChildResponse{Child: childProto(c)}, nil
}

// ListHistory implements apiv1.ParentServiceServer: itemised history, newest
// first (history.Service.Lines).
func (s *ParentService) ListHistory(ctx context.Context, req *apiv1.ListHistoryRequest) (*apiv1.ListHistoryResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.g.Guard(ctx, p.SubjectID, req.GetAccountId()); err != nil {
		return nil, err
	}
	page, err := s.history.Lines(ctx, req.GetAccountId(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &apiv1.ListHistoryResponse{Lines: HistoryLinesProto(page.Lines), NextPageToken: page.Next}, nil
}

// ReportLoss implements apiv1.ParentServiceServer: the card stops at once; the
// same request id answers the first report again.
func (s *ParentService) ReportLoss(ctx context.Context, req *apiv1.ReportLossRequest) (*apiv1.ReportLossResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	gen, err := s.g.ReportLoss(ctx, p.SubjectID, req.GetAccountId(), req.GetRequestId())
	if err != nil {
		return nil, err
	}
	return &apiv1.ReportLossResponse{CardState: "lost", CardGeneration: gen}, nil
}

// SetDailyCap implements apiv1.ParentServiceServer (0 = no cap).
func (s *ParentService) SetDailyCap(ctx context.Context, req *apiv1.SetDailyCapRequest) (*apiv1.SetDailyCapResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.g.SetDailyCap(ctx, p.SubjectID, req.GetAccountId(), req.GetAmountFen(), req.GetRequestId()); err != nil {
		return nil, err
	}
	return &apiv1.SetDailyCapResponse{DailySpendCapFen: req.GetAmountFen()}, nil
}

func childProto(c guardian.Child) *apiv1.Child {
	return &apiv1.Child{AccountId: c.AccountID, MaskedName: c.MaskedName, SchoolName: c.SchoolName, ClassName: c.ClassName,
		BalanceFen: c.BalanceFen, CardState: c.CardState, DailySpendCapFen: c.DailySpendCapFen, SpentTodayFen: c.SpentTodayFen,
		ArrearsCapFen: c.ArrearsCapFen}
}
