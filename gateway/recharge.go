package gateway

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/persistence/orders"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Reasons of the recharge errors (ErrorInfo details; the REST edge shows them).
const (
	ReasonRechargeOverSingleMax  = "RECHARGE_OVER_SINGLE_MAX"
	ReasonRechargeOverBalanceCap = "RECHARGE_OVER_BALANCE_CAP"
	ReasonAggregatorUnavailable  = "AGGREGATOR_UNAVAILABLE"
	ReasonRechargeNotFound       = "RECHARGE_NOT_FOUND"
)

// Bounds and defaults of the recharges.
const (
	DefaultOrderTTL     = 15 * time.Minute
	DefaultResolveAfter = 2 * time.Minute
	DefaultResolveBatch = 100
	DefaultRechargeStep = 10 * time.Second
	maxOrderTTL         = 2 * time.Hour
	orderIDRandomChars  = 20
)

// RechargeAccounts is what the recharges need of the Account grains (*actors.Accounts).
type RechargeAccounts interface {
	Execute(ctx context.Context, accountID string, req *grainv1.ExecuteRequest) (*grainv1.ExecuteResponse, error)
	State(ctx context.Context, accountID string) (*grainv1.GetStateResponse, error)
}

// AggregatorOrders is what the recharges need of the aggregator (*aggregator.Client).
type AggregatorOrders interface {
	CreateOrder(ctx context.Context, req aggregator.CreateOrderRequest) (aggregator.CreateOrderResponse, error)
	QueryOrder(ctx context.Context, outTradeNo string) (aggregator.Order, error)
	CloseOrder(ctx context.Context, outTradeNo string) error
}

// RechargeConfig configures Recharges; cmd/onecode builds it once.
type RechargeConfig struct {
	Accounts   RechargeAccounts
	Orders     orders.Store
	Aggregator AggregatorOrders
	Verifier   *aggregator.Verifier
	// NotifyURL is where the aggregator posts payment notifications: the absolute
	// URL of NotifyHandler as the aggregator reaches it.
	NotifyURL string
	// Description is the order's description at the aggregator (default "一码通充值").
	Description string
	// OrderTTL is how long the parent has to pay (default 15 min, at most 2 h).
	OrderTTL time.Duration
	// ResolveAfter: the resolver queries an open order last written this long ago
	// (default 2 min). It must be well above the aggregator's call timeout, so that
	// the resolver never races a Create still waiting for its answer.
	ResolveAfter time.Duration
	// ResolveBatch bounds the orders of one resolver round (default 100).
	ResolveBatch int
	// Step bounds each credit, store write and aggregator step of the notification
	// handler and the resolver (default 10 s).
	Step   time.Duration
	Now    func() time.Time
	Rand   io.Reader
	Logger *slog.Logger
}

// Recharges runs the online recharge of DESIGN.md §2 and §4 (seed 1 §4.2): limits
// checked first, the order written before the aggregator is called, a credit only
// on a verified payment, once, and open orders resolved by query, never by a second
// order. Canteen payments never go through here.
type Recharges struct {
	cfg RechargeConfig
	log *slog.Logger
}

// NewRecharges validates cfg and builds the component.
func NewRecharges(cfg RechargeConfig) (*Recharges, error) {
	if cfg.Accounts == nil || cfg.Orders == nil || cfg.Aggregator == nil || cfg.Verifier == nil || cfg.Now == nil || cfg.Rand == nil {
		return nil, errors.New("recharges: Accounts, Orders, Aggregator, Verifier, Now and Rand are required")
	}
	if u, err := url.Parse(cfg.NotifyURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("recharges: notify URL %q must be an absolute http(s) URL", cfg.NotifyURL)
	}
	if cfg.Description == "" {
		cfg.Description = "一码通充值"
	}
	if cfg.OrderTTL == 0 {
		cfg.OrderTTL = DefaultOrderTTL
	}
	if cfg.ResolveAfter == 0 {
		cfg.ResolveAfter = DefaultResolveAfter
	}
	if cfg.ResolveBatch == 0 {
		cfg.ResolveBatch = DefaultResolveBatch
	}
	if cfg.Step == 0 {
		cfg.Step = DefaultRechargeStep
	}
	switch {
	case cfg.OrderTTL < time.Minute || cfg.OrderTTL > maxOrderTTL:
		return nil, fmt.Errorf("recharges: order TTL %v, want 1 min … %v", cfg.OrderTTL, maxOrderTTL)
	case cfg.ResolveAfter <= 0 || cfg.Step <= 0:
		return nil, errors.New("recharges: ResolveAfter and Step must be positive")
	case orders.ValidateLimit(cfg.ResolveBatch) != nil:
		return nil, fmt.Errorf("recharges: resolve batch %d, want 1…%d", cfg.ResolveBatch, orders.MaxBatch)
	}
	r := &Recharges{cfg: cfg, log: cfg.Logger}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r, nil
}

// Create creates a recharge order of amountFen for the account, on behalf of the
// parent (whose right to reach the account the caller has checked). The same
// (parent, requestID) answers the same order; with another account or amount it is
// AlreadyExists IDEMPOTENCY_CONFLICT. Limits are checked before anything is written
// or sent (FailedPrecondition RECHARGE_OVER_SINGLE_MAX / RECHARGE_OVER_BALANCE_CAP).
// The answer is AWAITING_PAYMENT with a pay URL, or PENDING when the aggregator's
// answer was lost (the resolver settles it); when the aggregator is unavailable the
// order is FAILED and the error is Unavailable AGGREGATOR_UNAVAILABLE.
func (r *Recharges) Create(ctx context.Context, parentID, accountID string, amountFen int64, requestID string) (*apiv1.Recharge, error) {
	switch {
	case parentID == "" || len(parentID) > orders.MaxPartyIDLen || accountID == "" || len(accountID) > orders.MaxPartyIDLen:
		return nil, Status(codes.InvalidArgument, "INVALID_ARGUMENT", "parent and account ids are required")
	case amountFen <= 0:
		return nil, Status(codes.InvalidArgument, "INVALID_AMOUNT", "the amount must be positive")
	case requestID == "" || len(requestID) > orders.MaxRequestIDLen:
		return nil, Status(codes.InvalidArgument, "INVALID_REQUEST_ID", fmt.Sprintf("request_id must be 1–%d bytes", orders.MaxRequestIDLen))
	}
	prev, err := r.cfg.Orders.ByRequest(ctx, parentID, requestID)
	if err == nil {
		return replayRecharge(prev, accountID, amountFen)
	}
	if !errors.Is(err, orders.ErrNotFound) {
		return nil, r.storeStatus("read recharge order", err)
	}
	st, err := r.cfg.Accounts.State(ctx, accountID)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	if !st.GetOpened() {
		return nil, Status(codes.NotFound, "ACCOUNT_NOT_OPENED", "the account is not opened")
	}
	id, err := r.newOrderID()
	if err != nil {
		return nil, ErrorStatus(err)
	}
	now := r.cfg.Now()
	o := orders.Order{OrderID: id, RequestID: requestID, ParentID: parentID, AccountID: accountID, AmountFen: amountFen,
		CreatedAt: now, ExpiresAt: now.Add(r.cfg.OrderTTL).Truncate(time.Second)}
	var pending int64
	got, created, err := r.cfg.Orders.Create(ctx, o, func(p int64) error {
		pending = p
		return account.CheckRecharge(accountState(st), money.Amount(amountFen), money.Amount(p))
	})
	if err != nil {
		return nil, r.createError(err, st, amountFen, pending)
	}
	if !created {
		return replayRecharge(got, accountID, amountFen)
	}
	return r.place(ctx, got)
}

// accountState is the part of the grain's state CheckRecharge reads.
func accountState(st *grainv1.GetStateResponse) account.State {
	l := st.GetLimits()
	return account.State{AccountID: st.GetAccountId(), SchoolID: st.GetSchoolId(), Balance: money.Amount(st.GetBalanceFen()),
		Limits: account.Limits{SingleRechargeMax: money.Amount(l.GetSingleRechargeMaxFen()), BalanceCap: money.Amount(l.GetBalanceCapFen()),
			DailySpendCap: money.Amount(l.GetDailySpendCapFen()), ArrearsCap: money.Amount(l.GetArrearsCapFen())}}
}

func (r *Recharges) createError(err error, st *grainv1.GetStateResponse, amountFen, pending int64) error {
	l := st.GetLimits()
	switch {
	case errors.Is(err, account.ErrRechargeSingleMax):
		return Status(codes.FailedPrecondition, ReasonRechargeOverSingleMax,
			fmt.Sprintf("a single recharge may be at most %s yuan", money.Amount(l.GetSingleRechargeMaxFen())))
	case errors.Is(err, account.ErrRechargeBalanceCap):
		room := max(l.GetBalanceCapFen()-st.GetBalanceFen()-pending, 0)
		return Status(codes.FailedPrecondition, ReasonRechargeOverBalanceCap,
			fmt.Sprintf("balance %s + pending recharges %s + %s would exceed the cap of %s yuan: at most %s yuan now",
				money.Amount(st.GetBalanceFen()), money.Amount(pending), money.Amount(amountFen),
				money.Amount(l.GetBalanceCapFen()), money.Amount(room)))
	case errors.Is(err, account.ErrNotOpened):
		return Status(codes.NotFound, "ACCOUNT_NOT_OPENED", "the account is not opened")
	case errors.Is(err, account.ErrInvalid):
		return Status(codes.InvalidArgument, account.Reason(err), err.Error())
	}
	return r.storeStatus("create recharge order", err)
}

// replayRecharge answers a repeated request with its order.
func replayRecharge(o orders.Order, accountID string, amountFen int64) (*apiv1.Recharge, error) {
	if o.AccountID != accountID || o.AmountFen != amountFen {
		return nil, Status(codes.AlreadyExists, "IDEMPOTENCY_CONFLICT", "the request id was used for another recharge")
	}
	return rechargeProto(o), nil
}

// place sends a new (pending) order to the aggregator and records the answer.
func (r *Recharges) place(ctx context.Context, o orders.Order) (*apiv1.Recharge, error) {
	resp, err := r.cfg.Aggregator.CreateOrder(ctx, r.createRequest(o))
	// What the aggregator said is recorded even if the caller gave up meanwhile.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.Step)
	defer cancel()
	switch {
	case err == nil:
		moved, terr := r.cfg.Orders.Transition(wctx, o.OrderID, []orders.State{orders.StatePending}, orders.StateAwaitingPayment,
			orders.Fields{PayURL: resp.PayURL})
		if terr == nil {
			return rechargeProto(moved), nil
		}
		if cur, gerr := r.cfg.Orders.Get(wctx, o.OrderID); gerr == nil && cur.State != orders.StatePending {
			return rechargeProto(cur), nil // a notification was faster
		}
		// Still pending here; the resolver re-asks with identical fields and gets this pay URL.
		r.log.Error("recharge order placed but not recorded", "order", o.OrderID, "err", terr)
		return rechargeProto(o), nil
	case definiteFailure(err):
		r.log.Warn("recharge order refused or aggregator unavailable", "order", o.OrderID, "account", o.AccountID, "err", err)
		if _, terr := r.cfg.Orders.Transition(wctx, o.OrderID, []orders.State{orders.StatePending}, orders.StateFailed, orders.Fields{}); terr != nil {
			r.log.Error("failed recharge order not recorded; the resolver will settle it", "order", o.OrderID, "err", terr)
		}
		return nil, Status(codes.Unavailable, ReasonAggregatorUnavailable, "recharge is temporarily unavailable")
	default:
		r.log.Warn("recharge order outcome unknown; the resolver will query it", "order", o.OrderID, "err", err)
		return rechargeProto(o), nil
	}
}

// definiteFailure: the aggregator has no such order and will not get one (the breaker
// was open and nothing was sent, or it refused the request). A timeout, a 5xx or an
// unverifiable answer is not definite: the order may exist.
func definiteFailure(err error) bool {
	if errors.Is(err, aggregator.ErrUnavailable) {
		return true
	}
	if errors.Is(err, aggregator.ErrTemporary) || errors.Is(err, aggregator.ErrOrderPaid) {
		return false
	}
	var ae *aggregator.APIError
	return errors.As(err, &ae) || errors.Is(err, aggregator.ErrInvalidRequest)
}

// createRequest is the order at the aggregator; the same order always gives the same
// request, so asking again is answered with the same prepay id.
func (r *Recharges) createRequest(o orders.Order) aggregator.CreateOrderRequest {
	return aggregator.CreateOrderRequest{OutTradeNo: o.OrderID, AmountFen: o.AmountFen, Description: r.cfg.Description,
		NotifyURL: r.cfg.NotifyURL, ExpireAt: o.ExpiresAt.UTC()}
}

// newOrderID is "R" and 20 random base32 characters (100 bits).
func (r *Recharges) newOrderID() (string, error) {
	b := make([]byte, 13)
	if _, err := io.ReadFull(r.cfg.Rand, b); err != nil {
		return "", fmt.Errorf("recharges: random order id: %w", err)
	}
	return "R" + base32.StdEncoding.EncodeToString(b)[:orderIDRandomChars], nil
}

// Get returns a recharge order (NotFound RECHARGE_NOT_FOUND). The caller checks
// ownership with Owner first.
func (r *Recharges) Get(ctx context.Context, orderID string) (*apiv1.Recharge, error) {
	o, err := r.get(ctx, orderID)
	if err != nil {
		return nil, err
	}
	return rechargeProto(o), nil
}

// Owner returns who created the order and for which account (NotFound
// RECHARGE_NOT_FOUND), so that ParentService can refuse other parents' orders.
func (r *Recharges) Owner(ctx context.Context, orderID string) (parentID, accountID string, err error) {
	o, err := r.get(ctx, orderID)
	if err != nil {
		return "", "", err
	}
	return o.ParentID, o.AccountID, nil
}

func (r *Recharges) get(ctx context.Context, orderID string) (orders.Order, error) {
	o, err := r.cfg.Orders.Get(ctx, orderID)
	if errors.Is(err, orders.ErrNotFound) || errors.Is(err, orders.ErrInvalid) {
		return o, Status(codes.NotFound, ReasonRechargeNotFound, "no such recharge")
	}
	if err != nil {
		return o, r.storeStatus("read recharge order", err)
	}
	return o, nil
}

func (r *Recharges) storeStatus(what string, err error) error {
	switch {
	case errors.Is(err, orders.ErrInvalid):
		return Status(codes.InvalidArgument, "INVALID_ARGUMENT", err.Error())
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return ErrorStatus(err)
	}
	r.log.Error("recharge store", "op", what, "err", err)
	return Status(codes.Unavailable, "UNAVAILABLE", "temporarily unavailable: retry with the same request id")
}

var rechargeStates = map[orders.State]apiv1.Recharge_State{
	orders.StatePending:         apiv1.Recharge_STATE_PENDING,
	orders.StateAwaitingPayment: apiv1.Recharge_STATE_AWAITING_PAYMENT,
	orders.StateCredited:        apiv1.Recharge_STATE_CREDITED,
	orders.StateClosed:          apiv1.Recharge_STATE_CLOSED,
	orders.StateFailed:          apiv1.Recharge_STATE_FAILED,
}

func rechargeProto(o orders.Order) *apiv1.Recharge {
	rc := &apiv1.Recharge{OrderId: o.OrderID, AccountId: o.AccountID, AmountFen: o.AmountFen, State: rechargeStates[o.State],
		CreatedUnix: o.CreatedAt.Unix(), ExpiresUnix: o.ExpiresAt.Unix()}
	if o.State == orders.StateAwaitingPayment {
		rc.PayUrl = o.PayURL // only while it can be paid
	}
	return rc
}

// NotifyHandler serves the aggregator's payment notifications (POST). It answers
// 200 {"code":"SUCCESS"} only once the credit has committed (or had committed
// before: duplicates credit once); 400 to a forged, stale, tampered or malformed
// notification and to an amount that is not the order's; 404 to an unknown order
// (not acknowledged, so the aggregator's bounded retries and our error log keep the
// trail of a payment we cannot place); 500 to anything temporary, so that the
// aggregator retries. Nothing changes on any non-200 answer.
func (r *Recharges) NotifyHandler() http.Handler { return http.HandlerFunc(r.serveNotify) }

func (r *Recharges) serveNotify(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeNotifyFail(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	n, err := r.cfg.Verifier.VerifyNotification(req, r.cfg.Now())
	if err != nil {
		r.log.Warn("recharge notification rejected", "remote", req.RemoteAddr, "err", err)
		aggregator.WriteAck(w, err)
		return
	}
	if n.EventType != aggregator.EventTransactionSuccess || n.TradeState != aggregator.StateSuccess {
		r.log.Info("recharge notification ignored", "id", n.ID, "event", n.EventType, "state", n.TradeState, "order", n.OutTradeNo)
		aggregator.WriteAck(w, nil) // nothing of ours to do
		return
	}
	ctx, cancel := context.WithTimeout(req.Context(), r.cfg.Step)
	defer cancel()
	o, err := r.cfg.Orders.Get(ctx, n.OutTradeNo)
	switch {
	case errors.Is(err, orders.ErrNotFound), errors.Is(err, orders.ErrInvalid):
		r.log.Error("PAYMENT FOR AN UNKNOWN RECHARGE ORDER", "order", n.OutTradeNo, "transaction", n.TransactionID,
			"amount_fen", n.AmountFen, "notification", n.ID)
		writeNotifyFail(w, http.StatusNotFound, "unknown order")
		return
	case err != nil:
		r.log.Warn("recharge notification: order not read", "order", n.OutTradeNo, "err", err)
		aggregator.WriteAck(w, err)
		return
	}
	if n.AmountFen != o.AmountFen {
		r.log.Error("RECHARGE AMOUNT MISMATCH: notification refused", "order", o.OrderID, "order_fen", o.AmountFen,
			"paid_fen", n.AmountFen, "transaction", n.TransactionID, "notification", n.ID)
		writeNotifyFail(w, http.StatusBadRequest, "amount does not match the order")
		return
	}
	if err := r.credit(ctx, o, n.TransactionID); err != nil {
		r.log.Warn("recharge notification not processed; the aggregator will retry", "order", o.OrderID, "err", err)
		aggregator.WriteAck(w, err)
		return
	}
	aggregator.WriteAck(w, nil)
}

func writeNotifyFail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(aggregator.ErrorBody{Code: "FAIL", Message: msg})
}

// errCreditDeclined: the grain refused a verified payment's credit; an operator must look.
var errCreditDeclined = errors.New("recharges: credit declined")

// credit credits a paid order to its account, once (the grain dedupes by order id),
// then marks the order credited. It returns nil only once both have committed.
func (r *Recharges) credit(ctx context.Context, o orders.Order, transactionID string) error {
	if o.State == orders.StateCredited {
		return nil
	}
	if transactionID == "" {
		return fmt.Errorf("recharges: paid order %s has no transaction id", o.OrderID)
	}
	if !o.State.Open() {
		r.log.Warn("crediting a paid recharge order we had given up on", "order", o.OrderID, "state", o.State)
	}
	resp, err := r.cfg.Accounts.Execute(ctx, o.AccountID, &grainv1.ExecuteRequest{IdemKey: o.OrderID,
		Command: &grainv1.ExecuteRequest_RechargeCredit{RechargeCredit: &grainv1.RechargeCreditCommand{OrderId: o.OrderID, AmountFen: o.AmountFen}}})
	if err != nil {
		return fmt.Errorf("recharges: credit order %s: %w", o.OrderID, err)
	}
	if d := resp.GetDeclined(); d != nil {
		r.log.Error("PAID RECHARGE NOT CREDITED: the account declined", "order", o.OrderID, "account", o.AccountID,
			"reason", d.GetReason(), "message", d.GetMessage())
		return fmt.Errorf("%w: order %s: %s", errCreditDeclined, o.OrderID, d.GetReason())
	}
	_, err = r.cfg.Orders.Transition(ctx, o.OrderID,
		[]orders.State{orders.StatePending, orders.StateAwaitingPayment, orders.StateClosed, orders.StateFailed},
		orders.StateCredited, orders.Fields{TransactionID: transactionID})
	if errors.Is(err, orders.ErrConflict) {
		if cur, gerr := r.cfg.Orders.Get(ctx, o.OrderID); gerr == nil && cur.State == orders.StateCredited {
			return nil // a concurrent duplicate got there first
		}
	}
	if err == nil {
		r.log.Info("recharge credited", "order", o.OrderID, "account", o.AccountID, "amount_fen", o.AmountFen,
			"replayed", resp.GetAccepted().GetReplayed())
	}
	return err
}

// RunResolver settles open orders every interval until ctx ends (run it in one
// goroutine per process; several members may run it: every step is idempotent).
func (r *Recharges) RunResolver(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return errors.New("recharges: resolver interval must be positive")
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := r.ResolveOnce(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("recharge resolver round stopped early", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// ResolveOnce runs one bounded round over the open orders last written more than
// ResolveAfter ago and returns how many it settled (credited, closed, failed or now
// awaiting payment). Query SUCCESS → credit; NOTPAY past expiry → close; CLOSED →
// closed; unknown at the aggregator → failed (pending) or closed (expired); a lost
// create answer (pending, NOTPAY) → the same create again, which the aggregator
// answers with the same order. A temporary error leaves the order for the next
// round; an open breaker ends the round.
func (r *Recharges) ResolveOnce(ctx context.Context) (int, error) {
	list, err := r.cfg.Orders.ListToResolve(ctx, r.cfg.Now().Add(-r.cfg.ResolveAfter), r.cfg.ResolveBatch)
	if err != nil {
		return 0, err
	}
	settled := 0
	for _, o := range list {
		if err := ctx.Err(); err != nil {
			return settled, err
		}
		done, err := r.resolve(ctx, o)
		if done {
			settled++
		}
		if errors.Is(err, aggregator.ErrUnavailable) {
			return settled, err
		}
		if err != nil {
			r.log.Warn("recharge order not resolved this round", "order", o.OrderID, "err", err)
		}
	}
	return settled, nil
}

func (r *Recharges) resolve(ctx context.Context, o orders.Order) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Step)
	defer cancel()
	expired := !r.cfg.Now().Before(o.ExpiresAt)
	q, err := r.cfg.Aggregator.QueryOrder(ctx, o.OrderID)
	switch {
	case errors.Is(err, aggregator.ErrNotFound) && (o.State == orders.StatePending || expired):
		r.log.Warn("recharge order unknown to the aggregator", "order", o.OrderID, "state", o.State)
		if o.State == orders.StatePending {
			return r.move(ctx, o, orders.StateFailed, orders.Fields{})
		}
		return r.move(ctx, o, orders.StateClosed, orders.Fields{})
	case errors.Is(err, aggregator.ErrNotFound):
		r.log.Warn("awaiting recharge order unknown to the aggregator; closed at expiry", "order", o.OrderID)
		return false, r.touch(ctx, o)
	case err != nil:
		return false, err
	}
	switch q.State {
	case aggregator.StateSuccess:
		if q.AmountFen != o.AmountFen {
			r.log.Error("RECHARGE AMOUNT MISMATCH at query: not credited", "order", o.OrderID, "order_fen", o.AmountFen, "paid_fen", q.AmountFen)
			return false, r.touch(ctx, o)
		}
		err := r.credit(ctx, o, q.TransactionID)
		return err == nil, err
	case aggregator.StateClosed:
		return r.move(ctx, o, orders.StateClosed, orders.Fields{})
	case aggregator.StateNotPay:
		if expired {
			return r.close(ctx, o)
		}
		if o.State == orders.StatePending {
			return r.replace(ctx, o)
		}
		return false, r.touch(ctx, o)
	}
	r.log.Error("recharge order refunded at the aggregator before it was credited", "order", o.OrderID, "state", q.State)
	return false, r.touch(ctx, o)
}

// close closes an expired unpaid order at the aggregator, then here.
func (r *Recharges) close(ctx context.Context, o orders.Order) (bool, error) {
	err := r.cfg.Aggregator.CloseOrder(ctx, o.OrderID)
	switch {
	case err == nil, errors.Is(err, aggregator.ErrOrderClosed):
		return r.move(ctx, o, orders.StateClosed, orders.Fields{})
	case errors.Is(err, aggregator.ErrOrderPaid):
		return false, nil // paid at the last moment: the next query credits it
	}
	return false, err
}

// replace asks the aggregator again, with identical fields, for an order whose create
// answer was lost: it answers with the same order and pay URL (no second order).
func (r *Recharges) replace(ctx context.Context, o orders.Order) (bool, error) {
	resp, err := r.cfg.Aggregator.CreateOrder(ctx, r.createRequest(o))
	switch {
	case err == nil:
		return r.move(ctx, o, orders.StateAwaitingPayment, orders.Fields{PayURL: resp.PayURL})
	case errors.Is(err, aggregator.ErrOrderPaid):
		return false, nil
	case errors.Is(err, aggregator.ErrOrderClosed):
		return r.move(ctx, o, orders.StateClosed, orders.Fields{})
	case errors.Is(err, aggregator.ErrConflict): // our fields changed (notify URL): close it, the parent orders again
		return r.close(ctx, o)
	}
	return false, err
}

// move settles o into state to; someone else settling it first is not an error.
func (r *Recharges) move(ctx context.Context, o orders.Order, to orders.State, f orders.Fields) (bool, error) {
	_, err := r.cfg.Orders.Transition(ctx, o.OrderID, []orders.State{o.State}, to, f)
	if errors.Is(err, orders.ErrConflict) {
		return false, nil
	}
	if err == nil {
		r.log.Info("recharge order resolved", "order", o.OrderID, "from", o.State, "to", to)
	}
	return err == nil, err
}

// touch records that o was looked at, so the next rounds take other orders first.
func (r *Recharges) touch(ctx context.Context, o orders.Order) error {
	_, err := r.cfg.Orders.Transition(ctx, o.OrderID, []orders.State{o.State}, o.State, orders.Fields{})
	if errors.Is(err, orders.ErrConflict) {
		return nil
	}
	return err
}
