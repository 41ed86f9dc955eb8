package aggregator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Mode says how OneCode stands at WeChat Pay for a merchant.
type Mode uint8

// Modes.
const (
	// ModeDirect: the school (or OneCode) is the merchant itself (/v3/pay/transactions).
	ModeDirect Mode = iota
	// ModePartner: OneCode is the service provider (服务商: sp_appid, sp_mchid) and the
	// school a sub-merchant (sub_mchid, optional sub_appid) (/v3/pay/partner/transactions);
	// money settles to the school's own merchant account.
	ModePartner
)

// Merchant is the merchant an order is placed for. In direct mode AppID and MchID
// are appid and mchid; in partner mode they are sp_appid and sp_mchid (the service
// provider's, who signs) and SubMchID (and SubAppID, if the school has its own
// official account) the school's.
type Merchant struct {
	Mode     Mode
	AppID    string
	MchID    string
	SubMchID string
	SubAppID string
}

// Validate checks the merchant's fields for its mode.
func (m Merchant) Validate() error {
	switch {
	case m.AppID == "" || m.MchID == "":
		return fmt.Errorf("%w: merchant needs appid and mchid (sp_appid, sp_mchid)", ErrInvalidRequest)
	case m.Mode == ModeDirect && (m.SubMchID != "" || m.SubAppID != ""):
		return fmt.Errorf("%w: a direct merchant has no sub_mchid or sub_appid", ErrInvalidRequest)
	case m.Mode == ModePartner && m.SubMchID == "":
		return fmt.Errorf("%w: a partner merchant needs sub_mchid", ErrInvalidRequest)
	case m.Mode > ModePartner:
		return fmt.Errorf("%w: merchant mode %d", ErrInvalidRequest, m.Mode)
	}
	return nil
}

// Owns reports whether a transaction or refund names this merchant.
func (m Merchant) Owns(mchID, spMchID, subMchID string) bool {
	if m.Mode == ModePartner {
		return spMchID == m.MchID && subMchID == m.SubMchID
	}
	return mchID == m.MchID
}

func (m Merchant) prefix() string {
	if m.Mode == ModePartner {
		return "/v3/pay/partner/transactions"
	}
	return "/v3/pay/transactions"
}

// Endpoints of a prepay, by trade type.
var prepayPaths = map[string]string{TradeJSAPI: "/jsapi", TradeH5: "/h5", TradeNative: "/native"}

// Prepay places an order (tradeType TradeJSAPI, TradeH5 or TradeNative); req's
// merchant fields are filled from m. On ErrOutcomeUnknown, resolve by QueryOrder
// (or repeat Prepay with identical fields: WeChat Pay answers the same order); never
// place the order under another out_trade_no.
func (c *Client) Prepay(ctx context.Context, m Merchant, tradeType string, req PrepayRequest) (PrepayResponse, error) {
	var out PrepayResponse
	path, ok := prepayPaths[tradeType]
	if !ok {
		return out, fmt.Errorf("%w: trade type %q", ErrInvalidRequest, tradeType)
	}
	if err := m.Validate(); err != nil {
		return out, err
	}
	if err := CheckTradeNo(req.OutTradeNo); err != nil {
		return out, err
	}
	if req.Amount.Total <= 0 || req.NotifyURL == "" || req.Description == "" {
		return out, fmt.Errorf("%w: amount.total must be positive, description and notify_url set", ErrInvalidRequest)
	}
	req.AppID, req.MchID, req.SpAppID, req.SpMchID, req.SubAppID, req.SubMchID = "", "", "", "", "", ""
	if m.Mode == ModePartner {
		req.SpAppID, req.SpMchID, req.SubMchID, req.SubAppID = m.AppID, m.MchID, m.SubMchID, m.SubAppID
	} else {
		req.AppID, req.MchID = m.AppID, m.MchID
	}
	err := c.call(ctx, OpCreate, http.MethodPost, m.prefix()+path, req, &out)
	if err == nil && out.PrepayID == "" && out.H5URL == "" && out.CodeURL == "" {
		err = fmt.Errorf("%w: prepay answered nothing to pay with", ErrRejected)
	}
	return out, mutationError(err)
}

// QueryOrder returns the transaction of out_trade_no (ErrNotFound: WeChat Pay has no
// such order).
func (c *Client) QueryOrder(ctx context.Context, m Merchant, outTradeNo string) (Transaction, error) {
	var out Transaction
	if err := m.Validate(); err != nil {
		return out, err
	}
	if err := CheckTradeNo(outTradeNo); err != nil {
		return out, err
	}
	q := url.Values{}
	if m.Mode == ModePartner {
		q.Set("sp_mchid", m.MchID)
		q.Set("sub_mchid", m.SubMchID)
	} else {
		q.Set("mchid", m.MchID)
	}
	uri := m.prefix() + "/out-trade-no/" + url.PathEscape(outTradeNo) + "?" + encodeOrdered(q, "mchid", "sp_mchid", "sub_mchid")
	err := c.call(ctx, OpQuery, http.MethodGet, uri, nil, &out)
	if err != nil {
		return Transaction{}, err
	}
	if out.OutTradeNo != outTradeNo || !out.TradeState.Known() {
		return Transaction{}, fmt.Errorf("%w: query of %q answered %q in state %q", ErrRejected, outTradeNo, out.OutTradeNo, out.TradeState)
	}
	return out, nil
}

// encodeOrdered renders q in the given key order (the documented one).
func encodeOrdered(q url.Values, keys ...string) string {
	var parts []string
	for _, k := range keys {
		if v, ok := q[k]; ok {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v[0]))
		}
	}
	return strings.Join(parts, "&")
}

// CloseOrder closes an unpaid order (204). Closing a paid one is ErrOrderPaid.
func (c *Client) CloseOrder(ctx context.Context, m Merchant, outTradeNo string) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := CheckTradeNo(outTradeNo); err != nil {
		return err
	}
	body := CloseRequest{MchID: m.MchID}
	if m.Mode == ModePartner {
		body = CloseRequest{SpMchID: m.MchID, SubMchID: m.SubMchID}
	}
	return mutationError(c.call(ctx, OpClose, http.MethodPost, m.prefix()+"/out-trade-no/"+url.PathEscape(outTradeNo)+"/close", body, nil))
}

// Refund asks for a refund of a paid order; idempotent by out_refund_no. The answer
// is usually PROCESSING; the REFUND.* notification or QueryRefund says how it ended.
func (c *Client) Refund(ctx context.Context, m Merchant, req RefundRequest) (Refund, error) {
	var out Refund
	if err := m.Validate(); err != nil {
		return out, err
	}
	if err := CheckTradeNo(req.OutTradeNo); err != nil {
		return out, err
	}
	if err := CheckTradeNo(req.OutRefundNo); err != nil {
		return out, err
	}
	if req.Amount.Refund <= 0 || req.Amount.Total < req.Amount.Refund {
		return out, fmt.Errorf("%w: refund amount must be positive and at most the total", ErrInvalidRequest)
	}
	req.SubMchID = ""
	if m.Mode == ModePartner {
		req.SubMchID = m.SubMchID
	}
	if req.Amount.Currency == "" {
		req.Amount.Currency = CurrencyCNY
	}
	err := c.call(ctx, OpRefund, http.MethodPost, "/v3/refund/domestic/refunds", req, &out)
	if err == nil && (out.OutRefundNo != req.OutRefundNo || out.RefundID == "") {
		err = fmt.Errorf("%w: refund %q answered %q", ErrRejected, req.OutRefundNo, out.OutRefundNo)
	}
	return out, mutationError(err)
}

// QueryRefund returns a refund by out_refund_no (ErrNotFound: RESOURCE_NOT_EXISTS).
func (c *Client) QueryRefund(ctx context.Context, m Merchant, outRefundNo string) (Refund, error) {
	var out Refund
	if err := m.Validate(); err != nil {
		return out, err
	}
	if err := CheckTradeNo(outRefundNo); err != nil {
		return out, err
	}
	uri := "/v3/refund/domestic/refunds/" + url.PathEscape(outRefundNo)
	if m.Mode == ModePartner {
		uri += "?sub_mchid=" + url.QueryEscape(m.SubMchID)
	}
	if err := c.call(ctx, OpRefundQuery, http.MethodGet, uri, nil, &out); err != nil {
		return Refund{}, err
	}
	if out.OutRefundNo != outRefundNo {
		return Refund{}, fmt.Errorf("%w: refund query of %q answered %q", ErrRejected, outRefundNo, out.OutRefundNo)
	}
	return out, nil
}

// mutationError marks temporary failures, and answers that did not verify, of
// state-changing calls as outcome-unknown: the change may have happened.
func mutationError(err error) error {
	if errors.Is(err, ErrTemporary) || errors.Is(err, ErrBadSignature) || errors.Is(err, ErrStale) {
		return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}
	return err
}

// CheckTradeNo accepts an out_trade_no or out_refund_no: 6–32 characters of
// [A-Za-z0-9_-|*@]; anything else is ErrInvalidRequest.
func CheckTradeNo(no string) error {
	if len(no) < 6 || len(no) > 32 {
		return fmt.Errorf("%w: order number %q must be 6–32 characters", ErrInvalidRequest, no)
	}
	for _, r := range no {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-|*@", r)) {
			return fmt.Errorf("%w: order number %q has character %q", ErrInvalidRequest, no, r)
		}
	}
	return nil
}
