package codec

import (
	"errors"
	"fmt"

	"github.com/onecode/onecode/domain/account"
)

// Errors of the storage format.
var (
	// ErrUnknownEventType reports an event type this package cannot encode or
	// decode.
	ErrUnknownEventType = errors.New("codec: unknown event type")
	// ErrMalformed reports stored bytes that are not a valid encoding: bad
	// protobuf wire data or a field out of its range.
	ErrMalformed = errors.New("codec: malformed stored data")
	// ErrUnencodable reports a domain value the storage format cannot hold
	// (a time outside years 1..9999, an invalid card state or random set).
	ErrUnencodable = errors.New("codec: value cannot be encoded")
)

// ErrNoCommand reports an ExecuteRequest without a command. It wraps
// account.ErrInvalid.
var ErrNoCommand = fmt.Errorf("%w: no command in request", account.ErrInvalid)

// maxQuoted bounds how much of a rejected value an error message quotes.
const maxQuoted = 32

// DateError reports a wire date that is not a valid calendar day written
// YYYYMMDD. It wraps account.ErrInvalidExpiry (every wire date is a card
// expiry), so errors.Is(err, account.ErrInvalid) holds.
type DateError struct {
	Field string // wire field, e.g. "purchase.card_expiry"
	Value string // the rejected text
}

func (e *DateError) Error() string {
	v := e.Value
	if len(v) > maxQuoted {
		v = v[:maxQuoted] + "..."
	}
	return fmt.Sprintf("codec: %s %q is not a date YYYYMMDD", e.Field, v)
}

// Unwrap returns account.ErrInvalidExpiry.
func (e *DateError) Unwrap() error { return account.ErrInvalidExpiry }
