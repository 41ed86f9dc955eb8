package gateway

import (
	"context"
	"errors"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/wxlink"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// WeChatService implements apiv1.WeChatServiceServer over app/wxlink: each call
// acts on the calling parent's own link. A nil link service (no official account
// configured) answers WECHAT_DISABLED.
type WeChatService struct {
	apiv1.UnimplementedWeChatServiceServer
	links *wxlink.Service
}

// NewWeChatService serves links (nil: disabled).
func NewWeChatService(links *wxlink.Service) *WeChatService { return &WeChatService{links: links} }

// GetWeChatAuthorizeUrl implements apiv1.WeChatServiceServer.
func (s *WeChatService) GetWeChatAuthorizeUrl(ctx context.Context, _ *apiv1.GetWeChatAuthorizeUrlRequest) (*apiv1.GetWeChatAuthorizeUrlResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	u, exp, err := s.links.AuthorizeURL(ctx, p.SubjectID)
	if err != nil {
		return nil, err
	}
	return &apiv1.GetWeChatAuthorizeUrlResponse{Url: u, ExpiresAt: ts(exp)}, nil
}

// LinkWeChat implements apiv1.WeChatServiceServer.
func (s *WeChatService) LinkWeChat(ctx context.Context, req *apiv1.LinkWeChatRequest) (*apiv1.LinkWeChatResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	l, err := s.links.Link(ctx, p.SubjectID, req.GetCode(), req.GetState())
	if err != nil {
		return nil, err
	}
	return &apiv1.LinkWeChatResponse{Link: linkProto(l, true)}, nil
}

// UnlinkWeChat implements apiv1.WeChatServiceServer.
func (s *WeChatService) UnlinkWeChat(ctx context.Context, _ *apiv1.UnlinkWeChatRequest) (*apiv1.UnlinkWeChatResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.links.Unlink(ctx, p.SubjectID); err != nil {
		return nil, err
	}
	return &apiv1.UnlinkWeChatResponse{Link: &apiv1.WeChatLink{Enabled: true}}, nil
}

// GetWeChatLink implements apiv1.WeChatServiceServer.
func (s *WeChatService) GetWeChatLink(ctx context.Context, _ *apiv1.GetWeChatLinkRequest) (*apiv1.GetWeChatLinkResponse, error) {
	p, err := access.RequireParent(ctx)
	if err != nil {
		return nil, err
	}
	if s.links == nil {
		return &apiv1.GetWeChatLinkResponse{Link: &apiv1.WeChatLink{}}, nil
	}
	l, err := s.links.Status(ctx, p.SubjectID)
	if errors.Is(err, wxlink.ErrNotLinked) {
		return &apiv1.GetWeChatLinkResponse{Link: &apiv1.WeChatLink{Enabled: true}}, nil
	}
	if err != nil {
		return nil, err
	}
	return &apiv1.GetWeChatLinkResponse{Link: linkProto(l, true)}, nil
}

func linkProto(l wxlink.Link, enabled bool) *apiv1.WeChatLink {
	return &apiv1.WeChatLink{Enabled: enabled, Linked: l.OpenID != "", LinkedAt: ts(l.LinkedAt)}
}
