package reason

import (
	"errors"
	"fmt"
	"time"
)

// Kind is the class of a failure, independent of any transport: the edge maps each kind
// to one gRPC code (and so one HTTP status).
type Kind uint8

// Kinds of failure.
const (
	KindInternal           Kind = iota // a bug or an unexpected failure: its message is not shown
	KindInvalid                        // the request breaks a rule of the API; nothing changed
	KindNotFound                       // what the request names does not exist (or is not reachable)
	KindAlreadyExists                  // the thing to create exists, or a key was used with another payload
	KindFailedPrecondition             // well-formed, but the state forbids it (a decline)
	KindUnauthenticated                // no or bad credentials
	KindPermissionDenied               // authenticated, not allowed
	KindResourceExhausted              // over a rate limit or a bound
	KindUnavailable                    // temporary: retry (with the same idempotency key)
	KindAborted                        // a concurrent change won: retry
	KindDeadlineExceeded               // the request took too long
	KindCanceled                       // the caller went away
	KindOutOfRange                     // past the end (a page, a date)
)

var kindNames = [...]string{"internal", "invalid", "not found", "already exists", "failed precondition",
	"unauthenticated", "permission denied", "resource exhausted", "unavailable", "aborted",
	"deadline exceeded", "canceled", "out of range"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Error is a failure with a reason, a kind and a message for people. Use cases return
// it; the edge renders it. Meta carries machine details (REST: error.meta).
type Error struct {
	Kind Kind
	Code Code
	Msg  string
	Meta map[string]string
	// RetryAfter, when set, is how long the caller should wait (rate limits).
	RetryAfter time.Duration
	// Err is the cause, kept for errors.Is/As and logs; never shown to callers.
	Err error
}

func (e *Error) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	return string(e.Code)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, reason.Sentinel(code)) hold for any Error of that code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Kind == e.Kind && t.Code == e.Code && t.Err == nil
}

// New is an Error of kind k and reason c.
func New(k Kind, c Code, msg string) *Error { return &Error{Kind: k, Code: c, Msg: msg} }

// Newf is New with a formatted message.
func Newf(k Kind, c Code, format string, args ...any) *Error {
	return &Error{Kind: k, Code: c, Msg: fmt.Sprintf(format, args...)}
}

// Wrap is an Error of kind k and reason c caused by err (kept for errors.Is, not shown).
func Wrap(k Kind, c Code, msg string, err error) *Error {
	return &Error{Kind: k, Code: c, Msg: msg, Err: err}
}

// Invalid is a request that breaks a rule of the API (InvalidArgument), formatted.
func Invalid(c Code, format string, args ...any) *Error { return Newf(KindInvalid, c, format, args...) }

// Sentinel is a message-less Error to compare with errors.Is: it matches every Error of
// that kind and code.
func Sentinel(k Kind, c Code) *Error { return &Error{Kind: k, Code: c} }

// As returns the Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Of is the reason of err: the Code of an Error in its chain, "" for nil, Internal for
// anything else.
func Of(err error) Code {
	if err == nil {
		return ""
	}
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}

// invalidReasons are the decline reasons of malformed commands.
var invalidReasons = map[Code]bool{
	InvalidAmount: true, InvalidLimits: true, InvalidCardRandom: true,
	InvalidCardExpiry: true, InvalidCommand: true, InvalidCard: true, InvalidQty: true, InvalidSeq: true,
	ExemptionNeedsReason: true, ExemptionNeedsApprover: true,
}

// DeclineKind is the kind of a grain decline of reason c: a malformed command is
// invalid, a reused key already exists, an account never opened is not found, and
// every other decline is a failed precondition.
func DeclineKind(c Code) Kind {
	switch {
	case c == IdempotencyConflict:
		return KindAlreadyExists
	case c == AccountNotOpened, c == BillNotFound:
		return KindNotFound
	case invalidReasons[c]:
		return KindInvalid
	}
	return KindFailedPrecondition
}
