package recharge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/orders"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Create creates a recharge order of amountFen for the account, on behalf of the
// parent (whose right to reach the account the caller has checked). The same
// (parent, requestID) answers the same order; with another account or amount it is
// AlreadyExists IDEMPOTENCY_CONFLICT. Limits are checked before anything is written
// or sent (FailedPrecondition RECHARGE_SINGLE_MAX / RECHARGE_BALANCE_CAP). The
// answer is awaiting payment with a pay URL, or pending when the aggregator's answer
// was lost (the resolver settles it); when the aggregator cannot take the order it is
// failed and the error is ErrUnavailable (AGGREGATOR_UNAVAILABLE).
func (s *Service) Create(ctx context.Context, parentID, accountID string, amountFen int64, requestID string) (Recharge, error) {
	return s.CreateFor(ctx, parentID, accountID, amountFen, requestID, Payer{})
}

// Payer is how and from where the payer pays: the channel, and the client IP (H5)
// or openid (JSAPI) the provider asks for. The H5 pages run in a browser: ChannelH5
// with the client IP the edge sees.
type Payer struct {
	Channel  Channel
	ClientIP string
	OpenID   string
}

// CreateFor is Create for a payer paying through a channel.
func (s *Service) CreateFor(ctx context.Context, parentID, accountID string, amountFen int64, requestID string, payer Payer) (Recharge, error) {
	switch {
	case !payer.Channel.Valid():
		return Recharge{}, ErrChannelInvalid
	case parentID == "" || len(parentID) > orders.MaxPartyIDLen || accountID == "" || len(accountID) > orders.MaxPartyIDLen:
		return Recharge{}, reason.New(reason.KindInvalid, reason.InvalidArgument, "parent and account ids are required")
	case amountFen <= 0:
		return Recharge{}, reason.New(reason.KindInvalid, reason.InvalidAmount, "the amount must be positive")
	case requestID == "" || len(requestID) > orders.MaxRequestIDLen:
		return Recharge{}, reason.Invalid(reason.InvalidRequestID, "request_id must be 1–%d bytes", orders.MaxRequestIDLen)
	}
	prev, err := s.cfg.Orders.ByRequest(ctx, parentID, requestID)
	if err == nil {
		return s.replay(ctx, prev, accountID, amountFen)
	}
	if !errors.Is(err, orders.ErrNotFound) {
		return Recharge{}, s.storeError("read recharge order", err)
	}
	st, err := s.cfg.Accounts.State(ctx, accountID)
	if err != nil {
		return Recharge{}, err
	}
	if !st.GetOpened() {
		return Recharge{}, errNotOpened
	}
	p, key, err := s.providerFor(st.GetSchoolId())
	if err != nil {
		return Recharge{}, err
	}
	if payer, err = s.payerFor(ctx, parentID, p, payer); err != nil {
		return Recharge{}, err
	}
	id, err := s.newOrderID()
	if err != nil {
		return Recharge{}, err
	}
	now := s.cfg.Now()
	o := orders.Order{OrderID: id, RequestID: requestID, ParentID: parentID, AccountID: accountID, AmountFen: amountFen,
		Purpose: orders.PurposeRecharge, SchoolID: st.GetSchoolId(), MerchantKey: key,
		Channel: payer.Channel.stored(), ClientIP: payer.ClientIP, OpenID: payer.OpenID,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.OrderTTL).Truncate(time.Second)}
	var pending int64
	got, created, err := s.cfg.Orders.Create(ctx, o, func(p int64) error {
		pending = p
		return account.CheckRecharge(accountState(st), money.Amount(amountFen), money.Amount(p))
	})
	if err != nil {
		return Recharge{}, s.createError(err, st, amountFen, pending)
	}
	if !created {
		return s.replay(ctx, got, accountID, amountFen)
	}
	return s.place(ctx, p, got)
}

var errNotOpened = reason.New(reason.KindNotFound, reason.AccountNotOpened, "the account is not opened")

// accountState is the part of the grain's state CheckRecharge reads.
func accountState(st *grainv1.GetStateResponse) account.State {
	l := st.GetLimits()
	return account.State{AccountID: st.GetAccountId(), SchoolID: st.GetSchoolId(), Balance: money.Amount(st.GetBalanceFen()),
		Limits: account.Limits{SingleRechargeMax: money.Amount(l.GetSingleRechargeMaxFen()), BalanceCap: money.Amount(l.GetBalanceCapFen()),
			DailySpendCap: money.Amount(l.GetDailySpendCapFen()), ArrearsCap: money.Amount(l.GetArrearsCapFen())}}
}

// createError says why an order was not written: a limit (one wire name per rule,
// the grain's), an account not opened, a malformed amount, or the store.
func (s *Service) createError(err error, st *grainv1.GetStateResponse, amountFen, pending int64) error {
	l := st.GetLimits()
	switch {
	case errors.Is(err, account.ErrRechargeSingleMax):
		return reason.Wrap(reason.KindFailedPrecondition, reason.RechargeSingleMax,
			fmt.Sprintf("a single recharge may be at most %s yuan", money.Amount(l.GetSingleRechargeMaxFen())), err)
	case errors.Is(err, account.ErrRechargeBalanceCap):
		room := max(l.GetBalanceCapFen()-st.GetBalanceFen()-pending, 0)
		return reason.Wrap(reason.KindFailedPrecondition, reason.RechargeBalanceCap,
			fmt.Sprintf("balance %s + pending recharges %s + %s would exceed the cap of %s yuan: at most %s yuan now",
				money.Amount(st.GetBalanceFen()), money.Amount(pending), money.Amount(amountFen),
				money.Amount(l.GetBalanceCapFen()), money.Amount(room)), err)
	case errors.Is(err, account.ErrNotOpened):
		return errNotOpened
	case errors.Is(err, account.ErrInvalid):
		return reason.Wrap(reason.KindInvalid, account.Reason(err), err.Error(), err)
	}
	return s.storeError("create recharge order", err)
}

// replay answers a repeated request with its order (resumed when still pending).
func (s *Service) replay(ctx context.Context, o orders.Order, accountID string, amountFen int64) (Recharge, error) {
	if o.AccountID != accountID || o.AmountFen != amountFen || o.Purpose != orders.PurposeRecharge {
		return Recharge{}, reason.New(reason.KindAlreadyExists, reason.IdempotencyConflict, "the request id was used for another recharge")
	}
	return s.resume(ctx, o), nil
}

// resume answers a repeated request for an order whose create answer was lost
// (pending: no pay URL yet). It asks the provider again with identical fields,
// which answers the same order and pay URL (WeChat Pay and Alipay both take a
// repeated out_trade_no with the same fields; a paid or closed one is said so), so
// a parent who tries again can pay at once instead of waiting for the resolver.
// Whatever the provider says, the answer is the order as it now stands: a lost
// answer again leaves it pending for the resolver, nothing is failed on a guess.
func (s *Service) resume(ctx context.Context, o orders.Order) Recharge {
	if o.State != order.StatePending || !s.cfg.Now().Before(o.ExpiresAt) {
		return toRecharge(o)
	}
	p, err := s.providerOf(o)
	if err != nil {
		return toRecharge(o)
	}
	pctx, cancel := context.WithTimeout(ctx, s.cfg.Step)
	defer cancel()
	if _, err := s.replace(pctx, p, o); err != nil {
		s.log.Info("pending order asked again: still pending", "order", o.OrderID, "err", err)
	}
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Step)
	defer wcancel()
	cur, err := s.cfg.Orders.Get(wctx, o.OrderID)
	if err != nil {
		return toRecharge(o)
	}
	return toRecharge(cur)
}

// place sends a new (pending) order to its merchant p and records the answer.
func (s *Service) place(ctx context.Context, p Provider, o orders.Order) (Recharge, error) {
	resp, err := p.Place(ctx, s.placeRequest(o))
	// What the aggregator said is recorded even if the caller gave up meanwhile.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Step)
	defer cancel()
	result := order.CreateUnknown
	switch {
	case err == nil:
		result = order.CreateAccepted
	case definiteFailure(err):
		result = order.CreateRefused
	}
	to, moves := order.AfterCreate(result)
	switch {
	case !moves:
		s.log.Warn("recharge order outcome unknown; the resolver will query it", "order", o.OrderID, "err", err)
		return toRecharge(o), nil
	case result == order.CreateRefused:
		s.log.Warn("recharge order refused or aggregator unavailable", "order", o.OrderID, "err", err)
		if _, terr := s.cfg.Orders.Transition(wctx, o.OrderID, []order.State{o.State}, to, orders.Fields{}); terr != nil {
			s.log.Error("failed recharge order not recorded; the resolver will settle it", "order", o.OrderID, "err", terr)
		}
		return Recharge{}, ErrUnavailable
	}
	moved, terr := s.cfg.Orders.Transition(wctx, o.OrderID, []order.State{o.State}, to, recordedPay(channelOf(o.Channel), resp))
	if terr == nil {
		return toRecharge(moved), nil
	}
	if cur, gerr := s.cfg.Orders.Get(wctx, o.OrderID); gerr == nil && cur.State != order.StatePending {
		return toRecharge(cur), nil // a notification was faster
	}
	// Still pending here; the resolver re-asks with identical fields and gets this pay URL.
	s.log.Error("recharge order placed but not recorded", "order", o.OrderID, "err", terr)
	return toRecharge(o), nil
}

// placeRequest is the order at the aggregator; the same order always gives the same
// request (the payer's channel, IP and openid are kept on the order), so asking
// again is answered with the same order.
func (s *Service) placeRequest(o orders.Order) PlaceRequest {
	desc := s.cfg.Description
	if o.Purpose == orders.PurposeFee {
		desc = "一码通学杂费"
	}
	return PlaceRequest{OrderID: o.OrderID, AmountFen: o.AmountFen, Description: desc,
		NotifyURL: s.notifyURL(o), ExpiresAt: o.ExpiresAt.UTC(), Channel: channelOf(o.Channel), ClientIP: o.ClientIP, OpenID: o.OpenID}
}

var storedChannels = map[Channel]orders.Channel{ChannelH5: orders.ChannelH5, ChannelJSAPI: orders.ChannelJSAPI, ChannelNative: orders.ChannelNative}

// stored is c as the orders store keeps it ("" for an unknown channel: refused there).
func (c Channel) stored() orders.Channel {
	if v, ok := storedChannels[c]; ok {
		return v
	}
	return orders.Channel("unknown")
}

// channelOf is the stored channel as the port's ("" and orders before channels: H5).
func channelOf(c orders.Channel) Channel {
	for k, v := range storedChannels {
		if v == c {
			return k
		}
	}
	return ChannelH5
}
