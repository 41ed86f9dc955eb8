package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/cart"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/journal"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Bounds of one terminal session.
const (
	// MaxCartLines bounds the lines of the session cart and of one Pay.
	MaxCartLines = cart.MaxLines
	// MaxLineQty bounds the quantity of one line.
	MaxLineQty = cart.MaxLineQty
	// recentPays is how many approved pays a session remembers for VoidSale.
	recentPays = 64
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
	// Stats counts sales and declines (optional).
	Stats *BusinessStats
	// Arrears queues arrears notices in the notices' outbox (issue 12) and
	// withdraws them when their sale is voided; nil: the directory's old outbox.
	Arrears ArrearsNotifier
	// Mailboxes tracks the sessions' mailbox depths (optional: plain mailboxes).
	Mailboxes *Mailboxes
}

// ArrearsNotifier queues and withdraws arrears notices (app/notify.Notices
// through app/wiring).
type ArrearsNotifier interface {
	NotifyArrears(ctx context.Context, n ArrearsNotice) error
	WithdrawArrears(ctx context.Context, accountID, purchaseKey string) error
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
	}, actor.WithDispatcher(newWorkerDispatcher(mailboxThroughput)),
		actor.WithMailbox(deps.Mailboxes.Producer(MailboxKindTerminal, MailboxKindTerminal+"/"+id.TerminalID)))
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
	cart    cart.Cart
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
			out = []*apiv1.SessionResponse{sessionError(reason.Internal, "internal error")}
		}
	}()
	return s.handle(ctx, req)
}

func (s *terminalSession) handle(ctx context.Context, req *apiv1.SessionRequest) []*apiv1.SessionResponse {
	switch m := req.GetMsg().(type) {
	case *apiv1.SessionRequest_ScanDish:
		return one(cartResponse(s.scan(ctx, m.ScanDish)))
	case *apiv1.SessionRequest_ClearCart:
		s.cart.Clear()
		return one(cartResponse(s.cartProto()))
	case *apiv1.SessionRequest_Pay:
		r := s.pay(ctx, m.Pay)
		s.deps.Stats.NotePay(r.GetPayResult())
		return one(r)
	case *apiv1.SessionRequest_VoidSale:
		return one(s.void(ctx, m.VoidSale))
	case *apiv1.SessionRequest_Heartbeat:
		return s.heartbeat(ctx)
	case *apiv1.SessionRequest_Hello, *apiv1.SessionRequest_Authenticate:
		return one(sessionError(reason.UnexpectedMessage, "the session is already authenticated"))
	default:
		return one(sessionError(reason.UnexpectedMessage, "unknown request"))
	}
}

func one(r *apiv1.SessionResponse) []*apiv1.SessionResponse { return []*apiv1.SessionResponse{r} }

func sessionError(r reason.Code, msg string) *apiv1.SessionResponse {
	return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_Error{Error: &apiv1.SessionError{Reason: string(r), Message: msg}}}
}

func cartResponse(c *apiv1.Cart) *apiv1.SessionResponse {
	return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_Cart{Cart: c}}
}

func (s *terminalSession) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.deps.CallTimeout)
}

// ---- cart ----

func (s *terminalSession) cartProto() *apiv1.Cart {
	lines := s.cart.Lines()
	c := &apiv1.Cart{Lines: make([]*apiv1.CartLine, 0, len(lines)), TotalFen: s.cart.TotalFen()}
	for _, l := range lines {
		c.Lines = append(c.Lines, &apiv1.CartLine{Barcode: l.Barcode, Name: l.Name, UnitPriceFen: l.UnitPriceFen, Qty: l.Qty, LineTotalFen: l.TotalFen()})
	}
	return c
}

func (s *terminalSession) rejected(barcode string, r reason.Code) *apiv1.Cart {
	c := s.cartProto()
	c.RejectedBarcode, c.Reason = barcode, string(r)
	return c
}

// scan adds a scanned dish to the cart by the rules of cart.Cart.Add and answers the
// cart, or the cart and the decline.
func (s *terminalSession) scan(ctx context.Context, m *apiv1.ScanDish) *apiv1.Cart {
	barcode := m.GetBarcode()
	qty, r := cart.Qty(m.GetQty())
	if r != "" {
		return s.rejected(barcode, r)
	}
	cctx, cancel := s.callCtx(ctx)
	d, r, err := s.dish(cctx, barcode)
	cancel()
	if err != nil {
		s.deps.Logger.Warn("terminal session: dish look-up failed", slog.String("terminal", s.id.TerminalID), slog.Any("error", err))
		return s.rejected(barcode, reason.Unavailable)
	}
	if r == "" {
		r = s.cart.Add(d, qty)
	}
	if r != "" {
		return s.rejected(barcode, r)
	}
	return s.cartProto()
}

// dish looks a barcode up in the canteen's catalog: a decline (cart.Sold) when it is
// not sold here, an error when the directory failed. ctx carries the call deadline
// (callCtx).
func (s *terminalSession) dish(ctx context.Context, barcode string) (cart.Dish, reason.Code, error) {
	if directory.ValidateBarcode(barcode) != nil {
		return cart.Dish{}, cart.Sold(cart.Dish{}, false), nil
	}
	var d directory.Dish
	var err error
	if s.deps.Cache != nil {
		d, err = s.deps.Cache.Dish(ctx, s.id.CanteenID, barcode)
	} else {
		d, err = s.deps.Directory.Dish(ctx, s.id.CanteenID, barcode)
	}
	cd := cart.Dish{Barcode: d.Barcode, Name: d.Name, PriceFen: d.PriceFen, Active: d.Active}
	switch {
	case errors.Is(err, directory.ErrNotFound), errors.Is(err, directory.ErrInvalid):
		return cd, cart.Sold(cd, false), nil
	case err != nil:
		return cd, "", err
	}
	return cd, cart.Sold(cd, true), nil
}

// price prices line refs at today's catalog (cart.Price): the purchase items and their
// total, or a decline reason.
func (s *terminalSession) price(ctx context.Context, refs []cart.Ref) ([]*grainv1.Item, money.Amount, reason.Code, error) {
	lines, total, r, err := cart.Price(refs, func(barcode string) (cart.Dish, reason.Code, error) {
		return s.dish(ctx, barcode)
	})
	if err != nil || r != "" {
		return nil, 0, r, err
	}
	items := make([]*grainv1.Item, len(lines))
	for i, l := range lines {
		items[i] = &grainv1.Item{Code: l.Barcode, Name: l.Name, UnitPriceFen: l.UnitPriceFen, Qty: l.Qty}
	}
	return items, total, "", nil
}

// payRefs are the lines of a pay, or the session cart's when it names none.
func (s *terminalSession) payRefs(p *apiv1.Pay) []cart.Ref {
	if len(p.GetLines()) == 0 {
		return s.cart.Refs()
	}
	refs := make([]cart.Ref, len(p.GetLines()))
	for i, l := range p.GetLines() {
		refs[i] = cart.Ref{Barcode: l.GetBarcode(), Qty: l.GetQty()}
	}
	return refs
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
