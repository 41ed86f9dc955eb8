package binding

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Bind codes: CodeLen characters of Crockford's base32 (no I, L, O, U), 50 bits,
// printed as two groups of five ("7KQ2M-XP4RD").
const (
	CodeLen      = 10
	CodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	// CodeTTL is how long an issued code works.
	CodeTTL = 30 * 24 * time.Hour
	// CodeHashLen is the length of HashCode's result.
	CodeHashLen = sha256.Size
	// MinKeyLen is the shortest key HashCode and DeriveKey accept.
	MinKeyLen = 16
)

// ErrMalformedCode is a bind code that cannot be one (wrong length or characters).
var ErrMalformedCode = errors.New("binding: malformed bind code")

// NewCode draws a bind code from r (crypto/rand in production), unformatted.
func NewCode(r io.Reader) (string, error) {
	// 32 symbols: a byte's low 5 bits are uniform, so no bias.
	b := make([]byte, CodeLen)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("binding: bind code: %w", err)
	}
	for i := range b {
		b[i] = CodeAlphabet[b[i]&31]
	}
	return string(b), nil
}

// FormatCode prints a normalised code as two groups: "7KQ2MXP4RD" → "7KQ2M-XP4RD".
func FormatCode(code string) string {
	if len(code) != CodeLen {
		return code
	}
	return code[:CodeLen/2] + "-" + code[CodeLen/2:]
}

// NormalizeCode turns what a parent typed into the code: spaces and hyphens dropped,
// letters upper-cased, O read as 0 and I, L as 1 (Crockford). Anything else that is not
// CodeLen symbols of CodeAlphabet is ErrMalformedCode.
func NormalizeCode(s string) (string, error) {
	if len(s) > 4*CodeLen {
		return "", ErrMalformedCode
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case r > 127 || !strings.ContainsRune(CodeAlphabet, r):
			return "", ErrMalformedCode
		}
		b.WriteRune(r)
	}
	if b.Len() != CodeLen {
		return "", ErrMalformedCode
	}
	return b.String(), nil
}

// HashCode is the keyed hash a store keeps instead of the code: HMAC-SHA-256 over the
// account and the normalised code, so a code works for its own pupil only.
func HashCode(key []byte, accountID, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("onecode/bind-code\n" + accountID + "\n" + code))
	return m.Sum(nil)
}

// DeriveKey derives a key for one purpose (label) from a master key, so that one
// configured secret keys several hashes that cannot be confused.
func DeriveKey(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("onecode/derive\n" + label))
	return m.Sum(nil)
}

// CodeExpiry is when a code issued at now stops working.
func CodeExpiry(now time.Time) time.Time { return now.Add(CodeTTL) }
