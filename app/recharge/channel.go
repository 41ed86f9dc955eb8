package recharge

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/orders"
)

// ChannelSupport is implemented by a Provider that says which channels it takes
// (the WeChat Pay adapter: H5, JSAPI and Native; Alipay: H5 and Native). A Provider
// without it takes H5 only.
type ChannelSupport interface {
	// Supports reports whether the merchant takes channel c.
	Supports(c Channel) bool
	// JSAPIAppID is the appid a JSAPI payer's openid must belong to (sub_appid when
	// the school has one, else appid or sp_appid); "" when it has no JSAPI.
	JSAPIAppID() string
}

// WeChatLinks is what JSAPI payments need of the directory: the openid a parent
// linked by WeChat OAuth (directory migration 0015; directory.ErrNotFound when none).
type WeChatLinks interface {
	WeChatLinkOf(ctx context.Context, parentID string) (directory.WeChatLink, error)
}

// Errors of the payment channel. Each is answered before anything is written.
var (
	// ErrChannelInvalid: the channel is none of H5, JSAPI, Native.
	ErrChannelInvalid = reason.New(reason.KindInvalid, reason.ChannelInvalid, "unknown payment channel")
	// ErrChannelUnsupported: the school's merchant does not take the channel.
	ErrChannelUnsupported = reason.New(reason.KindFailedPrecondition, reason.ChannelUnsupported,
		"the school's payment merchant does not take this channel")
	// ErrWeChatNotLinked: JSAPI needs the parent's linked WeChat account.
	ErrWeChatNotLinked = reason.New(reason.KindFailedPrecondition, reason.WeChatNotLinked,
		"paying inside WeChat needs a linked WeChat account")
)

// Valid reports whether c is one of the channels.
func (c Channel) Valid() bool { return c == ChannelH5 || c == ChannelJSAPI || c == ChannelNative }

// checkChannel refuses a channel the merchant p does not take.
func (s *Service) checkChannel(p Provider, c Channel) error {
	if c == ChannelH5 {
		return nil
	}
	cs, ok := p.(ChannelSupport)
	if !ok || !cs.Supports(c) {
		return ErrChannelUnsupported
	}
	if c == ChannelJSAPI && (cs.JSAPIAppID() == "" || (s.cfg.WeChatAppID != "" && cs.JSAPIAppID() != s.cfg.WeChatAppID)) {
		// The linked openids are of WeChatAppID: useless under another appid.
		return ErrChannelUnsupported
	}
	return nil
}

// payerFor is the payer of a new order of parentID at merchant p: the channel
// checked, and for JSAPI the openid the parent linked (never one the caller names).
func (s *Service) payerFor(ctx context.Context, parentID string, p Provider, payer Payer) (Payer, error) {
	if err := s.checkChannel(p, payer.Channel); err != nil {
		return Payer{}, err
	}
	payer.OpenID = ""
	if payer.Channel != ChannelJSAPI {
		return payer, nil
	}
	if s.cfg.WeChatLinks == nil {
		return Payer{}, ErrChannelUnsupported
	}
	l, err := s.cfg.WeChatLinks.WeChatLinkOf(ctx, parentID)
	switch {
	case errors.Is(err, directory.ErrNotFound) || (err == nil && l.OpenID == ""):
		return Payer{}, ErrWeChatNotLinked
	case err != nil:
		return Payer{}, s.storeError("read the parent's WeChat link", err)
	}
	payer.OpenID = l.OpenID
	return payer, nil
}

// payParams is what an order keeps of the provider's answer beside its pay URL
// (orders.Order.PayParams).
type payParams struct {
	CodeURL string       `json:"code_url,omitempty"`
	JSAPI   *JSAPIParams `json:"jsapi,omitempty"`
}

// recordedPay is what a placed order records: the pay URL column (the h5_url, the
// code_url, or the JSAPI package: never empty while awaiting payment) and the pay
// parameters.
func recordedPay(c Channel, p Placed) orders.Fields {
	f := orders.Fields{PayURL: p.PayURL}
	pp := payParams{CodeURL: p.CodeURL, JSAPI: p.JSAPI}
	switch {
	case c == ChannelNative:
		f.PayURL = p.CodeURL
	case c == ChannelJSAPI && p.JSAPI != nil:
		f.PayURL = p.JSAPI.Package
	}
	if pp.CodeURL != "" || pp.JSAPI != nil {
		b, _ := json.Marshal(pp)
		f.PayParams = string(b)
	}
	return f
}

// withPay fills the pay parameters of an order awaiting payment: PayURL for H5,
// CodeURL for Native, JSAPI for JSAPI.
func withPay(rc Recharge, o orders.Order) Recharge {
	var pp payParams
	if o.PayParams != "" {
		_ = json.Unmarshal([]byte(o.PayParams), &pp)
	}
	switch rc.Channel {
	case ChannelH5:
		rc.PayURL = o.PayURL
	case ChannelNative:
		rc.CodeURL = pp.CodeURL
	case ChannelJSAPI:
		rc.JSAPI = pp.JSAPI
	}
	return rc
}
