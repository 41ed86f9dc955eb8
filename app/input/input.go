package input

import (
	"unicode"
	"unicode/utf8"

	"github.com/onecode/onecode/domain/reason"
)

// MaxRequestIDLen bounds a request id (an idempotency key), in bytes.
const MaxRequestIDLen = 64

// CheckText checks that s is 1..max characters of UTF-8 without control characters;
// what names the field in the error.
func CheckText(what, s string, max int) error {
	if !utf8.ValidString(s) {
		return reason.Invalid(reason.InvalidArgument, "%s is not UTF-8", what)
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > max {
		return reason.Invalid(reason.InvalidArgument, "%s of %d characters, want 1..%d", what, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return reason.Invalid(reason.InvalidArgument, "%s has a control character", what)
		}
	}
	return nil
}

// CheckRequestID checks a request id: 1..MaxRequestIDLen bytes of [A-Za-z0-9_.:-].
func CheckRequestID(id string) error {
	if id == "" || len(id) > MaxRequestIDLen {
		return reason.Invalid(reason.InvalidArgument, "request_id of %d bytes, want 1..%d (it is the idempotency key)", len(id), MaxRequestIDLen)
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-'
		if !ok {
			return reason.Invalid(reason.InvalidArgument, "request_id %q: want only [A-Za-z0-9_.:-]", id)
		}
	}
	return nil
}

// IsDigits reports whether s is made of ASCII digits only ("" included).
func IsDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
