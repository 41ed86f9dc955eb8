package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/gateway/aggregator"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// Recharges is the edge of the online recharge (app/recharge): proto answers for
// ParentService, and the aggregator's signed payment notifications over HTTP.
type Recharges struct {
	app      *recharge.Service
	verifier *aggregator.Verifier
	now      func() time.Time
	log      *slog.Logger
}

// NewRecharges builds the use cases of cfg (Providers per school, or the transitional
// Aggregator, aggregator.NewRechargePort) and the edge: /aggregator/notify verifies
// today's aggregator's notifications with verifier, /pay/notify/{merchant}
// (PayNotifyHandler) each merchant's with its Provider. verifier may be nil when
// every merchant's notifications go to /pay/notify (/aggregator/notify is then 404).
func NewRecharges(cfg recharge.Config, verifier *aggregator.Verifier) (*Recharges, error) {
	app, err := recharge.New(cfg)
	if err != nil {
		return nil, err
	}
	r := &Recharges{app: app, verifier: verifier, now: cfg.Now, log: cfg.Logger}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r, nil
}

// App is the use cases behind the edge.
func (r *Recharges) App() *recharge.Service { return r.app }

// Create is recharge.Service.CreateFor, answered as a proto: the payer pays through
// channel from the IP the edge sees.
func (r *Recharges) Create(ctx context.Context, parentID, accountID string, amountFen int64, requestID string,
	channel apiv1.PayChannel) (*apiv1.Recharge, error) {
	rc, err := r.app.CreateFor(ctx, parentID, accountID, amountFen, requestID, payerOf(ctx, channel))
	if err != nil {
		return nil, err
	}
	return RechargeProto(rc), nil
}

// CreateFee is recharge.Service.CreateFeeOrder for a payer through channel, answered
// as a proto.
func (r *Recharges) CreateFee(ctx context.Context, f recharge.FeeOrder, channel apiv1.PayChannel) (*apiv1.Recharge, error) {
	f.Payer = payerOf(ctx, channel)
	rc, err := r.app.CreateFeeOrder(ctx, f)
	if err != nil {
		return nil, err
	}
	return RechargeProto(rc), nil
}

// payerOf is the payer of a request: its channel (unspecified: H5) at the full
// client IP the edge sees (IPv4 or IPv6, for scene_info.payer_client_ip).
func payerOf(ctx context.Context, ch apiv1.PayChannel) recharge.Payer {
	return recharge.Payer{Channel: channelOf(ch), ClientIP: ClientIP(ctx)}
}

var channels = map[apiv1.PayChannel]recharge.Channel{
	apiv1.PayChannel_PAY_CHANNEL_UNSPECIFIED: recharge.ChannelH5,
	apiv1.PayChannel_PAY_CHANNEL_H5:          recharge.ChannelH5,
	apiv1.PayChannel_PAY_CHANNEL_JSAPI:       recharge.ChannelJSAPI,
	apiv1.PayChannel_PAY_CHANNEL_NATIVE:      recharge.ChannelNative,
}

// channelOf is the wire channel as the use case's (an unknown one is invalid:
// CHANNEL_INVALID there).
func channelOf(ch apiv1.PayChannel) recharge.Channel {
	if c, ok := channels[ch]; ok {
		return c
	}
	return recharge.Channel(255)
}

var wireChannels = map[recharge.Channel]apiv1.PayChannel{
	recharge.ChannelH5:     apiv1.PayChannel_PAY_CHANNEL_H5,
	recharge.ChannelJSAPI:  apiv1.PayChannel_PAY_CHANNEL_JSAPI,
	recharge.ChannelNative: apiv1.PayChannel_PAY_CHANNEL_NATIVE,
}

// Get is recharge.Service.Get, answered as a proto.
func (r *Recharges) Get(ctx context.Context, orderID string) (*apiv1.Recharge, error) {
	rc, err := r.app.Get(ctx, orderID)
	if err != nil {
		return nil, err
	}
	return RechargeProto(rc), nil
}

// GetOwn is recharge.Service.GetOwn, answered as a proto.
func (r *Recharges) GetOwn(ctx context.Context, parentID, orderID string) (*apiv1.Recharge, error) {
	rc, err := r.app.GetOwn(ctx, parentID, orderID)
	if err != nil {
		return nil, err
	}
	return RechargeProto(rc), nil
}

// Owner is recharge.Service.Owner.
func (r *Recharges) Owner(ctx context.Context, orderID string) (parentID, accountID string, err error) {
	return r.app.Owner(ctx, orderID)
}

// RunResolver is recharge.Service.RunResolver.
func (r *Recharges) RunResolver(ctx context.Context, interval time.Duration) error {
	return r.app.RunResolver(ctx, interval)
}

// ResolveOnce is recharge.Service.ResolveOnce.
func (r *Recharges) ResolveOnce(ctx context.Context) (int, error) { return r.app.ResolveOnce(ctx) }

var rechargeStates = map[order.State]apiv1.Recharge_State{
	order.StatePending:         apiv1.Recharge_STATE_PENDING,
	order.StateAwaitingPayment: apiv1.Recharge_STATE_AWAITING_PAYMENT,
	order.StateCredited:        apiv1.Recharge_STATE_CREDITED,
	order.StateClosed:          apiv1.Recharge_STATE_CLOSED,
	order.StateFailed:          apiv1.Recharge_STATE_FAILED,
}

// RechargeProto is the wire form of a recharge.
func RechargeProto(rc recharge.Recharge) *apiv1.Recharge {
	return &apiv1.Recharge{OrderId: rc.OrderID, AccountId: rc.AccountID, AmountFen: rc.AmountFen, State: rechargeStates[rc.State],
		PayUrl: rc.PayURL, CreatedUnix: rc.CreatedAt.Unix(), ExpiresUnix: rc.ExpiresAt.Unix(),
		Purpose: string(rc.Purpose), ItemId: rc.ItemID, Channel: wireChannels[rc.Channel], CodeUrl: rc.CodeURL,
		Jsapi: jsapiProto(rc.JSAPI)}
}

func jsapiProto(j *recharge.JSAPIParams) *apiv1.JSAPIPayment {
	if j == nil {
		return nil
	}
	return &apiv1.JSAPIPayment{AppId: j.AppID, TimeStamp: j.TimeStamp, NonceStr: j.NonceStr, Package: j.Package,
		SignType: j.SignType, PaySign: j.PaySign}
}

// NotifyHandler serves the aggregator's payment notifications (POST). It answers
// 200 only once the credit has committed (or had committed
// before: duplicates credit once); 400 to a forged, stale, tampered or malformed
// notification and to an amount that is not the order's; 404 to an unknown order
// (not acknowledged, so that the aggregator's bounded retries and our error log keep
// the trail of a payment we cannot place); 500 to anything temporary, so that the
// aggregator retries. Nothing changes on any non-200 answer.
func (r *Recharges) NotifyHandler() http.Handler { return http.HandlerFunc(r.serveNotify) }

func (r *Recharges) serveNotify(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeNotifyFail(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	if r.verifier == nil {
		writeNotifyFail(w, http.StatusNotFound, "notifications go to /pay/notify/{merchant}")
		return
	}
	n, err := r.verifier.VerifyNotification(req, r.now())
	if err != nil {
		r.log.Warn("recharge notification rejected", "remote", req.RemoteAddr, "err", err)
		aggregator.WriteAck(w, err)
		return
	}
	tx := n.Transaction
	if n.EventType != aggregator.EventTransactionSuccess || tx == nil || tx.TradeState != aggregator.StateSuccess {
		r.log.Info("recharge notification ignored", "id", n.ID, "event", n.EventType)
		aggregator.WriteAck(w, nil) // nothing of ours to do (refunds are not handled here yet)
		return
	}
	err = r.app.Paid(req.Context(), recharge.Payment{OrderID: tx.OutTradeNo, TransactionID: tx.TransactionID,
		AmountFen: tx.Amount.Total, NotificationID: n.ID})
	switch {
	case errors.Is(err, recharge.ErrUnknownOrder):
		writeNotifyFail(w, http.StatusNotFound, "unknown order")
	case errors.Is(err, recharge.ErrAmountMismatch):
		writeNotifyFail(w, http.StatusBadRequest, "amount does not match the order")
	default:
		aggregator.WriteAck(w, err)
	}
}

func writeNotifyFail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(aggregator.ErrorBody{Code: "FAIL", Message: msg})
}
