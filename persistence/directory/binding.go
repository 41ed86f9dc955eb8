package directory

import (
	"errors"
	"time"
)

// BindCodeHashLen is the length of BindCode.Hash (HMAC-SHA-256).
const BindCodeHashLen = 32

// ErrNoBindCode: the pupil has no unexpired bind code with the given hash
// (never issued, used, replaced, expired or mistyped). Nothing was written.
var ErrNoBindCode = errors.New("directory: no such bind code")

// BindCode is a pupil's one-time bind code, kept as a keyed hash only.
type BindCode struct {
	AccountID string
	Hash      []byte    // BindCodeHashLen bytes
	ExpiresAt time.Time // stored in microseconds
}

// BindOptions are the proof and the notice of BindGuardian.
type BindOptions struct {
	// CodeHash, when set, is the hash of the bind code the binding uses up.
	CodeHash []byte
	// Now decides whether the code has expired (required with CodeHash).
	Now time.Time
	// Notice, when set, is enqueued for every other guardian (Recipient is
	// each guardian's parent id).
	Notice *Message
}

// ValidateBindCode checks a bind code.
func ValidateBindCode(c *BindCode) error {
	if err := ValidateAccountID(c.AccountID); err != nil {
		return err
	}
	if len(c.Hash) != BindCodeHashLen {
		return invalid("bind code hash of %d bytes, want %d", len(c.Hash), BindCodeHashLen)
	}
	if c.ExpiresAt.IsZero() {
		return invalid("bind code without expiry")
	}
	return nil
}

// ValidateBindOptions checks the options of BindGuardian.
func ValidateBindOptions(o *BindOptions) error {
	if o.CodeHash != nil && (len(o.CodeHash) != BindCodeHashLen || o.Now.IsZero()) {
		return invalid("bind code hash of %d bytes (want %d) and a time", len(o.CodeHash), BindCodeHashLen)
	}
	return validateNotice(o.Notice)
}

// validateNotice checks a notice template (its Recipient is set per guardian).
func validateNotice(m *Message) error {
	if m == nil {
		return nil
	}
	n := *m
	n.Recipient = "x"
	return ValidateMessage(&n)
}

// ValidateNotice checks the notice of Unbind.
func ValidateNotice(m *Message) error { return validateNotice(m) }
