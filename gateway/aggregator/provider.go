package aggregator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
)

// ProviderName is what Provider.Name answers.
const ProviderName = "wechatpay"

// DefaultDescription is an order's description when the request has none.
const DefaultDescription = "一码通充值"

// Provider is one WeChat Pay merchant (direct, or a school as sub-merchant of
// OneCode's service-provider account) as the port app/recharge declares: its own
// request and answer types, and errors marked with the port's sentinels.
type Provider struct {
	client   *Client
	merchant Merchant
	// clientIP stands in for PlaceRequest.ClientIP when it is empty (see NewRechargePort).
	clientIP string
}

var (
	_ recharge.Provider       = (*Provider)(nil)
	_ recharge.Aggregator     = (*Provider)(nil)
	_ recharge.ChannelSupport = (*Provider)(nil)
)

// NewProvider is the provider of merchant m over c (whose keys sign for m.MchID).
func NewProvider(c *Client, m Merchant) (*Provider, error) {
	if c == nil {
		return nil, errors.New("wechatpay: provider needs a client")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if m.MchID != c.keys.MchID {
		return nil, fmt.Errorf("wechatpay: merchant %s is not the one the keys sign for (%s)", m.MchID, c.keys.MchID)
	}
	return &Provider{client: c, merchant: m}, nil
}

// NewRechargePort is the provider for today's recharge path (recharge.Aggregator),
// which places H5 orders without the payer's IP: clientIP stands in for
// PlaceRequest.ClientIP until the caller passes it (WeChat Pay wants the payer's).
func NewRechargePort(c *Client, m Merchant, clientIP string) (*Provider, error) {
	p, err := NewProvider(c, m)
	if err != nil {
		return nil, err
	}
	if net.ParseIP(clientIP) == nil {
		return nil, fmt.Errorf("wechatpay: stand-in client IP %q is not an IP", clientIP)
	}
	p.clientIP = clientIP
	return p, nil
}

// Name implements recharge.Provider.
func (p *Provider) Name() string { return ProviderName }

// Merchant is the merchant p places orders for.
func (p *Provider) Merchant() Merchant { return p.merchant }

// Place implements recharge.Aggregator: H5 (h5_url in PayURL), JSAPI (prepay_id and
// the signed WeixinJSBridge parameters) or Native (code_url).
func (p *Provider) Place(ctx context.Context, req recharge.PlaceRequest) (recharge.Placed, error) {
	m := p.merchant
	pr := PrepayRequest{Description: req.Description, OutTradeNo: req.OrderID, NotifyURL: req.NotifyURL,
		Amount: Amount{Total: req.AmountFen, Currency: CurrencyCNY}}
	if pr.Description == "" {
		pr.Description = DefaultDescription
	}
	if !req.ExpiresAt.IsZero() {
		pr.TimeExpire = FormatTime(req.ExpiresAt)
	}
	var tradeType string
	switch req.Channel {
	case recharge.ChannelH5:
		ip := req.ClientIP
		if ip == "" {
			ip = p.clientIP
		}
		if net.ParseIP(ip) == nil {
			return recharge.Placed{}, portError(fmt.Errorf("%w: H5 needs the payer's IP", ErrInvalidRequest))
		}
		tradeType, pr.SceneInfo = TradeH5, &SceneInfo{PayerClientIP: ip, H5Info: &H5Info{Type: "Wap"}}
	case recharge.ChannelJSAPI:
		if req.OpenID == "" {
			return recharge.Placed{}, portError(fmt.Errorf("%w: JSAPI needs the payer's openid", ErrInvalidRequest))
		}
		tradeType, pr.Payer = TradeJSAPI, p.payer(req.OpenID)
	case recharge.ChannelNative:
		tradeType = TradeNative
	default:
		return recharge.Placed{}, portError(fmt.Errorf("%w: channel %d", ErrInvalidRequest, req.Channel))
	}
	resp, err := p.client.Prepay(ctx, m, tradeType, pr)
	if err != nil {
		return recharge.Placed{}, portError(err)
	}
	placed := recharge.Placed{PayURL: resp.H5URL, CodeURL: resp.CodeURL, PrepayID: resp.PrepayID}
	if tradeType == TradeJSAPI {
		if placed.JSAPI, err = p.JSAPIParams(resp.PrepayID); err != nil {
			return recharge.Placed{}, err
		}
	}
	return placed, nil
}

// payer: openid (direct); sub_openid when the school has its own appid, else
// sp_openid (partner).
func (p *Provider) payer(openID string) *Payer {
	switch {
	case p.merchant.Mode == ModeDirect:
		return &Payer{OpenID: openID}
	case p.merchant.SubAppID != "":
		return &Payer{SubOpenID: openID}
	}
	return &Payer{SpOpenID: openID}
}

// Supports implements recharge.ChannelSupport: H5, JSAPI and Native.
func (p *Provider) Supports(c recharge.Channel) bool { return c.Valid() }

// JSAPIAppID implements recharge.ChannelSupport: the appid a JSAPI payer's openid is
// of (sub_appid when set, else appid, or sp_appid in service-provider mode).
func (p *Provider) JSAPIAppID() string {
	if p.merchant.SubAppID != "" {
		return p.merchant.SubAppID
	}
	return p.merchant.AppID
}

// JSAPIParams are the signed parameters of getBrandWCPayRequest for prepayID:
// paySign = base64(RSA-SHA256(merchant key, "appId\ntimeStamp\nnonceStr\npackage\n")).
// The appId is the one the payer's openid belongs to (sub_appid when set).
func (p *Provider) JSAPIParams(prepayID string) (*recharge.JSAPIParams, error) {
	appID := p.JSAPIAppID()
	nonce, err := NewNonce(p.client.random, 32)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(p.client.now().Unix(), 10)
	pkg := "prepay_id=" + prepayID
	sig, err := Sign(p.client.keys.MerchantKey, JSAPIMessage(appID, ts, nonce, pkg))
	if err != nil {
		return nil, err
	}
	return &recharge.JSAPIParams{AppID: appID, TimeStamp: ts, NonceStr: nonce, Package: pkg, SignType: "RSA", PaySign: sig}, nil
}

// Query implements recharge.Aggregator: an order WeChat Pay does not know (an
// unsigned 404 ORDER_NOT_EXIST) is order.RemoteUnknown, not an error.
func (p *Provider) Query(ctx context.Context, orderID string) (recharge.RemoteOrder, error) {
	tx, err := p.client.QueryOrder(ctx, p.merchant, orderID)
	if errors.Is(err, ErrNotFound) {
		return recharge.RemoteOrder{State: order.RemoteUnknown}, nil
	}
	if err != nil {
		return recharge.RemoteOrder{}, portError(err)
	}
	return recharge.RemoteOrder{State: RemoteState(tx.TradeState), AmountFen: tx.Amount.Total,
		TransactionID: tx.TransactionID, ProviderState: string(tx.TradeState)}, nil
}

// RemoteState maps a trade state to what the order state machine knows:
//   - NOTPAY, USERPAYING → NotPaid: no money yet (USERPAYING is a payer typing a
//     password; it ends in SUCCESS or PAYERROR), the order stays open;
//   - SUCCESS → Paid: the money is in;
//   - REFUND → Refunded: it was paid and (some of) it went back, so a recharge must
//     not be credited from here on;
//   - CLOSED, REVOKED, PAYERROR → Closed: no money came and none will under this
//     out_trade_no (PAYERROR is final for the transaction; the payer starts a new one).
//
// An unknown state is the zero Remote, which order.Resolve leaves alone.
func RemoteState(s TradeState) order.Remote { return remoteStates[s] }

var remoteStates = map[TradeState]order.Remote{
	StateNotPay:     order.RemoteNotPaid,
	StateUserPaying: order.RemoteNotPaid,
	StateSuccess:    order.RemotePaid,
	StateRefund:     order.RemoteRefunded,
	StateClosed:     order.RemoteClosed,
	StateRevoked:    order.RemoteClosed,
	StatePayError:   order.RemoteClosed,
}

// Close implements recharge.Aggregator.
func (p *Provider) Close(ctx context.Context, orderID string) error {
	return portError(p.client.CloseOrder(ctx, p.merchant, orderID))
}

// Refund implements recharge.Provider.
func (p *Provider) Refund(ctx context.Context, req recharge.RefundRequest) (recharge.RemoteRefund, error) {
	rf, err := p.client.Refund(ctx, p.merchant, RefundRequest{OutTradeNo: req.OrderID, OutRefundNo: req.RefundID,
		Reason: req.Reason, NotifyURL: req.NotifyURL,
		Amount: RefundAmount{Refund: req.AmountFen, Total: req.TotalFen, Currency: CurrencyCNY}})
	if err != nil {
		return recharge.RemoteRefund{}, portError(err)
	}
	return remoteRefund(rf), nil
}

// QueryRefund implements recharge.Provider (recharge.ErrRefundNotFound on
// RESOURCE_NOT_EXISTS).
func (p *Provider) QueryRefund(ctx context.Context, orderID, refundID string) (recharge.RemoteRefund, error) {
	rf, err := p.client.QueryRefund(ctx, p.merchant, refundID)
	if errors.Is(err, ErrNotFound) {
		return recharge.RemoteRefund{}, &markedError{err: err, marks: []error{recharge.ErrRefundNotFound}}
	}
	if err != nil {
		return recharge.RemoteRefund{}, portError(err)
	}
	if rf.OutTradeNo != orderID {
		return recharge.RemoteRefund{}, fmt.Errorf("%w: refund %s is of order %s, not %s", ErrRejected, refundID, rf.OutTradeNo, orderID)
	}
	return remoteRefund(rf), nil
}

var refundStates = map[RefundStatus]recharge.RefundState{
	RefundProcessing: recharge.RefundProcessing,
	RefundSuccess:    recharge.RefundSucceeded,
	RefundClosed:     recharge.RefundClosed,
	RefundAbnormal:   recharge.RefundAbnormal,
}

func remoteRefund(rf Refund) recharge.RemoteRefund {
	out := recharge.RemoteRefund{OrderID: rf.OutTradeNo, RefundID: rf.OutRefundNo, ProviderRefundID: rf.RefundID,
		AmountFen: rf.Amount.Refund, State: refundStates[rf.State()]}
	if t, err := time.Parse(time.RFC3339, rf.SuccessTime); err == nil && out.State == recharge.RefundSucceeded {
		out.SuccessTime = t.UTC()
	}
	return out
}

// VerifyNotification implements recharge.Provider: a payment (TRANSACTION.SUCCESS in
// trade_state SUCCESS) or a refund (REFUND.*) of this merchant; a verified
// notification of another kind is a Notice with neither (acknowledge and ignore).
// Every failure wraps recharge.ErrBadNotification, and so does a notification of
// another merchant (it verified, but it is not ours to act on).
func (p *Provider) VerifyNotification(h http.Header, body []byte, now time.Time) (recharge.Notice, error) {
	n, err := p.client.verifier.Verify(h, body, now)
	if err != nil {
		return recharge.Notice{}, fmt.Errorf("%w: %w", recharge.ErrBadNotification, err)
	}
	notice := recharge.Notice{ID: n.ID}
	switch {
	case n.Transaction != nil:
		tx := n.Transaction
		if !p.merchant.Owns(tx.MchID, tx.SpMchID, tx.SubMchID) {
			return recharge.Notice{}, fmt.Errorf("%w: %w: payment of another merchant", recharge.ErrBadNotification, ErrBadResource)
		}
		if n.EventType == EventTransactionSuccess && tx.TradeState == StateSuccess {
			notice.Payment = &recharge.Payment{OrderID: tx.OutTradeNo, TransactionID: tx.TransactionID,
				AmountFen: tx.Amount.Total, NotificationID: n.ID}
		}
	case n.Refund != nil:
		rf := n.Refund
		if !p.merchant.Owns(rf.MchID, rf.SpMchID, rf.SubMchID) {
			return recharge.Notice{}, fmt.Errorf("%w: %w: refund of another merchant", recharge.ErrBadNotification, ErrBadResource)
		}
		r := remoteRefund(*rf)
		notice.Refund = &r
	}
	return notice, nil
}

// Ack implements recharge.Provider (WriteAck).
func (p *Provider) Ack(w http.ResponseWriter, err error) {
	if errors.Is(err, recharge.ErrBadNotification) && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrStale) {
		err = fmt.Errorf("%w: %w", ErrBadResource, err)
	}
	WriteAck(w, err)
}

// portError marks err with the port's sentinels, keeping it in the chain. A
// temporary failure (timeout, 5xx, 429) and an answer that did not verify stay
// unmarked: their outcome is not known.
func portError(err error) error {
	if err == nil {
		return nil
	}
	var marks []error
	switch {
	case errors.Is(err, ErrUnavailable):
		marks = append(marks, recharge.ErrAggregatorUnavailable)
	case errors.Is(err, ErrTemporary), errors.Is(err, ErrOutcomeUnknown):
		return err
	case errors.Is(err, ErrOrderPaid):
		marks = append(marks, recharge.ErrOrderPaid)
	case errors.Is(err, ErrOrderClosed):
		marks = append(marks, recharge.ErrOrderClosed)
	case errors.Is(err, ErrConflict):
		marks = append(marks, recharge.ErrOrderConflict)
	}
	var ae *APIError
	if !errors.Is(err, ErrOrderPaid) && (errors.As(err, &ae) || errors.Is(err, ErrInvalidRequest)) {
		marks = append(marks, recharge.ErrAggregatorRefused)
	}
	if len(marks) == 0 {
		return err
	}
	return &markedError{err: err, marks: marks}
}

// markedError is err, also matching each of marks with errors.Is.
type markedError struct {
	err   error
	marks []error
}

func (e *markedError) Error() string   { return e.err.Error() }
func (e *markedError) Unwrap() []error { return append([]error{e.err}, e.marks...) }

// Statement implements recharge.Statements: the merchant's trade bill of day.
func (p *Provider) Statement(ctx context.Context, day string) ([]recharge.StatementLine, error) {
	return p.client.TradeBill(ctx, p.merchant, day)
}
