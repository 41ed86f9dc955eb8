package failure

import (
	"context"
	"errors"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/journal"
)

// Classify answers err as a *reason.Error: the one in its chain if there is one,
// otherwise the reason of a known failure of the actors, stores, cards or account
// rules. Anything else is Internal, whose message is never shown. nil stays nil.
func Classify(err error) *reason.Error {
	if err == nil {
		return nil
	}
	if e, ok := reason.As(err); ok {
		return e
	}
	if e := transient(err); e != nil {
		return e
	}
	if e := invalid(err); e != nil {
		return e
	}
	if r := account.Reason(err); r != reason.Internal {
		return reason.Wrap(reason.KindFailedPrecondition, r, err.Error(), err)
	}
	return reason.Wrap(reason.KindInternal, reason.Internal, "internal error", err)
}

// transient are the failures to retry: deadlines, cancellations, grains or stores that
// did not answer.
func transient(err error) *reason.Error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return reason.Wrap(reason.KindDeadlineExceeded, reason.DeadlineExceeded, "the request took too long", err)
	case errors.Is(err, context.Canceled):
		return reason.Wrap(reason.KindCanceled, reason.Canceled, "the request was canceled", err)
	case errors.Is(err, actors.ErrOutcomeUnknown):
		return reason.Wrap(reason.KindUnavailable, reason.OutcomeUnknown, "the outcome is not known yet: retry with the same idempotency key", err)
	case errors.Is(err, actors.ErrUnavailable), errors.Is(err, journal.ErrUnknownOutcome), errors.Is(err, cache.ErrUnavailable):
		return reason.Wrap(reason.KindUnavailable, reason.Unavailable, "temporarily unavailable: retry", err)
	}
	return nil
}

// invalid are the failures of what the caller sent or named.
func invalid(err error) *reason.Error {
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return reason.Wrap(reason.KindNotFound, reason.NotFound, "not found", err)
	case errors.Is(err, directory.ErrConflict):
		return reason.Wrap(reason.KindAlreadyExists, reason.Conflict, err.Error(), err)
	case errors.Is(err, directory.ErrInvalid), errors.Is(err, journal.ErrInvalid):
		return reason.Wrap(reason.KindInvalid, reason.InvalidArgument, err.Error(), err)
	case errors.Is(err, card.ErrExpired):
		return reason.Wrap(reason.KindFailedPrecondition, reason.CardExpired, "the card has expired", err)
	case isCardError(err):
		return reason.Wrap(reason.KindInvalid, reason.InvalidCard, "not a valid card code", err)
	case errors.Is(err, account.ErrIdempotencyConflict):
		return reason.Wrap(reason.KindAlreadyExists, reason.IdempotencyConflict, "the idempotency key was used with another payload", err)
	case errors.Is(err, account.ErrInvalid):
		return reason.Wrap(reason.KindInvalid, account.Reason(err), err.Error(), err)
	}
	return nil
}

func isCardError(err error) bool {
	for _, e := range []error{card.ErrMalformed, card.ErrUnsupportedVersion, card.ErrUnknownKey, card.ErrTampered, card.ErrBadCheck} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Decline is a grain decline (its reason and message) as an error; its kind follows
// from its reason (reason.DeclineKind).
func Decline(r reason.Code, msg string) *reason.Error {
	return reason.New(reason.DeclineKind(r), r, msg)
}
