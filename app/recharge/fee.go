package recharge

import (
	"context"
	"errors"
	"time"

	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/orders"
)

// FeeOrder asks for the online payment of the account's bill of ItemID.
type FeeOrder struct {
	ParentID  string
	AccountID string
	ItemID    string
	// AmountFen is what the bill has outstanding, as the caller (app/fees, which
	// checked the parent's right and the bill) read it from the grain.
	AmountFen int64
	RequestID string
	Payer     Payer
}

// Errors of fee orders.
var (
	// ErrBillOrderOpen: the bill has an open order whose outcome is still being
	// settled; nothing was written.
	ErrBillOrderOpen = reason.New(reason.KindFailedPrecondition, reason.BillOrderOpen,
		"this bill has a payment in progress: pay it, or try again in a few minutes")
	errBillBusy = errors.New("recharge: the bill has an open order")
)

// reuseMargin: an open order of the bill is handed out again only if the parent has
// at least this long left to pay it.
const reuseMargin = 2 * time.Minute

// CreateFeeOrder creates the online-payment order of a bill, written before the
// provider is called, like a recharge. The same (parent, request id) answers the
// same order (AlreadyExists IDEMPOTENCY_CONFLICT for another bill or amount). A bill
// has at most one open order: the parent's own open order of the same amount is
// answered again while it can still be paid; any other is closed first at its
// provider (close before re-order), or, when it cannot be closed yet (its outcome is
// unknown, or it was just paid), the answer is ErrBillOrderOpen. The bill's open
// orders are read only when the create finds one (the store's check): the usual
// bill has none, and its order costs no read more than a recharge's.
func (s *Service) CreateFeeOrder(ctx context.Context, f FeeOrder) (Recharge, error) {
	switch {
	case f.ParentID == "" || len(f.ParentID) > orders.MaxPartyIDLen || f.AccountID == "" || len(f.AccountID) > orders.MaxPartyIDLen:
		return Recharge{}, reason.New(reason.KindInvalid, reason.InvalidArgument, "parent and account ids are required")
	case f.ItemID == "" || len(f.ItemID) > orders.MaxItemIDLen:
		return Recharge{}, reason.New(reason.KindInvalid, reason.InvalidArgument, "the bill's item id is required")
	case f.AmountFen <= 0:
		return Recharge{}, reason.New(reason.KindFailedPrecondition, reason.BillNothingDue, "the bill has nothing outstanding")
	case f.RequestID == "" || len(f.RequestID) > orders.MaxRequestIDLen:
		return Recharge{}, reason.Invalid(reason.InvalidRequestID, "request_id must be 1–%d bytes", orders.MaxRequestIDLen)
	case !f.Payer.Channel.Valid():
		return Recharge{}, ErrChannelInvalid
	}
	if prev, err := s.cfg.Orders.ByRequest(ctx, f.ParentID, f.RequestID); err == nil {
		return s.replayFee(ctx, prev, f)
	} else if !errors.Is(err, orders.ErrNotFound) {
		return Recharge{}, s.storeError("read fee order", err)
	}
	st, err := s.cfg.Accounts.State(ctx, f.AccountID)
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
	if f.Payer, err = s.payerFor(ctx, f.ParentID, p, f.Payer); err != nil {
		return Recharge{}, err
	}
	id, err := s.newOrderID()
	if err != nil {
		return Recharge{}, err
	}
	now := s.cfg.Now()
	o := orders.Order{OrderID: id, RequestID: f.RequestID, ParentID: f.ParentID, AccountID: f.AccountID, AmountFen: f.AmountFen,
		Purpose: orders.PurposeFee, ItemID: f.ItemID, SchoolID: st.GetSchoolId(), MerchantKey: key,
		Channel: f.Payer.Channel.stored(), ClientIP: f.Payer.ClientIP, OpenID: f.Payer.OpenID,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.OrderTTL).Truncate(time.Second)}
	got, created, err := s.cfg.Orders.Create(ctx, o, billFree)
	if errors.Is(err, errBillBusy) { // the bill has an open order: reused, or closed first
		if rc, reuse, cerr := s.clearBill(ctx, f); reuse || cerr != nil {
			return rc, cerr
		}
		got, created, err = s.cfg.Orders.Create(ctx, o, billFree)
	}
	switch {
	case errors.Is(err, errBillBusy): // another order of the bill won the race
		return Recharge{}, ErrBillOrderOpen
	case err != nil:
		return Recharge{}, s.storeError("create fee order", err)
	case !created:
		return s.replayFee(ctx, got, f)
	}
	return s.place(ctx, p, got)
}

// billFree is the check of a fee order's create: no other open order of the bill.
func billFree(open int64) error {
	if open > 0 {
		return errBillBusy
	}
	return nil
}

// replayFee answers a repeated request with its order (resumed when still pending).
func (s *Service) replayFee(ctx context.Context, o orders.Order, f FeeOrder) (Recharge, error) {
	if o.AccountID != f.AccountID || o.Purpose != orders.PurposeFee || o.ItemID != f.ItemID {
		return Recharge{}, reason.New(reason.KindAlreadyExists, reason.IdempotencyConflict, "the request id was used for another payment")
	}
	return s.resume(ctx, o), nil
}

// resumeOwn answers the parent's own open order whose create answer was lost (same
// amount and channel; a new tap on pay after the result page gave up) once the
// provider, asked again, gives its pay URL; otherwise ErrBillOrderOpen, and the
// resolver settles it.
func (s *Service) resumeOwn(ctx context.Context, f FeeOrder, o orders.Order) (Recharge, bool, error) {
	if o.State != order.StatePending || o.ParentID != f.ParentID || o.AmountFen != f.AmountFen || channelOf(o.Channel) != f.Payer.Channel {
		return Recharge{}, false, ErrBillOrderOpen
	}
	if rc := s.resume(ctx, o); rc.State == order.StateAwaitingPayment && s.cfg.Now().Add(reuseMargin).Before(rc.ExpiresAt) {
		return rc, true, nil
	}
	return Recharge{}, false, ErrBillOrderOpen
}

// clearBill makes way for a new order of the bill: the parent's own payable order of
// the same amount and channel is answered again (reuse); any other open order is closed at its
// provider first. ErrBillOrderOpen when one cannot be closed now.
func (s *Service) clearBill(ctx context.Context, f FeeOrder) (Recharge, bool, error) {
	open, err := s.cfg.Orders.OpenForBill(ctx, f.AccountID, f.ItemID)
	if err != nil {
		return Recharge{}, false, s.storeError("open orders of a bill", err)
	}
	now := s.cfg.Now()
	for _, o := range open {
		if o.State == order.StateAwaitingPayment && o.ParentID == f.ParentID && o.AmountFen == f.AmountFen &&
			channelOf(o.Channel) == f.Payer.Channel && now.Add(reuseMargin).Before(o.ExpiresAt) {
			return toRecharge(o), true, nil
		}
		if o.State != order.StateAwaitingPayment { // the create's outcome is unknown
			return s.resumeOwn(ctx, f, o)
		}
		p, err := s.providerOf(o)
		if err != nil {
			return Recharge{}, false, ErrBillOrderOpen
		}
		if closed, err := s.close(ctx, p, o); err != nil || !closed {
			s.log.Info("open order of a bill not closed before re-order", "order", o.OrderID, "err", err)
			return Recharge{}, false, ErrBillOrderOpen
		}
	}
	return Recharge{}, false, nil
}
