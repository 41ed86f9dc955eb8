package enrolment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/onecode/onecode/app/workers"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/directory"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// cardToPrint is the card an import answers for one pupil: random and expiry
// (YYYYMMDD), or print false when the account's card is not active (lost, expired).
type cardToPrint struct {
	random, expiry string
	print          bool
}

// openAccounts opens the account of every pupil (idempotency key "open:<account id>")
// and answers the card to print for each: the one just opened, or the account's current
// card when it was opened before.
func (s *Service) openAccounts(ctx context.Context, school School, pupils []Pupil) ([]cardToPrint, error) {
	limits := &grainv1.Limits{
		SingleRechargeMaxFen: school.SingleRechargeMax, BalanceCapFen: school.BalanceCap,
		DailySpendCapFen: school.DailySpendCap, ArrearsCapFen: school.ArrearsCap,
	}
	cards := make([]cardToPrint, len(pupils))
	err := workers.ForEach(ctx, len(pupils), openWorkers, func(ctx context.Context, i int) error {
		c, err := s.openAccount(ctx, school.ID, limits, pupils[i])
		cards[i] = c
		return err
	})
	if err != nil {
		if _, ok := reason.As(err); !ok {
			return nil, s.incomplete("", err) // the caller's context ended
		}
		return nil, err
	}
	return cards, nil
}

func (s *Service) openAccount(ctx context.Context, schoolID string, limits *grainv1.Limits, p Pupil) (cardToPrint, error) {
	expiry := FormatDay(p.CardExpiry)
	resp, err := s.d.Accounts.Execute(ctx, p.AccountID, &grainv1.ExecuteRequest{
		IdemKey: "open:" + p.AccountID,
		Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{
			SchoolId: schoolID, StudentNo: p.StudentNo, Limits: limits, CardRandom: p.CardRandom, CardExpiry: expiry,
		}},
	})
	if err != nil {
		return cardToPrint{}, s.incomplete(p.AccountID, err)
	}
	if a := resp.GetAccepted(); a != nil && !a.GetReplayed() {
		return cardToPrint{random: p.CardRandom, expiry: expiry, print: true}, nil
	}
	if d := resp.GetDeclined(); d != nil {
		if r := reason.Code(d.GetReason()); r != reason.AccountAlreadyOpened && r != reason.IdempotencyConflict {
			return cardToPrint{}, reason.New(reason.DeclineKind(r), r,
				fmt.Sprintf("opening account %s: %s (the pupils are saved: fix it and run the import again)", p.AccountID, d.GetMessage()))
		}
	}
	// Opened before (by an earlier run of this import, or with other limits): print
	// the account's current card, which a re-issue may have changed since.
	st, err := s.d.Accounts.State(ctx, p.AccountID)
	if err != nil {
		return cardToPrint{}, s.incomplete(p.AccountID, err)
	}
	if st.GetSchoolId() != schoolID {
		return cardToPrint{}, errInternal
	}
	return cardToPrint{random: st.GetCardRandom(), expiry: st.GetCardExpiry(), print: st.GetCardState() == "active"}, nil
}

// incomplete is the error of an import whose pupils are saved but some account could
// not be opened (or read) for a temporary reason: IMPORT_INCOMPLETE (unavailable).
// Any other error is answered as it is.
func (s *Service) incomplete(accountID string, err error) error {
	if !temporary(err) {
		return err
	}
	s.d.Logger.Warn("import incomplete", slog.String("account", accountID), slog.Any("error", err)) // account "" when the deadline ended it
	return reason.Wrap(reason.KindUnavailable, reason.ImportIncomplete,
		"the pupils are saved but some accounts are not opened yet: run the same import again", err)
}

// temporary reports a failure of a grain call that may pass on a retry: unavailable,
// deadline exceeded, outcome unknown, or unexpected (internal).
func temporary(err error) bool {
	if e, ok := reason.As(err); ok {
		return e.Kind == reason.KindUnavailable || e.Kind == reason.KindDeadlineExceeded || e.Kind == reason.KindInternal
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, directory.ErrNotFound), errors.Is(err, directory.ErrConflict),
		errors.Is(err, directory.ErrInvalid), account.Reason(err) != reason.Internal:
		return false
	}
	return true
}

// sealCard answers the QR text of a card, or "" when the card is not to be printed;
// nonces supplies the GCM nonce.
func (s *Service) sealCard(schoolID, studentNo string, c cardToPrint, nonces io.Reader) (string, error) {
	if !c.print {
		return "", nil
	}
	id, err := card.BuildID(schoolID, studentNo, c.random)
	if err != nil {
		return "", err
	}
	day, err := schoolday.Parse(c.expiry)
	if err != nil {
		return "", fmt.Errorf("card expiry %q: %w", c.expiry, err)
	}
	return s.d.Keyring.Seal(id, day, nonces)
}
