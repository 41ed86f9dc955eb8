package alipay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
)

var (
	_ recharge.Provider       = (*Client)(nil)
	_ recharge.ChannelSupport = (*Client)(nil)
)

// Supports implements recharge.ChannelSupport: H5 (wap pay) and Native (precreate);
// JSAPI is WeChat's.
func (c *Client) Supports(ch recharge.Channel) bool {
	return ch == recharge.ChannelH5 || ch == recharge.ChannelNative
}

// JSAPIAppID implements recharge.ChannelSupport: Alipay has no JSAPI.
func (c *Client) JSAPIAppID() string { return "" }

// Name implements recharge.Provider.
func (c *Client) Name() string { return "alipay" }

// MerchantKey is a stable, non-secret key of this merchant for
// recharge.Providers.MerchantKey: "alipay:<app_id>", or
// "alipay:<app_id>:<auth_app_id>" when acting for a school's merchant app.
func (c *Client) MerchantKey() string {
	if c.authApp != "" {
		return "alipay:" + c.keys.AppID + ":" + c.authApp
	}
	return "alipay:" + c.keys.AppID
}

// tradeBiz is the biz_content of wap.pay and precreate.
type tradeBiz struct {
	OutTradeNo  string `json:"out_trade_no"`
	TotalAmount string `json:"total_amount"`
	Subject     string `json:"subject"`
	ProductCode string `json:"product_code,omitempty"`
	TimeExpire  string `json:"time_expire"`
}

// Place implements recharge.Provider. H5 builds the signed alipay.trade.wap.pay URL
// (no call: Alipay creates the trade when the payer opens it); Native calls
// alipay.trade.precreate for the qr_code; JSAPI is WeChat's and refused.
func (c *Client) Place(ctx context.Context, req recharge.PlaceRequest) (recharge.Placed, error) {
	if err := checkPlace(req); err != nil {
		return recharge.Placed{}, err
	}
	biz := tradeBiz{OutTradeNo: req.OrderID, TotalAmount: Yuan(req.AmountFen), Subject: req.Description,
		TimeExpire: req.ExpiresAt.In(Shanghai).Format(TimeLayout)}
	if req.Channel == recharge.ChannelH5 {
		biz.ProductCode = "QUICK_WAP_WAY"
		v, err := c.Params(MethodWapPay, biz, req.NotifyURL)
		if err != nil {
			return recharge.Placed{}, err
		}
		return recharge.Placed{PayURL: c.gateway + "?" + v.Encode()}, nil
	}
	biz.ProductCode = "FACE_TO_FACE_PAYMENT"
	params, err := c.Params(MethodPrecreate, biz, req.NotifyURL)
	if err != nil {
		return recharge.Placed{}, err
	}
	raw, err := c.callParams(ctx, OpPrecreate, MethodPrecreate, params)
	if err != nil {
		return recharge.Placed{}, tradeError(err, map[string][]error{
			"ACQ.TRADE_HAS_SUCCESS":      {recharge.ErrOrderPaid},
			"ACQ.TRADE_HAS_CLOSE":        {recharge.ErrOrderClosed, recharge.ErrAggregatorRefused},
			"ACQ.CONTEXT_INCONSISTENT":   {recharge.ErrOrderConflict, recharge.ErrAggregatorRefused},
			"ACQ.TRADE_NOT_ALLOW_CREATE": {recharge.ErrAggregatorRefused}})
	}
	var out struct {
		OutTradeNo string `json:"out_trade_no"`
		QRCode     string `json:"qr_code"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.QRCode == "" || out.OutTradeNo != req.OrderID {
		return recharge.Placed{}, fmt.Errorf("alipay: precreate of %q answered %q with no qr_code", req.OrderID, out.OutTradeNo)
	}
	return recharge.Placed{CodeURL: out.QRCode}, nil
}

func checkPlace(req recharge.PlaceRequest) error {
	switch {
	case req.Channel == recharge.ChannelJSAPI:
		return fmt.Errorf("%w: alipay: JSAPI is a WeChat Pay channel", recharge.ErrAggregatorRefused)
	case req.Channel != recharge.ChannelH5 && req.Channel != recharge.ChannelNative:
		return fmt.Errorf("%w: alipay: unknown channel %d", recharge.ErrAggregatorRefused, req.Channel)
	case req.AmountFen <= 0 || req.AmountFen > maxFen:
		return fmt.Errorf("%w: alipay: amount %d fen out of range", recharge.ErrAggregatorRefused, req.AmountFen)
	case req.NotifyURL == "" || req.ExpiresAt.IsZero() || req.Description == "" || len(req.Description) > 256:
		return fmt.Errorf("%w: alipay: notify URL, expiry and a subject (≤ 256 bytes) are required", recharge.ErrAggregatorRefused)
	}
	return CheckNo(req.OrderID)
}

// CheckNo accepts an out_trade_no or out_request_no: 1–64 of [A-Za-z0-9_-].
func CheckNo(no string) error {
	if no == "" || len(no) > 64 {
		return fmt.Errorf("%w: alipay: order number %q must be 1–64 characters", recharge.ErrAggregatorRefused, no)
	}
	for _, r := range no {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return fmt.Errorf("%w: alipay: order number %q has character %q", recharge.ErrAggregatorRefused, no, r)
		}
	}
	return nil
}

// callParams is call with parameters already built (precreate carries notify_url).
func (c *Client) callParams(ctx context.Context, op Operation, method string, params map[string][]string) (json.RawMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("alipay: %s not sent: %w", method, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	raw, err := c.breakers[op].Execute(func() (json.RawMessage, error) { return c.send(ctx, method, params) })
	return raw, breakerError(op, err)
}

type queryAnswer struct {
	TradeNo     string   `json:"trade_no"`
	OutTradeNo  string   `json:"out_trade_no"`
	TradeStatus string   `json:"trade_status"`
	TotalAmount yuanText `json:"total_amount"`
	SendPayDate string   `json:"send_pay_date"`
}

// Query implements recharge.Provider: ACQ.TRADE_NOT_EXIST is order.RemoteUnknown
// (an H5 order stays so until the payer opens the pay URL). TRADE_CLOSED with a
// payment date is a paid trade refunded in full.
func (c *Client) Query(ctx context.Context, orderID string) (recharge.RemoteOrder, error) {
	if err := CheckNo(orderID); err != nil {
		return recharge.RemoteOrder{}, err
	}
	raw, err := c.call(ctx, OpQuery, MethodQuery, map[string]string{"out_trade_no": orderID})
	if apiSub(err) == "ACQ.TRADE_NOT_EXIST" {
		return recharge.RemoteOrder{State: order.RemoteUnknown}, nil
	}
	if err != nil {
		return recharge.RemoteOrder{}, tradeError(err, nil)
	}
	var q queryAnswer
	if err := json.Unmarshal(raw, &q); err != nil || q.OutTradeNo != orderID {
		return recharge.RemoteOrder{}, fmt.Errorf("alipay: query of %q answered %q", orderID, q.OutTradeNo)
	}
	fen, err := ParseYuan(string(q.TotalAmount))
	if err != nil {
		return recharge.RemoteOrder{}, fmt.Errorf("alipay: query of %q: %w", orderID, err)
	}
	out := recharge.RemoteOrder{AmountFen: fen, ProviderState: q.TradeStatus}
	switch q.TradeStatus {
	case "WAIT_BUYER_PAY":
		out.State = order.RemoteNotPaid
	case "TRADE_SUCCESS", "TRADE_FINISHED":
		out.State, out.TransactionID = order.RemotePaid, q.TradeNo
	case "TRADE_CLOSED":
		out.State = order.RemoteClosed
		if q.SendPayDate != "" {
			out.State, out.TransactionID = order.RemoteRefunded, q.TradeNo
		}
	default:
		return recharge.RemoteOrder{}, fmt.Errorf("alipay: query of %q: unknown trade_status %q", orderID, q.TradeStatus)
	}
	return out, nil
}

// Close implements recharge.Provider. A trade Alipay never created (an H5 URL never
// opened: the use case closes after time_expire) or already closed is closed. Alipay
// closes only WAIT_BUYER_PAY trades: ACQ.TRADE_STATUS_ERROR is read as paid, so the
// next query decides (never a lost payment).
func (c *Client) Close(ctx context.Context, orderID string) error {
	if err := CheckNo(orderID); err != nil {
		return err
	}
	_, err := c.call(ctx, OpClose, MethodClose, map[string]string{"out_trade_no": orderID})
	switch apiSub(err) {
	case "ACQ.TRADE_NOT_EXIST", "ACQ.TRADE_HAS_CLOSE":
		return nil
	}
	return tradeError(err, map[string][]error{
		"ACQ.TRADE_STATUS_ERROR": {recharge.ErrOrderPaid},
		"ACQ.TRADE_HAS_SUCCESS":  {recharge.ErrOrderPaid}})
}

// Refund implements recharge.Provider: alipay.trade.refund, idempotent by
// out_request_no (the same number with another amount is
// ACQ.DISCORDANT_REPEAT_REQUEST; ACQ.REFUND_AMT_NOT_EQUAL_TOTAL is Alipay's "refund
// amount exceeds"). fund_change "Y" is a refund done; anything else is still to be
// confirmed by QueryRefund (as Alipay documents).
func (c *Client) Refund(ctx context.Context, req recharge.RefundRequest) (recharge.RemoteRefund, error) {
	if err := CheckNo(req.OrderID); err != nil {
		return recharge.RemoteRefund{}, err
	}
	if err := CheckNo(req.RefundID); err != nil {
		return recharge.RemoteRefund{}, err
	}
	if req.AmountFen <= 0 || req.AmountFen > maxFen || (req.TotalFen > 0 && req.AmountFen > req.TotalFen) {
		return recharge.RemoteRefund{}, fmt.Errorf("%w: %w: alipay: refund of %d fen", recharge.ErrRefundExceeded, recharge.ErrAggregatorRefused, req.AmountFen)
	}
	biz := map[string]string{"out_trade_no": req.OrderID, "out_request_no": req.RefundID,
		"refund_amount": Yuan(req.AmountFen), "refund_reason": req.Reason}
	raw, err := c.call(ctx, OpRefund, MethodRefund, biz)
	if err != nil {
		return recharge.RemoteRefund{}, tradeError(err, map[string][]error{
			"ACQ.TRADE_HAS_CLOSE":            {recharge.ErrOrderClosed, recharge.ErrAggregatorRefused},
			"ACQ.DISCORDANT_REPEAT_REQUEST":  {recharge.ErrOrderConflict, recharge.ErrAggregatorRefused},
			"ACQ.REFUND_AMT_NOT_EQUAL_TOTAL": {recharge.ErrRefundExceeded, recharge.ErrAggregatorRefused}})
	}
	var a struct {
		TradeNo      string `json:"trade_no"`
		OutTradeNo   string `json:"out_trade_no"`
		FundChange   string `json:"fund_change"`
		GmtRefundPay string `json:"gmt_refund_pay"`
	}
	if err := json.Unmarshal(raw, &a); err != nil || a.OutTradeNo != req.OrderID {
		return recharge.RemoteRefund{}, fmt.Errorf("alipay: refund of %q answered %q", req.OrderID, a.OutTradeNo)
	}
	out := recharge.RemoteRefund{OrderID: req.OrderID, RefundID: req.RefundID, ProviderRefundID: a.TradeNo,
		AmountFen: req.AmountFen, State: recharge.RefundProcessing}
	if a.FundChange == "Y" {
		out.State, out.SuccessTime = recharge.RefundSucceeded, parseTime(a.GmtRefundPay)
	}
	return out, nil
}

// QueryRefund implements recharge.Provider: alipay.trade.fastpay.refund.query. An
// answer without the refund is ErrRefundNotFound; with it, an empty refund_status
// or REFUND_SUCCESS is a refund done (as Alipay documents).
func (c *Client) QueryRefund(ctx context.Context, orderID, refundID string) (recharge.RemoteRefund, error) {
	if err := CheckNo(orderID); err != nil {
		return recharge.RemoteRefund{}, err
	}
	if err := CheckNo(refundID); err != nil {
		return recharge.RemoteRefund{}, err
	}
	biz := map[string]any{"out_trade_no": orderID, "out_request_no": refundID, "query_options": []string{"gmt_refund_pay"}}
	raw, err := c.call(ctx, OpRefundQuery, MethodRefundQuery, biz)
	if apiSub(err) == "ACQ.TRADE_NOT_EXIST" {
		return recharge.RemoteRefund{}, fmt.Errorf("%w: %w", recharge.ErrRefundNotFound, err)
	}
	if err != nil {
		return recharge.RemoteRefund{}, tradeError(err, nil)
	}
	var a struct {
		TradeNo      string   `json:"trade_no"`
		OutTradeNo   string   `json:"out_trade_no"`
		OutRequestNo string   `json:"out_request_no"`
		RefundAmount yuanText `json:"refund_amount"`
		RefundStatus string   `json:"refund_status"`
		GmtRefundPay string   `json:"gmt_refund_pay"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return recharge.RemoteRefund{}, fmt.Errorf("alipay: refund query of %q: %w", refundID, err)
	}
	if a.OutRequestNo == "" {
		return recharge.RemoteRefund{}, fmt.Errorf("%w: alipay: %q of %q", recharge.ErrRefundNotFound, refundID, orderID)
	}
	fen, err := ParseYuan(string(a.RefundAmount))
	if a.OutRequestNo != refundID || a.OutTradeNo != orderID || err != nil {
		return recharge.RemoteRefund{}, fmt.Errorf("alipay: refund query of %q answered %q (%q)", refundID, a.OutRequestNo, a.RefundAmount)
	}
	out := recharge.RemoteRefund{OrderID: orderID, RefundID: refundID, ProviderRefundID: a.TradeNo, AmountFen: fen,
		State: recharge.RefundProcessing}
	if a.RefundStatus == "" || a.RefundStatus == "REFUND_SUCCESS" {
		out.State, out.SuccessTime = recharge.RefundSucceeded, parseTime(a.GmtRefundPay)
	}
	return out, nil
}

// apiSub is the sub_code of an *APIError in err's chain ("" if none).
func apiSub(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.SubCode
	}
	return ""
}

// breakerError turns an open or saturated breaker into ErrUnavailable.
func breakerError(op Operation, err error) error {
	if errors.Is(err, gobreakerOpen) || errors.Is(err, gobreakerTooMany) {
		return fmt.Errorf("%w: %s: %v", ErrUnavailable, op, err)
	}
	return err
}

// tradeError marks err with the port's sentinels: the sub_codes of bySub, then
// ErrAggregatorUnavailable for an open breaker, ErrAggregatorRefused for any
// other definite Alipay answer. Temporary failures and unverified answers stay
// unmarked: their outcome is not known.
func tradeError(err error, bySub map[string][]error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrUnavailable) {
		return mark(err, recharge.ErrAggregatorUnavailable)
	}
	var ae *APIError
	if errors.Is(err, ErrTemporary) || !errors.As(err, &ae) {
		return err
	}
	if marks, ok := bySub[ae.SubCode]; ok {
		return mark(err, marks...)
	}
	return mark(err, recharge.ErrAggregatorRefused)
}

func mark(err error, marks ...error) error { return &markedError{err: err, marks: marks} }

// markedError is err, also matching each of marks with errors.Is.
type markedError struct {
	err   error
	marks []error
}

func (e *markedError) Error() string   { return e.err.Error() }
func (e *markedError) Unwrap() []error { return append([]error{e.err}, e.marks...) }

// parseTime reads an Alipay time (Asia/Shanghai) as UTC; zero if empty or malformed.
func parseTime(s string) time.Time {
	t, err := time.ParseInLocation(TimeLayout, s, Shanghai)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
