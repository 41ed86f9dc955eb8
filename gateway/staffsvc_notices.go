package gateway

import (
	"context"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// errNoNotices answers ListNotices on a switch without the notices' outbox.
var errNoNotices = reason.New(reason.KindUnavailable, reason.Unavailable, "notices are not kept on this switch")

// ListNotices implements apiv1.StaffServiceServer: the caller's school's
// notices only (school admin or finance).
func (s *StaffService) ListNotices(ctx context.Context, req *apiv1.ListNoticesRequest) (*apiv1.ListNoticesResponse, error) {
	p, err := access.RequireStaff(ctx, access.RoleSchoolAdmin, access.RoleFinance)
	if err != nil {
		return nil, err
	}
	if s.d.Outbox == nil {
		return nil, errNoNotices
	}
	limit := int(req.GetLimit())
	if limit == 0 {
		limit = 50
	}
	if limit < 0 || limit > 500 || req.GetBeforeId() < 0 {
		return nil, reason.New(reason.KindInvalid, reason.InvalidArgument, "limit 1..500, before_id ≥ 0")
	}
	ns, err := notify.Status{Store: s.d.Outbox}.List(ctx, p.SchoolID, req.GetBeforeId(), limit)
	if err != nil {
		return nil, err
	}
	resp := &apiv1.ListNoticesResponse{Notices: make([]*apiv1.NoticeStatus, len(ns))}
	for i, n := range ns {
		x := &apiv1.NoticeStatus{Id: n.ID, Kind: n.Kind, MaskedRecipient: n.MaskedRecipient, State: n.State, Reason: n.Reason,
			CreatedUnix: n.CreatedAt.Unix(), Attempts: n.Attempts, Channel: n.Channel, DeliveredChannels: n.Delivered}
		if n.DoneAt != nil {
			x.DoneUnix = n.DoneAt.Unix()
		}
		resp.Notices[i] = x
	}
	if len(ns) == limit {
		resp.NextBeforeId = ns[len(ns)-1].ID
	}
	return resp, nil
}
