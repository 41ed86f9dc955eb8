package idnumber

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
)

// Bounds of a normalised ID number: mainland ID cards have 18 characters, passports
// and permits fewer.
const (
	MinLen = 6
	MaxLen = 32
)

// ErrInvalid reports an ID number that is not MinLen..MaxLen characters of [0-9A-Z]
// after normalisation, or an 18-character resident ID number with a wrong check
// character. Its message never contains the number.
var ErrInvalid = errors.New("invalid ID number")

// Normalize returns the canonical form of an ID number: spaces, tabs and hyphens
// removed, letters upper-cased. It must be MinLen..MaxLen characters of [0-9A-Z]; a
// mainland resident ID number (17 digits and a check character) must carry the right
// ISO 7064 MOD 11-2 check character (GB 11643). Import and binding use it alike.
func Normalize(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			return "", fmt.Errorf("%w: only digits and letters are allowed", ErrInvalid)
		}
		if b.Len() > MaxLen {
			return "", fmt.Errorf("%w: longer than %d characters", ErrInvalid, MaxLen)
		}
	}
	n := b.String()
	if len(n) < MinLen {
		return "", fmt.Errorf("%w: shorter than %d characters", ErrInvalid, MinLen)
	}
	if len(n) == 18 && isDigits(n[:17]) && residentIDCheck(n[:17]) != n[17] {
		return "", fmt.Errorf("%w: wrong check character", ErrInvalid)
	}
	return n, nil
}

// residentIDCheck is the GB 11643 check character of the first 17 digits.
func residentIDCheck(d17 string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(d17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Hash is the keyed hash kept for a pupil and compared at binding:
// HMAC-SHA256(key, Normalize(idNumber)). The number itself is never stored or logged.
func Hash(key []byte, idNumber string) ([]byte, error) {
	n, err := Normalize(idNumber)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(n))
	return m.Sum(nil), nil
}

// PlaceholderHash stands for "no ID number given" for the pupil of accountID (the
// directory requires a hash). Its input can never be a normalised ID number (it has a
// '/' and a newline), so no number typed at binding matches it: such a pupil cannot be
// bound by ID number until a later import gives the number. It is deterministic, so a
// re-run import writes the same.
func PlaceholderHash(key []byte, accountID string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("onecode/no-id-number\n" + accountID))
	return m.Sum(nil)
}
