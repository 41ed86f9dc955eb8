package card

import (
	"encoding/base32"
	"fmt"
	"io"
	"time"
)

// QR text format, version 1:
//
//	OC1:<key id>:<BASE32(nonce ‖ ciphertext ‖ tag)>
//
// where the key id is 1-8 characters A-Z 0-9, BASE32 is RFC 4648 upper case
// without padding, the nonce is 12 random bytes and the ciphertext is
// AES-256-GCM of the plaintext "#<ID>#<YYYYMMDD>#" with additional data
// "OC1:<key id>:" (so neither the version nor the key id can be changed).
// Every character is in the QR alphanumeric set, so the code stays small:
// 107 characters with the 4-character key ids NewKeyring and Rotate draw,
// a version-5 (37×37 modules) QR code at error correction M.
const (
	qrTag      = "OC"
	qrVersion  = "1"
	nonceLen   = 12
	tagLen     = 16
	sealedLen  = nonceLen + plaintextLen + tagLen
	maxVersion = 4 // digits accepted when recognising another version
	// MaxQRTextLen bounds the text Open reads; longer input is rejected
	// before any parsing.
	MaxQRTextLen = 128
)

var (
	qrEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)
	bodyLen    = qrEncoding.EncodedLen(sealedLen)
)

func qrHeader(keyID string) string { return qrTag + qrVersion + ":" + keyID + ":" }

// Seal returns the QR text for id with the given expiry day, sealed under
// the current data key. The expiry's calendar date (year, month, day in the
// expiry's own location) is the last day the card is valid. rand supplies
// the GCM nonce.
func (kr *Keyring) Seal(id ID, expiry time.Time, rand io.Reader) (string, error) {
	if id.IsZero() {
		return "", fmt.Errorf("%w: zero personal ID code", ErrMalformed)
	}
	day, err := expiryDay(expiry)
	if err != nil {
		return "", err
	}
	key := kr.state.Load().current
	var sealed [sealedLen]byte
	if _, err := io.ReadFull(rand, sealed[:nonceLen]); err != nil {
		return "", fmt.Errorf("card: reading randomness: %w", err)
	}
	key.aead.Seal(sealed[nonceLen:nonceLen], sealed[:nonceLen], formatPlaintext(id, day), []byte(key.header))
	out := make([]byte, len(key.header)+bodyLen)
	copy(out, key.header)
	qrEncoding.Encode(out[len(key.header):], sealed[:])
	return string(out), nil
}

// Open checks a scanned QR text and returns the card it carries. Checks, in
// order: length bound, tag and version, format and canonical base32, key id
// known, GCM authentication, plaintext format, ID check digits, expiry (the
// card is valid through its expiry day in Asia/Shanghai).
//
// On ErrExpired the returned Card is the authentic, expired card (for
// messages); on every other error it is the zero Card.
func (kr *Keyring) Open(text string, now time.Time) (Card, error) {
	keyID, body, err := splitQRText(text)
	if err != nil {
		return Card{}, err
	}
	var sealed [sealedLen]byte
	if err := decodeCanonical(sealed[:], body); err != nil {
		return Card{}, err
	}
	key, ok := kr.state.Load().keys[keyID]
	if !ok {
		return Card{}, fmt.Errorf("%w: %s", ErrUnknownKey, keyID)
	}
	var buf [plaintextLen]byte
	plain, err := key.aead.Open(buf[:0], sealed[:nonceLen], sealed[nonceLen:], []byte(key.header))
	if err != nil {
		return Card{}, ErrTampered
	}
	c, err := parsePlaintext(plain)
	if err != nil {
		return Card{}, err
	}
	if !c.ValidAt(now) {
		return c, fmt.Errorf("%w: on %s", ErrExpired, c.Expiry.Format("2006-01-02"))
	}
	return c, nil
}

// splitQRText checks length, tag, version and key id, and returns the key id
// and the base32 body.
func splitQRText(text string) (keyID, body string, err error) {
	if len(text) > MaxQRTextLen {
		return "", "", fmt.Errorf("%w: QR text longer than %d characters", ErrMalformed, MaxQRTextLen)
	}
	if len(text) < len(qrTag) || text[:len(qrTag)] != qrTag {
		return "", "", fmt.Errorf("%w: not a OneCode QR text", ErrMalformed)
	}
	rest := text[len(qrTag):]
	v := 0
	for v < len(rest) && v < maxVersion+1 && rest[v] >= '0' && rest[v] <= '9' {
		v++
	}
	if v == 0 || v > maxVersion || v >= len(rest) || rest[v] != ':' {
		return "", "", fmt.Errorf("%w: bad version tag", ErrMalformed)
	}
	if rest[:v] != qrVersion {
		return "", "", fmt.Errorf("%w: OC%s", ErrUnsupportedVersion, rest[:v])
	}
	rest = rest[v+1:]
	sep := -1
	for i := 0; i < len(rest) && i <= maxKeyIDLen; i++ {
		if rest[i] == ':' {
			sep = i
			break
		}
	}
	if sep < 0 || !validKeyID(rest[:sep]) {
		return "", "", fmt.Errorf("%w: bad key id", ErrMalformed)
	}
	return rest[:sep], rest[sep+1:], nil
}

// decodeCanonical decodes body (RFC 4648 base32, upper case, no padding)
// into dst, which must be exactly the decoded length. It accepts only the
// canonical encoding: no lower case, padding, line breaks or non-zero
// trailing bits, so one sealed value has exactly one text.
func decodeCanonical(dst []byte, body string) error {
	if len(body) != bodyLen || qrEncoding.DecodedLen(len(body)) != len(dst) {
		return fmt.Errorf("%w: QR body must be %d characters, got %d", ErrMalformed, bodyLen, len(body))
	}
	var acc uint64
	bits, n := 0, 0
	for i := 0; i < len(body); i++ {
		v := base32Value(body[i])
		if v < 0 {
			return fmt.Errorf("%w: QR body is not upper-case base32", ErrMalformed)
		}
		acc = acc<<5 | uint64(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			dst[n] = byte(acc >> bits)
			n++
		}
	}
	if acc&(1<<bits-1) != 0 {
		return fmt.Errorf("%w: QR body is not canonical base32", ErrMalformed)
	}
	return nil
}

// base32Value returns the RFC 4648 value of an upper-case base32 digit, or
// -1.
func base32Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= '2' && c <= '7':
		return int(c-'2') + 26
	}
	return -1
}
