package gateway

import (
	"context"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// WithNoticePrefs gives the parent service the guardians' notice preferences
// (notify.Prefs over the outbox store); without them the two preference calls
// answer Unavailable.
func (s *ParentService) WithNoticePrefs(p *notify.Prefs) *ParentService {
	s.prefs = p
	return s
}

// GetNotificationPreferences implements apiv1.ParentServiceServer: the caller's
// own preferences (the request names no parent: no other parent's are reachable).
func (s *ParentService) GetNotificationPreferences(ctx context.Context, _ *apiv1.GetNotificationPreferencesRequest) (*apiv1.GetNotificationPreferencesResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if s.prefs == nil {
		return nil, reason.Newf(reason.KindUnavailable, reason.Unavailable, "notice preferences are not kept on this server")
	}
	v, err := s.prefs.Get(ctx, p.SubjectID)
	if err != nil {
		return nil, err
	}
	return &apiv1.GetNotificationPreferencesResponse{Preferences: prefsProto(v)}, nil
}

// UpdateNotificationPreferences implements apiv1.ParentServiceServer.
func (s *ParentService) UpdateNotificationPreferences(ctx context.Context, req *apiv1.UpdateNotificationPreferencesRequest) (*apiv1.UpdateNotificationPreferencesResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if s.prefs == nil {
		return nil, reason.Newf(reason.KindUnavailable, reason.Unavailable, "notice preferences are not kept on this server")
	}
	channels := make([]notify.ChannelName, len(req.GetChannelsOn()))
	for i, c := range req.GetChannelsOn() {
		channels[i] = notify.ChannelName(c)
	}
	kinds := make([]notify.Kind, len(req.GetKindsOff()))
	for i, k := range req.GetKindsOff() {
		kinds[i] = notify.Kind(k)
	}
	v, err := s.prefs.Update(ctx, p.SubjectID, channels, kinds)
	if err != nil {
		return nil, err
	}
	return &apiv1.UpdateNotificationPreferencesResponse{Preferences: prefsProto(v)}, nil
}

func prefsProto(v notify.PrefView) *apiv1.NotificationPreferences {
	out := &apiv1.NotificationPreferences{}
	for _, c := range v.Channels {
		out.Channels = append(out.Channels, &apiv1.NotificationChannel{Channel: string(c.Channel), On: c.On})
	}
	for _, k := range v.Kinds {
		out.Kinds = append(out.Kinds, &apiv1.NotificationKind{Kind: string(k.Kind), On: k.On, AlwaysOn: k.AlwaysOn})
	}
	return out
}
