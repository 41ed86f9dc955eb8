package access

import (
	"crypto/hmac"
	"crypto/sha256"
)

// MinPhoneHashKey is the shortest phone hash key accepted.
const MinPhoneHashKey = 16

// MinPhoneSealKey is the shortest phone seal key accepted (AES-256: 32 bytes).
const MinPhoneSealKey = 32

// PhoneHash is the keyed hash (HMAC-SHA-256) under which a normalised phone is
// known; the phone itself is never stored.
func PhoneHash(key []byte, phone string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("onecode phone v1\x00"))
	m.Write([]byte(phone))
	return m.Sum(nil)
}
