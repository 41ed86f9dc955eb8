package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/ledger"
	"github.com/onecode/onecode/persistence/journal"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// AccountDeps is what every Account activation of a member shares.
type AccountDeps struct {
	// Writer group-commits appends; Store answers loads and idempotency look-ups.
	Writer *journal.Writer
	Store  journal.Store
	// SnapshotEvery writes a snapshot in the same transaction every N events.
	SnapshotEvery int
	// IOTimeout bounds one load or one append (commit included).
	IOTimeout time.Duration
	// IdleTimeout passivates an activation that received no command for that long.
	IdleTimeout time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
	// Stats counts activations (may be nil).
	Stats *AccountStats
	// Revocations hears of every committed loss report and re-issue (may be nil).
	Revocations *RevocationHub
	// Observer hears of the committed events that cause a notice (may be nil).
	Observer AccountObserver
	// Mailboxes tracks the grains' mailbox depths (may be nil: plain mailboxes).
	Mailboxes *Mailboxes
}

// AccountStats counts what the Account grains of a member do.
type AccountStats struct {
	Activated   atomic.Int64
	Passivated  atomic.Int64
	StaleStops  atomic.Int64
	LoadFailure atomic.Int64
}

// Errors of an activation that the caller resolves by asking again with the same key.
var (
	// ErrStaleActivation: another activation of the account committed first (the
	// journal's sequence fence). This activation stops; a retry reaches the live one.
	ErrStaleActivation = errors.New("account activation is stale")
	// ErrOutcomeUnknown: the commit may or may not have happened (the journal failed
	// mid-transaction, or the call timed out). Ask again with the same idempotency key.
	ErrOutcomeUnknown = errors.New("outcome unknown")
	// ErrUnavailable: the account could not be loaded.
	ErrUnavailable = errors.New("account unavailable")
)

// accountCore is one activation's state machine: committed state only, decisions from
// package account, durability from the journal. It is not safe for concurrent use: the
// grain's mailbox serialises it.
type accountCore struct {
	id    string
	deps  *AccountDeps
	state account.State
	// pending are committed notice events the observer failed to take.
	pending []CommittedEvent
	// snapshotDue: a snapshot was due but held back (see appendFor).
	snapshotDue bool
}

func newAccountCore(id string, deps *AccountDeps) *accountCore {
	return &accountCore{id: id, deps: deps}
}

// load rebuilds the committed state from the latest snapshot and the events after it.
func (c *accountCore) load(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.deps.IOTimeout)
	defer cancel()
	snap, tail, err := c.deps.Store.Load(ctx, c.id)
	if err != nil {
		return fmt.Errorf("%w: load %s: %v", ErrUnavailable, c.id, err)
	}
	var s account.State
	var recent []CommittedEvent
	if snap != nil {
		if s, err = codec.DecodeState(snap.Data); err != nil {
			return fmt.Errorf("%w: snapshot of %s: %v", ErrUnavailable, c.id, err)
		}
		if s.Seq != uint64(snap.Seq) {
			return fmt.Errorf("%w: snapshot of %s at seq %d holds state seq %d", ErrUnavailable, c.id, snap.Seq, s.Seq)
		}
	}
	for _, e := range tail {
		ev, err := codec.DecodeEvent(e.Type, e.Data)
		if err != nil {
			return fmt.Errorf("%w: event %d of %s: %v", ErrUnavailable, e.Seq, c.id, err)
		}
		if uint64(e.Seq) != s.Seq+1 {
			return fmt.Errorf("%w: event %d of %s follows seq %d", ErrUnavailable, e.Seq, c.id, s.Seq)
		}
		next := account.Apply(s, ev)
		if c.deps.Observer != nil && NoticeEvent(s, ev) && c.deps.Now().Sub(ev.OccurredAt()) < ObserverRecoverWindow {
			recent = append(recent, CommittedEvent{Seq: next.Seq, Event: ev, Before: s, After: next})
		}
		s = next
	}
	c.state = s
	c.observe(ctx, recent)
	return nil
}

// execute runs one command: idempotency, decision, append at the expected sequence,
// apply, answer. It answers only after the commit. An error is an infrastructure
// failure (ErrStaleActivation, ErrOutcomeUnknown, ErrUnavailable): business declines
// are answers.
func (c *accountCore) execute(ctx context.Context, req *grainv1.ExecuteRequest) (*grainv1.ExecuteResponse, error) {
	cmd, err := codec.Command(c.id, req)
	if err != nil {
		return declined(err, c.state), nil
	}
	now := c.deps.Now()
	dec, err := account.Decide(c.state, cmd, now)
	if err != nil {
		// A retry of a command that already committed may be declined now (the money
		// is gone, the card replaced): the stored outcome wins.
		if resp, found, lerr := c.replay(ctx, cmd); lerr != nil || found {
			return resp, lerr
		}
		return declined(err, c.state), nil
	}

	next := dec.Next
	app, err := c.appendFor(cmd, dec, next)
	if err != nil {
		return nil, fmt.Errorf("%w: encode: %v", ErrUnavailable, err)
	}
	actx, cancel := context.WithTimeout(ctx, c.deps.IOTimeout)
	defer cancel()
	err = c.deps.Writer.Append(actx, app)
	var dup *journal.DuplicateError
	switch {
	case err == nil:
		evs := noticeEvents(c.state, dec.Events)
		c.state = next
		c.announceRevocation(dec.Events)
		c.observe(ctx, evs)
		return accepted(dec.Outcome, false), nil
	case errors.As(err, &dup):
		return c.replayStored(cmd, dup.Fingerprint, dup.Outcome)
	case errors.Is(err, journal.ErrSeqConflict):
		return nil, fmt.Errorf("%w: %v", ErrStaleActivation, err)
	default:
		// The commit may have happened: only a fresh load can tell.
		return nil, fmt.Errorf("%w: key %q: %v", ErrOutcomeUnknown, cmd.Key(), err)
	}
}

// announceRevocation tells the school's terminals, after the commit, that older cards
// of this account are refused.
func (c *accountCore) announceRevocation(events []account.Event) {
	for _, e := range events {
		switch e.(type) {
		case account.CardReportedLost, account.CardReissued:
			c.deps.Revocations.Publish(Revocation{SchoolID: c.state.SchoolID, AccountRef: AccountRef(c.id), Generation: int64(c.state.Card.Generation)})
			return
		}
	}
}

// replay looks the command's key up in the journal.
func (c *accountCore) replay(ctx context.Context, cmd account.Command) (*grainv1.ExecuteResponse, bool, error) {
	if cmd.Key() == "" {
		return nil, false, nil
	}
	lctx, cancel := context.WithTimeout(ctx, c.deps.IOTimeout)
	defer cancel()
	fp, out, found, err := c.deps.Store.Command(lctx, c.id, cmd.Key())
	if err != nil {
		return nil, false, fmt.Errorf("%w: idempotency look-up: %v", ErrUnavailable, err)
	}
	if !found {
		return nil, false, nil
	}
	resp, err := c.replayStored(cmd, fp, out)
	return resp, true, err
}

func (c *accountCore) replayStored(cmd account.Command, fp string, stored []byte) (*grainv1.ExecuteResponse, error) {
	out, err := codec.DecodeOutcome(stored)
	if err != nil {
		return nil, fmt.Errorf("%w: stored outcome: %v", ErrUnavailable, err)
	}
	out, err = account.Replay(fp, out, cmd)
	if err != nil {
		return declined(err, c.state), nil
	}
	return accepted(out, true), nil
}

// appendFor encodes a decision as one journal append at the current sequence, with a
// snapshot of next when it crosses a multiple of SnapshotEvery.
func (c *accountCore) appendFor(cmd account.Command, dec account.Decision, next account.State) (journal.Append, error) {
	outcome, err := codec.EncodeOutcome(dec.Outcome)
	if err != nil {
		return journal.Append{}, err
	}
	app := journal.Append{
		Account:     c.id,
		ExpectedSeq: int64(c.state.Seq),
		IdemKey:     cmd.Key(),
		Fingerprint: account.Fingerprint(cmd),
		Outcome:     outcome,
		Events:      make([]journal.Event, 0, len(dec.Events)),
	}
	school := next.SchoolID
	wallet := ledger.Wallet(c.id)
	seq := int64(c.state.Seq)
	for _, e := range dec.Events {
		typ, data, err := codec.EncodeEvent(e)
		if err != nil {
			return journal.Append{}, err
		}
		seq++
		ps := account.Postings(c.id, school, e)
		je := journal.Event{Seq: seq, Type: typ, Data: data, At: e.OccurredAt()}
		for _, p := range ps {
			je.Postings = append(je.Postings, journal.Posting{Ledger: string(p.Account), Amount: int64(p.Amount)})
		}
		if delta, err := ledger.SumFor(ps, wallet); err == nil {
			je.Amount = int64(delta)
		}
		switch e := e.(type) {
		case account.Purchased:
			je.Merchant = e.CanteenID
		case account.PurchaseVoided:
			je.Merchant = e.CanteenID
		}
		app.Events = append(app.Events, je)
	}
	// A snapshot is held back from a commit whose notice events the observer has
	// not taken yet (this decision's, or pending ones): they stay in the tail
	// after the latest snapshot, which the next activation tells again, so a crash
	// between the commit and the observer loses none. It is written with the next
	// commit that has none.
	every := uint64(c.deps.SnapshotEvery)
	due := every > 0 && (next.Seq/every > c.state.Seq/every || c.snapshotDue)
	c.snapshotDue = false
	if due && c.deps.Observer != nil && (len(c.pending) > 0 || len(noticeEvents(c.state, dec.Events)) > 0) {
		c.snapshotDue = true
		due = false
	}
	if due {
		data, err := codec.EncodeState(next)
		if err != nil {
			return journal.Append{}, err
		}
		app.Snapshot = &journal.Snapshot{Seq: int64(next.Seq), Data: data}
	}
	return app, nil
}

func accepted(o account.Outcome, replayed bool) *grainv1.ExecuteResponse {
	return &grainv1.ExecuteResponse{Result: &grainv1.ExecuteResponse_Accepted{Accepted: &grainv1.Accepted{
		Seq:            int64(o.Seq),
		BalanceFen:     int64(o.Balance),
		AmountFen:      int64(o.Amount),
		Arrears:        o.Arrears,
		Replayed:       replayed,
		CardGeneration: int64(o.CardGeneration),
		EventType:      o.Event,
		Bill:           billProto(o.Bill),
	}}}
}

// billProto is a bill as the grain protocol reports it (nil for the zero bill).
func billProto(b account.Bill) *grainv1.Bill {
	if b == (account.Bill{}) {
		return nil
	}
	return &grainv1.Bill{ItemId: b.ItemID, DueFen: int64(b.Due), PaidFen: int64(b.Paid), ExemptedFen: int64(b.Exempted),
		DueDay: b.DueDay.String(), AllowBalance: b.AllowBalance, Closed: b.Closed, Status: string(b.Status()),
		RefundedFen: int64(b.Refunded)}
}

func declined(err error, s account.State) *grainv1.ExecuteResponse {
	d := &grainv1.Declined{
		Reason:              string(account.Reason(err)),
		Message:             err.Error(),
		BalanceFen:          int64(s.Balance),
		ArrearsAvailableFen: int64(s.ArrearsAvailable()),
	}
	var ins *account.InsufficientFundsError
	var arr *account.ArrearsCapError
	switch {
	case errors.As(err, &ins):
		d.ArrearsAvailableFen = int64(ins.ArrearsAvailable)
	case errors.As(err, &arr):
		d.ArrearsAvailableFen = int64(arr.ArrearsAvailable)
	}
	return &grainv1.ExecuteResponse{Result: &grainv1.ExecuteResponse_Declined{Declined: d}}
}

// stateResponse is the committed state as the grain protocol reports it.
func (c *accountCore) stateResponse() *grainv1.GetStateResponse {
	s := c.state
	today := account.DayOf(c.deps.Now())
	return &grainv1.GetStateResponse{
		AccountId:      c.id,
		SchoolId:       s.SchoolID,
		Seq:            int64(s.Seq),
		BalanceFen:     int64(s.Balance),
		CardState:      cardState(s, today),
		CardGeneration: int32(s.Card.Generation),
		CardRandom:     s.Card.Random,
		CardExpiry:     s.Card.Expiry.String(),
		Limits: &grainv1.Limits{
			SingleRechargeMaxFen: int64(s.Limits.SingleRechargeMax),
			BalanceCapFen:        int64(s.Limits.BalanceCap),
			DailySpendCapFen:     int64(s.Limits.DailySpendCap),
			ArrearsCapFen:        int64(s.Limits.ArrearsCap),
		},
		SpentTodayFen: int64(s.SpentOn(today)),
		Opened:        s.Opened(),
		Bills:         billsProto(s.Bills),
	}
}

func billsProto(bs []account.Bill) []*grainv1.Bill {
	if len(bs) == 0 {
		return nil
	}
	out := make([]*grainv1.Bill, len(bs))
	for i, b := range bs {
		out[i] = billProto(b)
	}
	return out
}

func cardState(s account.State, today account.Date) string {
	if !s.Opened() {
		return ""
	}
	return s.Card.StateOn(today).String()
}
