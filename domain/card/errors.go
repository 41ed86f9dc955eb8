package card

import "errors"

// Errors returned by this package. Each failure wraps exactly one of them, so
// callers branch with errors.Is and never on message text.
var (
	// ErrMalformed: the input does not have the expected shape (length,
	// characters, separators, encoding), or an argument is out of range.
	ErrMalformed = errors.New("card: malformed")
	// ErrUnsupportedVersion: the QR text has the OneCode tag but a version
	// this build does not know.
	ErrUnsupportedVersion = errors.New("card: unsupported QR version")
	// ErrUnknownKey: the QR text names a data key that is not in the keyring.
	ErrUnknownKey = errors.New("card: unknown key id")
	// ErrTampered: the ciphertext fails authentication (altered, or sealed
	// under another key or key id).
	ErrTampered = errors.New("card: authentication failed")
	// ErrBadCheck: a personal ID code whose CRC check digits do not match.
	ErrBadCheck = errors.New("card: check digits do not match")
	// ErrExpired: the card's expiry day (Asia/Shanghai) is over.
	ErrExpired = errors.New("card: expired")
	// ErrKeyring: the keyring or its key-encryption key is invalid,
	// inconsistent or cannot be changed as asked.
	ErrKeyring = errors.New("card: invalid keyring")
)
