package enrolment

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"

	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/domain/reason"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// ReportLoss reports the card of a pupil the caller reaches lost, under the key
// "loss:staff:<request id>" (the same request id answers the first report again), and
// answers the card generation after it. The card stops at once.
func (s *Service) ReportLoss(ctx context.Context, r Reach, accountID, requestID string) (int64, error) {
	pupil, err := s.ReachPupil(ctx, r, accountID)
	if err != nil {
		return 0, err
	}
	if err := input.CheckRequestID(requestID); err != nil {
		return 0, err
	}
	a, err := s.execute(ctx, pupil.AccountID, &grainv1.ExecuteRequest{
		IdemKey: "loss:staff:" + requestID,
		Command: &grainv1.ExecuteRequest_ReportLoss{ReportLoss: &grainv1.ReportLossCommand{By: "staff"}},
	})
	if err != nil {
		return 0, err
	}
	s.d.Logger.Info("card reported lost", slog.String("account", pupil.AccountID), slog.String("by", "staff"), slog.Bool("replayed", a.GetReplayed()))
	return a.GetCardGeneration(), nil
}

// execute runs a command on an account and answers the accepted outcome, or the
// decline as a *reason.Error.
func (s *Service) execute(ctx context.Context, accountID string, req *grainv1.ExecuteRequest) (*grainv1.Accepted, error) {
	resp, err := s.d.Accounts.Execute(ctx, accountID, req)
	if err != nil {
		return nil, err
	}
	if d := resp.GetDeclined(); d != nil {
		return nil, declined(d)
	}
	return resp.GetAccepted(), nil
}

func declined(d *grainv1.Declined) error {
	r := reason.Code(d.GetReason())
	return reason.New(reason.DeclineKind(r), r, d.GetMessage())
}

// ReissueRequest is a card re-issue.
type ReissueRequest struct {
	AccountID  string
	RequestID  string // the idempotency key
	CardExpiry string // YYYYMMDD, a day after today
}

// ReissuedCard is the new card: its QR text and generation.
type ReissuedCard struct {
	QR         string
	Generation int64
}

// ReissueCard gives a pupil the caller reaches a new card generation with a card
// random the account never used, answers the new QR text and updates the directory's
// card. The same request id answers the same card with the same QR text (a replay
// returns the first outcome, and pays nothing twice: there is one card).
//
// The randoms are tried in an order drawn from HMAC(IDHashKey, account, request id):
// unpredictable, yet the same on a retry, so that a retry walks to the random its
// first attempt committed and gets the stored outcome. The account refuses a random it
// used (CARD_RANDOM_REUSED) and a key used with another random (IDEMPOTENCY_CONFLICT):
// both mean "try the next". At most 100 tries: there are 100 randoms. The QR's GCM
// nonce is derived the same way from the card itself (reissueNonce), so that the
// first answer and every replay seal the same text.
func (s *Service) ReissueCard(ctx context.Context, r Reach, req ReissueRequest) (ReissuedCard, error) {
	pupil, err := s.ReachPupil(ctx, r, req.AccountID)
	if err != nil {
		return ReissuedCard{}, err
	}
	if err := input.CheckRequestID(req.RequestID); err != nil {
		return ReissuedCard{}, err
	}
	expiry, err := ParseExpiry(req.CardExpiry, s.d.Now())
	if err != nil {
		return ReissuedCard{}, err
	}
	random, a, err := s.reissue(ctx, pupil.AccountID, req.RequestID, FormatDay(expiry))
	if err != nil {
		return ReissuedCard{}, err
	}
	if a.GetReplayed() {
		st, err := s.d.Accounts.State(ctx, pupil.AccountID)
		if err != nil {
			return ReissuedCard{}, err
		}
		if st.GetCardRandom() != random || st.GetCardExpiry() != FormatDay(expiry) {
			return ReissuedCard{}, reason.New(reason.KindFailedPrecondition, reason.ReissueSuperseded,
				"this re-issue was followed by a later one or a loss report: print the current card (GetClassSheet) or re-issue again")
		}
	}
	if pupil.CardRandom != random || pupil.CardExpiry != expiry {
		pupil.CardRandom, pupil.CardExpiry = random, expiry
		if err := s.d.Directory.PutPupil(ctx, pupil); err != nil {
			return ReissuedCard{}, err // the card is re-issued: the same request again updates the directory
		}
	}
	c := cardToPrint{random: random, expiry: FormatDay(expiry), print: true}
	qr, err := s.sealCard(pupil.SchoolID, pupil.StudentNo, c, s.reissueNonce(pupil.AccountID, req.RequestID, c))
	if err != nil {
		return ReissuedCard{}, err
	}
	s.d.Logger.Info("card reissued", slog.String("account", pupil.AccountID), slog.Int64("generation", a.GetCardGeneration()),
		slog.Bool("replayed", a.GetReplayed()))
	return ReissuedCard{QR: qr, Generation: a.GetCardGeneration()}, nil
}

// reissueNonce is the GCM nonce source of a re-issued card's QR:
// HMAC(IDHashKey, account, request id, random, expiry). Its input fixes the sealed
// plaintext (school and student number come from the account id), so one nonce is
// only ever used again with the same plaintext, which seals to the same text (as a
// deterministic AEAD does): a replay answers the first QR text, and nothing about two
// different cards leaks.
func (s *Service) reissueNonce(accountID, requestID string, c cardToPrint) *bytes.Reader {
	m := hmac.New(sha256.New, s.d.IDHashKey)
	m.Write([]byte("onecode/reissue-nonce\n" + accountID + "\n" + requestID + "\n" + c.random + "\n" + c.expiry))
	return bytes.NewReader(m.Sum(nil))
}

func (s *Service) reissue(ctx context.Context, accountID, requestID, expiry string) (string, *grainv1.Accepted, error) {
	m := hmac.New(sha256.New, s.d.IDHashKey)
	m.Write([]byte("onecode/reissue-random\n" + accountID + "\n" + requestID))
	var seed [32]byte
	copy(seed[:], m.Sum(nil))
	conflict := false
	for _, n := range mrand.New(mrand.NewChaCha8(seed)).Perm(100) {
		random := fmt.Sprintf("%02d", n)
		resp, err := s.d.Accounts.Execute(ctx, accountID, &grainv1.ExecuteRequest{
			IdemKey: "reissue:" + requestID,
			Command: &grainv1.ExecuteRequest_Reissue{Reissue: &grainv1.ReissueCommand{CardRandom: random, CardExpiry: expiry}},
		})
		if err != nil {
			return "", nil, err
		}
		if a := resp.GetAccepted(); a != nil {
			return random, a, nil
		}
		switch d := resp.GetDeclined(); reason.Code(d.GetReason()) {
		case reason.CardRandomReused:
		case reason.IdempotencyConflict:
			conflict = true
		default:
			return "", nil, declined(d)
		}
	}
	if conflict {
		return "", nil, reason.New(reason.KindAlreadyExists, reason.IdempotencyConflict, "the request id was used for another re-issue of this card")
	}
	return "", nil, reason.New(reason.KindFailedPrecondition, reason.NoCardRandomLeft, "this account has used every card random (100 cards)")
}
