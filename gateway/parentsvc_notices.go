package gateway

import (
	"context"
	"errors"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// ParentNoticesService implements apiv1.ParentNoticesServiceServer: a
// guardian's inbox, the caller's notices only.
type ParentNoticesService struct {
	apiv1.UnimplementedParentNoticesServiceServer
	inbox *notify.Inbox // nil: the switch keeps no notices
}

var _ apiv1.ParentNoticesServiceServer = (*ParentNoticesService)(nil)

// NewParentNoticesService returns the inbox over deps.Outbox and deps.Directory
// (without an Outbox every call answers UNAVAILABLE).
func NewParentNoticesService(deps Deps) (*ParentNoticesService, error) {
	if deps.Outbox == nil {
		return &ParentNoticesService{}, nil
	}
	if deps.Directory == nil {
		return nil, errors.New("gateway: the parent inbox needs Directory")
	}
	return &ParentNoticesService{inbox: &notify.Inbox{Store: deps.Outbox, Parents: deps.Directory}}, nil
}

// ListMyNotices implements apiv1.ParentNoticesServiceServer.
func (s *ParentNoticesService) ListMyNotices(ctx context.Context, req *apiv1.ListMyNoticesRequest) (*apiv1.ListMyNoticesResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if s.inbox == nil {
		return nil, errNoNotices
	}
	limit := int(req.GetLimit())
	if limit == 0 {
		limit = 20
	}
	if limit < 0 || limit > 100 || req.GetBeforeId() < 0 {
		return nil, reason.New(reason.KindInvalid, reason.InvalidArgument, "limit 1..100, before_id ≥ 0")
	}
	ns, err := s.inbox.List(ctx, p.SubjectID, req.GetBeforeId(), limit)
	if err != nil {
		return nil, err
	}
	resp := &apiv1.ListMyNoticesResponse{Notices: make([]*apiv1.ParentNotice, len(ns))}
	for i, n := range ns {
		resp.Notices[i] = &apiv1.ParentNotice{Id: n.ID, Kind: n.Kind, Text: n.Text, CreatedUnix: n.CreatedAt.Unix(), State: n.State}
	}
	if len(ns) == limit {
		resp.NextBeforeId = ns[len(ns)-1].ID
	}
	return resp, nil
}
