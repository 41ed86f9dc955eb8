package directory

import (
	"context"
	"time"
)

// WeChatLink is the WeChat official-account user (openid) a parent linked, so
// notices reach them by template message and they can pay by JSAPI.
type WeChatLink struct {
	ParentID string
	OpenID   string
	LinkedAt time.Time
}

// MaxOpenIDLen bounds an openid (WeChat's are 28 bytes).
const MaxOpenIDLen = 64

// MaxLinkBatch bounds the parents of one WeChatLinksOf.
const MaxLinkBatch = 500

// WeChatLinks keeps parents' WeChat links (table parent_wechat, directory
// migration 0015). The pg and sqlite stores implement it beside Store. A link
// starts with a pending state nonce (BeginWeChatLink); ConsumeWeChatState uses it
// once; LinkWeChat then stores the openid.
type WeChatLinks interface {
	// BeginWeChatLink makes nonce the parent's one pending link state (an earlier
	// pending one is dropped). The parent must exist (ErrNotFound).
	BeginWeChatLink(ctx context.Context, parentID, nonce string) error
	// ConsumeWeChatState uses the parent's pending nonce: ErrNotFound when nonce
	// is not it (used, replaced, never issued); at most one caller succeeds.
	ConsumeWeChatState(ctx context.Context, parentID, nonce string) error
	// LinkWeChat stores openid as the parent's WeChat link (replacing any).
	LinkWeChat(ctx context.Context, parentID, openID string) (WeChatLink, error)
	// UnlinkWeChat drops the parent's link: ErrNotFound when none.
	UnlinkWeChat(ctx context.Context, parentID string) error
	// WeChatLinkOf is the parent's link: ErrNotFound when none.
	WeChatLinkOf(ctx context.Context, parentID string) (WeChatLink, error)
	// WeChatLinksOf is WeChatLinkOf of 1..MaxLinkBatch parents in one read
	// (the notices of a claimed batch), keyed by parent id: a parent without a
	// link (or unknown) has no key; an id given twice is read once.
	WeChatLinksOf(ctx context.Context, parentIDs []string) (map[string]WeChatLink, error)
}

// ValidateOpenID checks an openid: 1..MaxOpenIDLen bytes of [A-Za-z0-9_-].
func ValidateOpenID(openID string) error {
	if openID == "" || len(openID) > MaxOpenIDLen {
		return invalid("openid of %d bytes, want 1..%d", len(openID), MaxOpenIDLen)
	}
	for _, c := range []byte(openID) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return invalid("openid: want only [A-Za-z0-9_-]")
		}
	}
	return nil
}
