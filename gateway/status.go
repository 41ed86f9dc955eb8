package gateway

import (
	"context"
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/journal"
)

// errorDomain names OneCode in ErrorInfo details.
const errorDomain = "onecode"

// Status is a gRPC error with a stable machine reason (an ErrorInfo detail), which the
// REST edge renders as {"error": {"code", "status", "reason", "message"}}.
func Status(code codes.Code, reason, msg string) error {
	st := status.New(code, msg)
	if reason != "" {
		if withInfo, err := st.WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: errorDomain}); err == nil {
			st = withInfo
		}
	}
	return st.Err()
}

// ErrorStatus is the one place where errors of the domain, the actors and the stores
// become gRPC statuses (and through grpc-gateway, HTTP statuses). Messages of internal
// errors are not passed on.
func ErrorStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return Status(codes.DeadlineExceeded, "DEADLINE_EXCEEDED", "the request took too long")
	case errors.Is(err, context.Canceled):
		return Status(codes.Canceled, "CANCELED", "the request was canceled")
	case errors.Is(err, actors.ErrOutcomeUnknown):
		return Status(codes.Unavailable, "OUTCOME_UNKNOWN", "the outcome is not known yet: retry with the same idempotency key")
	case errors.Is(err, actors.ErrUnavailable), errors.Is(err, journal.ErrUnknownOutcome), errors.Is(err, cache.ErrUnavailable):
		return Status(codes.Unavailable, "UNAVAILABLE", "temporarily unavailable: retry")
	case errors.Is(err, directory.ErrNotFound):
		return Status(codes.NotFound, "NOT_FOUND", "not found")
	case errors.Is(err, directory.ErrConflict):
		return Status(codes.AlreadyExists, "CONFLICT", err.Error())
	case errors.Is(err, directory.ErrInvalid), errors.Is(err, journal.ErrInvalid):
		return Status(codes.InvalidArgument, "INVALID_ARGUMENT", err.Error())
	case errors.Is(err, card.ErrExpired):
		return Status(codes.FailedPrecondition, "CARD_EXPIRED", "the card has expired")
	case isCardError(err):
		return Status(codes.InvalidArgument, "INVALID_CARD", "not a valid card code")
	case errors.Is(err, account.ErrIdempotencyConflict):
		return Status(codes.AlreadyExists, "IDEMPOTENCY_CONFLICT", "the idempotency key was used with another payload")
	case errors.Is(err, account.ErrInvalid):
		return Status(codes.InvalidArgument, account.Reason(err), err.Error())
	case errors.Is(err, ErrInvalidPupilFile):
		return Status(codes.InvalidArgument, "INVALID_FILE", err.Error())
	}
	if r := account.Reason(err); r != "INTERNAL" {
		return Status(codes.FailedPrecondition, r, err.Error())
	}
	return Status(codes.Internal, "INTERNAL", "internal error")
}

// DeclineStatus turns a grain decline (reason, message) into a gRPC status.
func DeclineStatus(reason, msg string) error {
	code := codes.FailedPrecondition
	switch reason {
	case "IDEMPOTENCY_CONFLICT":
		code = codes.AlreadyExists
	case "ACCOUNT_NOT_OPENED":
		code = codes.NotFound
	}
	if len(reason) > 8 && reason[:8] == "INVALID_" {
		code = codes.InvalidArgument
	}
	return Status(code, reason, msg)
}

func isCardError(err error) bool {
	for _, e := range []error{card.ErrMalformed, card.ErrUnsupportedVersion, card.ErrUnknownKey, card.ErrTampered, card.ErrBadCheck} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
