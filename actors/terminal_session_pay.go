package actors

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/cart"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// payDeclined is a pay declined for r, with r's message.
func payDeclined(seq uint64, r reason.Code) *apiv1.SessionResponse {
	return payDeclinedMsg(seq, r, cart.DeclineMessage(r))
}

func payDeclinedMsg(seq uint64, r reason.Code, msg string) *apiv1.SessionResponse {
	return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_PayResult{PayResult: &apiv1.PayResult{
		Seq: seq, Outcome: apiv1.PayResult_OUTCOME_DECLINED, Reason: string(r), Message: msg,
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
	items, total, r, err := s.price(ctx, s.payRefs(p))
	if err != nil {
		s.deps.Logger.Warn("terminal session: pricing failed", slog.String("terminal", s.id.TerminalID), slog.Any("error", err))
		return pupil, nil, 0, sessionError(reason.Unavailable, "the catalog is unavailable: retry")
	}
	msg := cart.DeclineMessage(r)
	if r == "" {
		r, msg = cart.CheckTotal(total, p.GetExpectedTotalFen())
	}
	if r != "" {
		if resp := s.committed(ctx, seq, pupil); resp != nil {
			return pupil, nil, 0, resp
		}
		return pupil, nil, 0, payDeclinedMsg(seq, r, msg)
	}
	return pupil, items, total, nil
}

func (s *terminalSession) pay(ctx context.Context, p *apiv1.Pay) *apiv1.SessionResponse {
	seq := p.GetSeq()
	if seq == 0 {
		return sessionError(reason.InvalidSeq, "seq must be > 0")
	}
	if p.GetOverride() && !s.id.CanOverride {
		return payDeclined(seq, reason.OverrideNotAllowed)
	}
	c, err := s.deps.Keyring.Open(p.GetCardQr(), s.deps.Now())
	switch {
	case errors.Is(err, card.ErrExpired):
		return payDeclined(seq, reason.CardExpired)
	case err != nil:
		return payDeclined(seq, reason.InvalidCard)
	case c.ID.School() != s.id.SchoolID:
		// A terminal never reaches another school's pupils: no look-up at all.
		return payDeclined(seq, reason.WrongSchool)
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
			Seq: seq, Outcome: apiv1.PayResult_OUTCOME_DECLINED, Reason: d.GetReason(), Message: cart.DeclineMessage(reason.Code(d.GetReason())),
			BalanceAfterFen: d.GetBalanceFen(), ArrearsAvailableFen: d.GetArrearsAvailableFen(),
		}
		return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_PayResult{PayResult: r}}
	}
	a := out.GetAccepted()
	s.deps.Seqs.Note(s.id.TerminalID, seq)
	s.rememberPay(seq, pupil.AccountID)
	s.cart.Clear()
	if a.GetArrears() {
		s.notifyArrears(ctx, pupil, s.key(seq), a)
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
		return p, payDeclined(seq, reason.InvalidCard)
	case err != nil:
		s.deps.Logger.Warn("terminal session: pupil look-up failed", slog.String("terminal", s.id.TerminalID), slog.Any("error", err))
		return p, sessionError(reason.Unavailable, "the directory is unavailable: retry with the same seq")
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
		return nil, sessionError(reason.OutcomeUnknown, "the outcome is not known yet: re-send the same seq")
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

// ArrearsNotice is the outbox payload of an approved arrears purchase: the pupil's
// masked name (MaskName), never the full one, so that the WeChat template's name slot
// is filled (issue 12). The purchase key lets the sender drop duplicates: a replayed
// approval enqueues again, because the first enqueue may not have happened.
type ArrearsNotice struct {
	AccountID   string `json:"account_id"`
	PurchaseKey string `json:"purchase_key"`
	AmountFen   int64  `json:"amount_fen"`
	BalanceFen  int64  `json:"balance_fen"`
	MaskedName  string `json:"masked_name,omitempty"`
	// For the notices' outbox (ArrearsNotifier): not in the old payload.
	SchoolID  string `json:"-"`
	CanteenID string `json:"-"`
}

func (s *terminalSession) notifyArrears(ctx context.Context, pupil directory.Pupil, key string, a *grainv1.Accepted) {
	accountID := pupil.AccountID
	n := ArrearsNotice{AccountID: accountID, PurchaseKey: key, AmountFen: a.GetAmountFen(), BalanceFen: a.GetBalanceFen(),
		SchoolID: s.id.SchoolID, CanteenID: s.id.CanteenID, MaskedName: MaskName(pupil.Name)}
	cctx, cancel := s.callCtx(ctx)
	defer cancel()
	var err error
	if s.deps.Arrears != nil {
		err = s.deps.Arrears.NotifyArrears(cctx, n)
	} else {
		var payload []byte
		if payload, err = json.Marshal(n); err == nil {
			_, err = s.deps.Directory.Enqueue(cctx, directory.Message{Topic: directory.TopicArrears, Recipient: accountID, Payload: payload})
		}
	}
	if err != nil {
		s.deps.Logger.Error("terminal session: arrears notice not enqueued",
			slog.String("terminal", s.id.TerminalID), slog.String("key", key), slog.Any("error", err))
	}
}

func (s *terminalSession) void(ctx context.Context, v *apiv1.VoidSale) *apiv1.SessionResponse {
	seq, paySeq := v.GetSeq(), v.GetPaySeq()
	if seq == 0 || paySeq == 0 {
		return sessionError(reason.InvalidSeq, "seq and pay_seq must be > 0")
	}
	result := func(r *apiv1.VoidResult) *apiv1.SessionResponse {
		r.Seq = seq
		return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_VoidResult{VoidResult: r}}
	}
	accountID, ok := s.pays[paySeq]
	if !ok {
		return result(&apiv1.VoidResult{Reason: string(reason.UnknownSale), Message: cart.DeclineMessage(reason.UnknownSale)})
	}
	req := &grainv1.ExecuteRequest{IdemKey: s.key(seq), Command: &grainv1.ExecuteRequest_Void{Void: &grainv1.VoidCommand{
		TerminalId: s.id.TerminalID, PurchaseKey: s.key(paySeq),
	}}}
	out, errResp := s.execute(ctx, accountID, req)
	if errResp != nil {
		return errResp
	}
	if d := out.GetDeclined(); d != nil {
		return result(&apiv1.VoidResult{Reason: d.GetReason(), Message: cart.DeclineMessage(reason.Code(d.GetReason())), BalanceAfterFen: d.GetBalanceFen()})
	}
	a := out.GetAccepted()
	s.deps.Seqs.Note(s.id.TerminalID, seq)
	s.withdrawArrears(ctx, accountID, s.key(paySeq))
	return result(&apiv1.VoidResult{Voided: true, AmountFen: a.GetAmountFen(), BalanceAfterFen: a.GetBalanceFen()})
}

// withdrawArrears withdraws the arrears notice of a voided sale if it has not
// gone out yet (a sale that was not on credit has none: nothing changes).
func (s *terminalSession) withdrawArrears(ctx context.Context, accountID, purchaseKey string) {
	if s.deps.Arrears == nil {
		return
	}
	cctx, cancel := s.callCtx(ctx)
	defer cancel()
	if err := s.deps.Arrears.WithdrawArrears(cctx, accountID, purchaseKey); err != nil {
		s.deps.Logger.Warn("terminal session: arrears notice not withdrawn",
			slog.String("terminal", s.id.TerminalID), slog.String("key", purchaseKey), slog.Any("error", err))
	}
}
