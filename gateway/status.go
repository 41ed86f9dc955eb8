package gateway

import (
	"context"
	"errors"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/journal"
)

// errorDomain names OneCode in ErrorInfo details.
const errorDomain = "onecode"

// kindCodes maps each kind of failure of the use cases to its gRPC code.
var kindCodes = map[reason.Kind]codes.Code{
	reason.KindInternal:           codes.Internal,
	reason.KindInvalid:            codes.InvalidArgument,
	reason.KindNotFound:           codes.NotFound,
	reason.KindAlreadyExists:      codes.AlreadyExists,
	reason.KindFailedPrecondition: codes.FailedPrecondition,
	reason.KindUnauthenticated:    codes.Unauthenticated,
	reason.KindPermissionDenied:   codes.PermissionDenied,
	reason.KindResourceExhausted:  codes.ResourceExhausted,
	reason.KindUnavailable:        codes.Unavailable,
	reason.KindAborted:            codes.Aborted,
	reason.KindDeadlineExceeded:   codes.DeadlineExceeded,
	reason.KindCanceled:           codes.Canceled,
	reason.KindOutOfRange:         codes.OutOfRange,
}

// Status is a gRPC error with a stable machine reason (an ErrorInfo detail), which the
// REST edge renders as {"error": {"code", "status", "reason", "message"}}.
func Status(code codes.Code, r reason.Code, msg string) error {
	return statusWith(code, r, msg, nil, 0)
}

func statusWith(code codes.Code, r reason.Code, msg string, meta map[string]string, retryAfter time.Duration) error {
	st := status.New(code, msg)
	if r == "" {
		return st.Err()
	}
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: string(r), Domain: errorDomain, Metadata: meta}}
	if retryAfter > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)})
	}
	if withInfo, err := st.WithDetails(details...); err == nil {
		st = withInfo
	}
	return st.Err()
}

// RateLimited is the status of a call over a rate limit: RESOURCE_EXHAUSTED,
// reason RATE_LIMITED, the wait in whole seconds in the ErrorInfo metadata
// "retry_after_seconds" (REST: error.meta.retry_after_seconds) and a
// RetryInfo detail.
func RateLimited(retryAfter time.Duration) error {
	return ErrorStatus(RateLimitedError(retryAfter))
}

// RateLimitedError is the use-case form of RateLimited (access.RateLimitedError).
func RateLimitedError(retryAfter time.Duration) *reason.Error {
	return access.RateLimitedError(retryAfter)
}

// ErrorStatus is the one place where errors of the use cases, the domain, the actors
// and the stores become gRPC statuses (and through grpc-gateway, HTTP statuses).
// Messages of internal errors are not passed on.
func ErrorStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	if e, ok := reason.As(err); ok {
		code, known := kindCodes[e.Kind]
		if !known || e.Kind == reason.KindInternal {
			return Status(codes.Internal, reason.Internal, "internal error")
		}
		return statusWith(code, e.Code, e.Msg, e.Meta, e.RetryAfter)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return Status(codes.DeadlineExceeded, reason.DeadlineExceeded, "the request took too long")
	case errors.Is(err, context.Canceled):
		return Status(codes.Canceled, reason.Canceled, "the request was canceled")
	case errors.Is(err, actors.ErrOutcomeUnknown):
		return Status(codes.Unavailable, reason.OutcomeUnknown, "the outcome is not known yet: retry with the same idempotency key")
	case errors.Is(err, actors.ErrUnavailable), errors.Is(err, journal.ErrUnknownOutcome), errors.Is(err, cache.ErrUnavailable):
		return Status(codes.Unavailable, reason.Unavailable, "temporarily unavailable: retry")
	case errors.Is(err, directory.ErrNotFound):
		return Status(codes.NotFound, reason.NotFound, "not found")
	case errors.Is(err, directory.ErrConflict):
		return Status(codes.AlreadyExists, reason.Conflict, err.Error())
	case errors.Is(err, directory.ErrInvalid), errors.Is(err, journal.ErrInvalid):
		return Status(codes.InvalidArgument, reason.InvalidArgument, err.Error())
	case errors.Is(err, card.ErrExpired):
		return Status(codes.FailedPrecondition, reason.CardExpired, "the card has expired")
	case isCardError(err):
		return Status(codes.InvalidArgument, reason.InvalidCard, "not a valid card code")
	case errors.Is(err, account.ErrIdempotencyConflict):
		return Status(codes.AlreadyExists, reason.IdempotencyConflict, "the idempotency key was used with another payload")
	case errors.Is(err, account.ErrInvalid):
		return Status(codes.InvalidArgument, account.Reason(err), err.Error())
	case errors.Is(err, ErrInvalidPupilFile):
		return Status(codes.InvalidArgument, reason.InvalidFile, err.Error())
	}
	if r := account.Reason(err); r != reason.Internal {
		return Status(codes.FailedPrecondition, r, err.Error())
	}
	return Status(codes.Internal, reason.Internal, "internal error")
}

// DeclineStatus turns a grain decline (reason, message) into a gRPC status.
func DeclineStatus(r reason.Code, msg string) error {
	return ErrorStatus(DeclineError(r, msg))
}

// DeclineError is the use-case form of a grain decline: its kind follows from its reason.
func DeclineError(r reason.Code, msg string) *reason.Error {
	return reason.New(reason.DeclineKind(r), r, msg)
}

func isCardError(err error) bool {
	for _, e := range []error{card.ErrMalformed, card.ErrUnsupportedVersion, card.ErrUnknownKey, card.ErrTampered, card.ErrBadCheck} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
