package actors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/journal"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Bounds of one terminal session.
const (
	// MaxCartLines bounds the lines of the session cart and of one Pay.
	MaxCartLines = 50
	// MaxLineQty bounds the quantity of one line.
	MaxLineQty = 99
	// recentPays is how many approved pays a session remembers for VoidSale.
	recentPays = 64
)

// Reasons a TerminalSession answers with besides the account's own (account.Reason).
const (
	ReasonInvalidCard        = "INVALID_CARD"
	ReasonCardExpired        = "CARD_EXPIRED"
	ReasonWrongSchool        = "WRONG_SCHOOL"
	ReasonPriceChanged       = "PRICE_CHANGED"
	ReasonOverrideNotAllowed = "OVERRIDE_NOT_ALLOWED"
	ReasonUnknownDish        = "UNKNOWN_DISH"
	ReasonDishWithdrawn      = "DISH_WITHDRAWN"
	ReasonInvalidQty         = "INVALID_QTY"
	ReasonCartFull           = "CART_FULL"
	ReasonEmptyCart          = "EMPTY_CART"
	ReasonInvalidSeq         = "INVALID_SEQ"
	ReasonUnknownSale        = "UNKNOWN_SALE"
	ReasonOutcomeUnknown     = "OUTCOME_UNKNOWN"
	ReasonUnavailable        = "UNAVAILABLE"
	ReasonUnexpected         = "UNEXPECTED_MESSAGE"
	ReasonInternal           = "INTERNAL"
)

// TerminalSessionDeps is what every TerminalSession of a member shares.
type TerminalSessionDeps struct {
	Accounts  *Accounts
	Directory directory.Store
	Keyring   *card.Keyring
	// Cache serves pupils and the dish catalog from memory (optional).
	Cache *DirectoryCache
	// Journal answers, by key, whether an unsure pay already committed (optional).
	Journal journal.Store
	Now     func() time.Time
	Logger  *slog.Logger
	// CallTimeout bounds one directory call; PayTimeout bounds one Execute, its retries
	// included.
	CallTimeout time.Duration
	PayTimeout  time.Duration
	// Seqs records the highest committed pay/void seq per terminal (optional).
	Seqs *TerminalSeqs
}

// TerminalIdentity is the authenticated device a session serves.
type TerminalIdentity struct {
	TerminalID  string
	SchoolID    string
	CanteenID   string
	CanOverride bool
	// CatalogVersion is the version announced in Welcome; a later one is pushed.
	CatalogVersion int64
}

// SessionInput carries one request of the terminal to its session actor. Done, if set,
// is called once every response to the request has been emitted.
type SessionInput struct {
	Request *apiv1.SessionRequest
	Done    func()
}

// NewTerminalSessionProps returns the props of a TerminalSession actor: a plain actor
// (one per connected terminal stream) that answers SessionInput messages in order
// through emit. It may block on account calls: one terminal is one cashier, serial.
func NewTerminalSessionProps(deps *TerminalSessionDeps, id TerminalIdentity, emit func(*apiv1.SessionResponse)) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &terminalSessionActor{core: newTerminalSession(deps, id), emit: emit}
	}, actor.WithDispatcher(newWorkerDispatcher(mailboxThroughput)))
}

type terminalSessionActor struct {
	core *terminalSession
	emit func(*apiv1.SessionResponse)
}

func (a *terminalSessionActor) Receive(c actor.Context) {
	in, ok := c.Message().(*SessionInput)
	if !ok {
		return
	}
	if in.Done != nil {
		defer in.Done()
	}
	for _, r := range a.core.safeHandle(context.Background(), in.Request) {
		a.emit(r)
	}
}

// terminalSession is the state machine of one session: identity, cart, recent pays.
// It is not safe for concurrent use: the actor's mailbox serialises it.
type terminalSession struct {
	deps    *TerminalSessionDeps
	id      TerminalIdentity
	lines   []*apiv1.CartLine
	catalog int64
	// pays maps the seq of an approved pay to its account, the last recentPays of them.
	pays     map[uint64]string
	payOrder []uint64
}

func newTerminalSession(deps *TerminalSessionDeps, id TerminalIdentity) *terminalSession {
	return &terminalSession{deps: deps, id: id, catalog: id.CatalogVersion, pays: make(map[uint64]string, recentPays)}
}

// safeHandle answers every request exactly once, even when handling it panics (the
// terminal waits for the answer; the session state is only the cart and recent pays).
func (s *terminalSession) safeHandle(ctx context.Context, req *apiv1.SessionRequest) (out []*apiv1.SessionResponse) {
	defer func() {
		if r := recover(); r != nil {
			s.deps.Logger.Error("terminal session: request panicked",
				slog.String("terminal", s.id.TerminalID), slog.String("panic", fmt.Sprint(r)))
			out = []*apiv1.SessionResponse{sessionError(ReasonInternal, "internal error")}
		}
	}()
	return s.handle(ctx, req)
}

func (s *terminalSession) handle(ctx context.Context, req *apiv1.SessionRequest) []*apiv1.SessionResponse {
	switch m := req.GetMsg().(type) {
	case *apiv1.SessionRequest_ScanDish:
		return one(cartResponse(s.scan(ctx, m.ScanDish)))
	case *apiv1.SessionRequest_ClearCart:
		s.lines = nil
		return one(cartResponse(s.cart()))
	case *apiv1.SessionRequest_Pay:
		return one(s.pay(ctx, m.Pay))
	case *apiv1.SessionRequest_VoidSale:
		return one(s.void(ctx, m.VoidSale))
	case *apiv1.SessionRequest_Heartbeat:
		return s.heartbeat(ctx)
	case *apiv1.SessionRequest_Hello, *apiv1.SessionRequest_Authenticate:
		return one(sessionError(ReasonUnexpected, "the session is already authenticated"))
	default:
		return one(sessionError(ReasonUnexpected, "unknown request"))
	}
}

func one(r *apiv1.SessionResponse) []*apiv1.SessionResponse { return []*apiv1.SessionResponse{r} }

func sessionError(reason, msg string) *apiv1.SessionResponse {
	return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_Error{Error: &apiv1.SessionError{Reason: reason, Message: msg}}}
}

func cartResponse(c *apiv1.Cart) *apiv1.SessionResponse {
	return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_Cart{Cart: c}}
}

func (s *terminalSession) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.deps.CallTimeout)
}

// ---- cart ----

func (s *terminalSession) cart() *apiv1.Cart {
	c := &apiv1.Cart{Lines: make([]*apiv1.CartLine, 0, len(s.lines))}
	for _, l := range s.lines {
		c.Lines = append(c.Lines, &apiv1.CartLine{Barcode: l.Barcode, Name: l.Name, UnitPriceFen: l.UnitPriceFen, Qty: l.Qty, LineTotalFen: l.LineTotalFen})
		c.TotalFen += l.LineTotalFen
	}
	return c
}

func (s *terminalSession) rejected(barcode, reason string) *apiv1.Cart {
	c := s.cart()
	c.RejectedBarcode, c.Reason = barcode, reason
	return c
}

func (s *terminalSession) scan(ctx context.Context, m *apiv1.ScanDish) *apiv1.Cart {
	qty := m.GetQty()
	if qty == 0 {
		qty = 1
	}
	barcode := m.GetBarcode()
	if qty < 0 || qty > MaxLineQty {
		return s.rejected(barcode, ReasonInvalidQty)
	}
	cctx, cancel := s.callCtx(ctx)
	d, reason, err := s.dish(cctx, barcode)
	cancel()
	if err != nil {
		s.deps.Logger.Warn("terminal session: dish look-up failed", slog.String("terminal", s.id.TerminalID), slog.Any("error", err))
		return s.rejected(barcode, ReasonUnavailable)
	}
	if reason != "" {
		return s.rejected(barcode, reason)
	}
	for _, l := range s.lines {
		if l.Barcode == d.Barcode {
			if l.Qty+qty > MaxLineQty {
				return s.rejected(barcode, ReasonInvalidQty)
			}
			l.Qty += qty
			l.Name, l.UnitPriceFen = d.Name, d.PriceFen
			l.LineTotalFen = d.PriceFen * int64(l.Qty)
			return s.cart()
		}
	}
	if len(s.lines) >= MaxCartLines {
		return s.rejected(barcode, ReasonCartFull)
	}
	s.lines = append(s.lines, &apiv1.CartLine{Barcode: d.Barcode, Name: d.Name, UnitPriceFen: d.PriceFen, Qty: qty, LineTotalFen: d.PriceFen * int64(qty)})
	return s.cart()
}

// dish looks a barcode up in the canteen's catalog: a reason when it is not sold here,
// an error when the directory failed. ctx carries the call deadline (callCtx).
func (s *terminalSession) dish(ctx context.Context, barcode string) (directory.Dish, string, error) {
	if directory.ValidateBarcode(barcode) != nil {
		return directory.Dish{}, ReasonUnknownDish, nil
	}
	var d directory.Dish
	var err error
	if s.deps.Cache != nil {
		d, err = s.deps.Cache.Dish(ctx, s.id.CanteenID, barcode)
	} else {
		d, err = s.deps.Directory.Dish(ctx, s.id.CanteenID, barcode)
	}
	switch {
	case errors.Is(err, directory.ErrNotFound), errors.Is(err, directory.ErrInvalid):
		return d, ReasonUnknownDish, nil
	case err != nil:
		return d, "", err
	case !d.Active:
		return d, ReasonDishWithdrawn, nil
	}
	return d, "", nil
}

// price prices line refs at today's catalog: the purchase items and their total, or a
// decline reason.
func (s *terminalSession) price(ctx context.Context, refs []*apiv1.LineRef) ([]*grainv1.Item, money.Amount, string, error) {
	if len(refs) == 0 {
		return nil, 0, ReasonEmptyCart, nil
	}
	if len(refs) > MaxCartLines {
		return nil, 0, ReasonCartFull, nil
	}
	items := make([]*grainv1.Item, 0, len(refs))
	var total money.Amount
	for _, r := range refs {
		qty := r.GetQty()
		if qty == 0 {
			qty = 1
		}
		if qty < 0 || qty > MaxLineQty {
			return nil, 0, ReasonInvalidQty, nil
		}
		d, reason, err := s.dish(ctx, r.GetBarcode())
		if err != nil || reason != "" {
			return nil, 0, reason, err
		}
		line, err := money.Amount(d.PriceFen).Mul(int64(qty))
		if err == nil {
			total, err = total.Add(line)
		}
		if err != nil {
			return nil, 0, ReasonPriceChanged, nil
		}
		items = append(items, &grainv1.Item{Code: d.Barcode, Name: d.Name, UnitPriceFen: d.PriceFen, Qty: qty})
	}
	return items, total, "", nil
}

func (s *terminalSession) cartRefs() []*apiv1.LineRef {
	refs := make([]*apiv1.LineRef, 0, len(s.lines))
	for _, l := range s.lines {
		refs = append(refs, &apiv1.LineRef{Barcode: l.Barcode, Qty: l.Qty})
	}
	return refs
}

// ---- pay ----

func payDeclined(seq uint64, reason, msg string) *apiv1.SessionResponse {
	return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_PayResult{PayResult: &apiv1.PayResult{
		Seq: seq, Outcome: apiv1.PayResult_OUTCOME_DECLINED, Reason: reason, Message: msg,
	}}}
}

func (s *terminalSession) key(seq uint64) string {
	return s.id.TerminalID + ":" + strconv.FormatUint(seq, 10)
}

// lookUp finds the pupil of a pay and prices its lines, under one call deadline for
// all the look-ups (most are cache hits); a response ends the pay.
func (s *terminalSession) lookUp(ctx context.Context, p *apiv1.Pay, seq uint64, c card.Card) (directory.Pupil, []*grainv1.Item, money.Amount, *apiv1.SessionResponse) {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	pupil, resp := s.pupil(ctx, seq, c)
	if resp != nil {
		return pupil, nil, 0, resp
	}
	refs := p.GetLines()
	if len(refs) == 0 {
		refs = s.cartRefs()
	}
	items, total, reason, err := s.price(ctx, refs)
	switch {
	case err != nil:
		s.deps.Logger.Warn("terminal session: pricing failed", slog.String("terminal", s.id.TerminalID), slog.Any("error", err))
		return pupil, nil, 0, sessionError(ReasonUnavailable, "the catalog is unavailable: retry")
	case reason != "":
		if r := s.committed(ctx, seq, pupil); r != nil {
			return pupil, nil, 0, r
		}
		return pupil, nil, 0, payDeclined(seq, reason, DeclineMessage(reason))
	case int64(total) != p.GetExpectedTotalFen():
		if r := s.committed(ctx, seq, pupil); r != nil {
			return pupil, nil, 0, r
		}
		return pupil, nil, 0, payDeclined(seq, ReasonPriceChanged, fmt.Sprintf("%s: the total is now %s", DeclineMessage(ReasonPriceChanged), total))
	}
	return pupil, items, total, nil
}

func (s *terminalSession) pay(ctx context.Context, p *apiv1.Pay) *apiv1.SessionResponse {
	seq := p.GetSeq()
	if seq == 0 {
		return sessionError(ReasonInvalidSeq, "seq must be > 0")
	}
	if p.GetOverride() && !s.id.CanOverride {
		return payDeclined(seq, ReasonOverrideNotAllowed, DeclineMessage(ReasonOverrideNotAllowed))
	}
	c, err := s.deps.Keyring.Open(p.GetCardQr(), s.deps.Now())
	switch {
	case errors.Is(err, card.ErrExpired):
		return payDeclined(seq, ReasonCardExpired, DeclineMessage(ReasonCardExpired))
	case err != nil:
		return payDeclined(seq, ReasonInvalidCard, DeclineMessage(ReasonInvalidCard))
	case c.ID.School() != s.id.SchoolID:
		// A terminal never reaches another school's pupils: no look-up at all.
		return payDeclined(seq, ReasonWrongSchool, DeclineMessage(ReasonWrongSchool))
	}
	pupil, items, total, resp := s.lookUp(ctx, p, seq, c)
	if resp != nil {
		return resp
	}
	req := &grainv1.ExecuteRequest{IdemKey: s.key(seq), Command: &grainv1.ExecuteRequest_Purchase{Purchase: &grainv1.PurchaseCommand{
		SchoolId: s.id.SchoolID, TerminalId: s.id.TerminalID, CanteenId: s.id.CanteenID,
		Items: items, AmountFen: int64(total),
		CardRandom: c.ID.Random(), CardExpiry: c.Expiry.Format("20060102"),
		Override: p.GetOverride(),
	}}}
	out, errResp := s.execute(ctx, pupil.AccountID, req)
	if errResp != nil {
		return errResp
	}
	if d := out.GetDeclined(); d != nil {
		r := &apiv1.PayResult{
			Seq: seq, Outcome: apiv1.PayResult_OUTCOME_DECLINED, Reason: d.GetReason(), Message: DeclineMessage(d.GetReason()),
			BalanceAfterFen: d.GetBalanceFen(), ArrearsAvailableFen: d.GetArrearsAvailableFen(),
		}
		return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_PayResult{PayResult: r}}
	}
	a := out.GetAccepted()
	s.deps.Seqs.Note(s.id.TerminalID, seq)
	s.rememberPay(seq, pupil.AccountID)
	s.lines = nil
	if a.GetArrears() {
		s.notifyArrears(ctx, pupil.AccountID, s.key(seq), a)
	}
	return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_PayResult{PayResult: &apiv1.PayResult{
		Seq: seq, Outcome: apiv1.PayResult_OUTCOME_APPROVED, AmountFen: a.GetAmountFen(),
		BalanceAfterFen: a.GetBalanceFen(), Arrears: a.GetArrears(), MaskedName: MaskName(pupil.Name),
		Replayed: a.GetReplayed(),
	}}}
}

// committed answers a re-sent pay whose sale already committed even though its lines no
// longer price the same (the catalog changed between the first send and the re-send):
// the terminal's (terminal, seq) key names one sale, and the first outcome wins.
func (s *terminalSession) committed(ctx context.Context, seq uint64, pupil directory.Pupil) *apiv1.SessionResponse {
	if s.deps.Journal == nil {
		return nil
	}
	_, stored, found, err := s.deps.Journal.Command(ctx, pupil.AccountID, s.key(seq))
	if err != nil || !found {
		return nil
	}
	out, err := codec.DecodeOutcome(stored)
	if err != nil || out.Event != "Purchased" {
		return nil
	}
	return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_PayResult{PayResult: &apiv1.PayResult{
		Seq: seq, Outcome: apiv1.PayResult_OUTCOME_APPROVED, AmountFen: int64(out.Amount),
		BalanceAfterFen: int64(out.Balance), Arrears: out.Arrears, MaskedName: MaskName(pupil.Name),
		Replayed: true,
	}}}
}

// pupil finds the card's pupil in the terminal's school; an unknown pupil is an
// invalid card. ctx carries the call deadline (callCtx).
func (s *terminalSession) pupil(ctx context.Context, seq uint64, c card.Card) (directory.Pupil, *apiv1.SessionResponse) {
	var p directory.Pupil
	var err error
	if s.deps.Cache != nil {
		p, err = s.deps.Cache.Pupil(ctx, s.id.SchoolID, c.ID.StudentNo())
	} else {
		p, err = s.deps.Directory.PupilByStudentNo(ctx, s.id.SchoolID, c.ID.StudentNo())
	}
	switch {
	case errors.Is(err, directory.ErrNotFound), errors.Is(err, directory.ErrInvalid):
		return p, payDeclined(seq, ReasonInvalidCard, DeclineMessage(ReasonInvalidCard))
	case err != nil:
		s.deps.Logger.Warn("terminal session: pupil look-up failed", slog.String("terminal", s.id.TerminalID), slog.Any("error", err))
		return p, sessionError(ReasonUnavailable, "the directory is unavailable: retry with the same seq")
	}
	return p, nil
}

// execute runs one account command; an unknown outcome asks the terminal to re-send the
// same seq.
func (s *terminalSession) execute(ctx context.Context, accountID string, req *grainv1.ExecuteRequest) (*grainv1.ExecuteResponse, *apiv1.SessionResponse) {
	ectx, cancel := context.WithTimeout(ctx, s.deps.PayTimeout)
	defer cancel()
	out, err := s.deps.Accounts.Execute(ectx, accountID, req)
	if err != nil {
		// Log the key (terminal:seq), never the account: its id may hold the student number.
		s.deps.Logger.Warn("terminal session: account command outcome unknown",
			slog.String("terminal", s.id.TerminalID), slog.String("key", req.GetIdemKey()))
		return nil, sessionError(ReasonOutcomeUnknown, "the outcome is not known yet: re-send the same seq")
	}
	return out, nil
}

func (s *terminalSession) rememberPay(seq uint64, accountID string) {
	if _, ok := s.pays[seq]; ok {
		return
	}
	if len(s.payOrder) == recentPays {
		delete(s.pays, s.payOrder[0])
		s.payOrder = s.payOrder[1:]
	}
	s.pays[seq] = accountID
	s.payOrder = append(s.payOrder, seq)
}

// ArrearsNotice is the outbox payload of an approved arrears purchase (no names). The
// purchase key lets the sender drop duplicates: a replayed approval enqueues again,
// because the first enqueue may not have happened.
type ArrearsNotice struct {
	AccountID   string `json:"account_id"`
	PurchaseKey string `json:"purchase_key"`
	AmountFen   int64  `json:"amount_fen"`
	BalanceFen  int64  `json:"balance_fen"`
}

func (s *terminalSession) notifyArrears(ctx context.Context, accountID, key string, a *grainv1.Accepted) {
	payload, err := json.Marshal(ArrearsNotice{AccountID: accountID, PurchaseKey: key, AmountFen: a.GetAmountFen(), BalanceFen: a.GetBalanceFen()})
	if err == nil {
		cctx, cancel := s.callCtx(ctx)
		defer cancel()
		_, err = s.deps.Directory.Enqueue(cctx, directory.Message{Topic: directory.TopicArrears, Recipient: accountID, Payload: payload})
	}
	if err != nil {
		s.deps.Logger.Error("terminal session: arrears notice not enqueued",
			slog.String("terminal", s.id.TerminalID), slog.String("key", key), slog.Any("error", err))
	}
}

// ---- void ----

func (s *terminalSession) void(ctx context.Context, v *apiv1.VoidSale) *apiv1.SessionResponse {
	seq, paySeq := v.GetSeq(), v.GetPaySeq()
	if seq == 0 || paySeq == 0 {
		return sessionError(ReasonInvalidSeq, "seq and pay_seq must be > 0")
	}
	result := func(r *apiv1.VoidResult) *apiv1.SessionResponse {
		r.Seq = seq
		return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_VoidResult{VoidResult: r}}
	}
	accountID, ok := s.pays[paySeq]
	if !ok {
		return result(&apiv1.VoidResult{Reason: ReasonUnknownSale, Message: DeclineMessage(ReasonUnknownSale)})
	}
	req := &grainv1.ExecuteRequest{IdemKey: s.key(seq), Command: &grainv1.ExecuteRequest_Void{Void: &grainv1.VoidCommand{
		TerminalId: s.id.TerminalID, PurchaseKey: s.key(paySeq),
	}}}
	out, errResp := s.execute(ctx, accountID, req)
	if errResp != nil {
		return errResp
	}
	if d := out.GetDeclined(); d != nil {
		return result(&apiv1.VoidResult{Reason: d.GetReason(), Message: DeclineMessage(d.GetReason()), BalanceAfterFen: d.GetBalanceFen()})
	}
	a := out.GetAccepted()
	s.deps.Seqs.Note(s.id.TerminalID, seq)
	return result(&apiv1.VoidResult{Voided: true, AmountFen: a.GetAmountFen(), BalanceAfterFen: a.GetBalanceFen()})
}

// ---- heartbeat and pushes ----

func (s *terminalSession) heartbeat(ctx context.Context) []*apiv1.SessionResponse {
	var out []*apiv1.SessionResponse
	cctx, cancel := s.callCtx(ctx)
	v, err := s.deps.Directory.CatalogVersion(cctx, s.id.CanteenID)
	cancel()
	switch {
	case err != nil:
		s.deps.Logger.Warn("terminal session: catalog version unavailable", slog.String("terminal", s.id.TerminalID), slog.Any("error", err))
	case v != s.catalog:
		s.catalog = v
		if s.deps.Cache != nil {
			s.deps.Cache.Invalidate(s.id.CanteenID)
		}
		// The push goes out before the ack: a terminal that has the ack has the push.
		out = append(out, &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_Push{Push: &apiv1.Push{
			Msg: &apiv1.Push_CatalogChanged{CatalogChanged: &apiv1.CatalogChanged{CatalogVersion: v}},
		}}})
	}
	return append(out, &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_HeartbeatAck{HeartbeatAck: &apiv1.HeartbeatAck{
		UnixMs: s.deps.Now().UnixMilli(), CatalogVersion: s.catalog,
	}}})
}

// ---- helpers ----

// MaskName masks a pupil's name for the cashier: first and last character around a
// star ("张*明"), "张*" for two characters, "*" for one.
func MaskName(name string) string {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return ""
	case n == 1:
		return "*"
	}
	first, _ := utf8.DecodeRuneInString(name)
	if n == 2 {
		return string(first) + "*"
	}
	last, _ := utf8.DecodeLastRuneInString(name)
	return string(first) + "*" + string(last)
}

var declineMessages = map[string]string{
	"INSUFFICIENT_FUNDS":     "insufficient funds",
	"ARREARS_CAP_EXCEEDED":   "arrears cap exceeded",
	"CARD_LOST":              "card reported lost",
	"CARD_REPLACED":          "card replaced by a newer one",
	"DAILY_CAP_EXCEEDED":     "daily spending limit reached",
	"IDEMPOTENCY_CONFLICT":   "this seq was already used for another request",
	"ACCOUNT_NOT_OPENED":     "account not opened",
	"PURCHASE_NOT_FOUND":     "sale not found on the account",
	"VOID_WRONG_TERMINAL":    "sale of another terminal",
	"ALREADY_VOIDED":         "sale already voided",
	"VOID_WINDOW_CLOSED":     "too late to void this sale",
	ReasonCardExpired:        "card expired",
	ReasonInvalidCard:        "not a valid card",
	ReasonWrongSchool:        "card of another school",
	ReasonPriceChanged:       "prices changed",
	ReasonOverrideNotAllowed: "this terminal may not approve arrears",
	ReasonUnknownDish:        "dish not sold here",
	ReasonDishWithdrawn:      "dish withdrawn",
	ReasonInvalidQty:         "invalid quantity",
	ReasonCartFull:           "too many lines",
	ReasonEmptyCart:          "nothing to pay",
	ReasonUnknownSale:        "sale unknown to this session",
}

// DeclineMessage is the plain message a terminal shows for a reason.
func DeclineMessage(reason string) string {
	if m, ok := declineMessages[reason]; ok {
		return m
	}
	return strings.ToLower(strings.ReplaceAll(reason, "_", " "))
}

// TerminalSeqs remembers, per terminal, the highest pay/void seq this member committed
// (best effort: memory of this process only). The zero value is not usable; a nil
// *TerminalSeqs records nothing and knows nothing.
type TerminalSeqs struct {
	mu   sync.Mutex
	last map[string]uint64
}

// NewTerminalSeqs returns an empty record. It holds one entry per authenticated
// terminal, so the directory bounds it.
func NewTerminalSeqs() *TerminalSeqs { return &TerminalSeqs{last: make(map[string]uint64)} }

// Note records a committed seq.
func (t *TerminalSeqs) Note(terminalID string, seq uint64) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if seq > t.last[terminalID] {
		t.last[terminalID] = seq
	}
}

// Last returns the highest committed seq recorded for the terminal, 0 if none.
func (t *TerminalSeqs) Last(terminalID string) uint64 {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last[terminalID]
}
