package access

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
)

// ErrSealedPhone is a sealed phone that does not open under the key.
var ErrSealedPhone = errors.New("access: sealed phone does not open")

// phoneSealKey derives the AES-256 key that seals phones in outbox messages from
// the phone hash key, so that one secret serves both and the two uses stay apart.
func phoneSealKey(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("onecode/outbox-phone-seal/v1"))
	return m.Sum(nil)
}

// SealPhone seals phone for an outbox message (AES-256-GCM under a key derived
// from key, a nonce read from rand): the outbox never holds a phone in clear,
// yet the SMS sender can open it. The result is base64 (URL alphabet, no padding).
func SealPhone(key []byte, phone string, rand io.Reader) (string, error) {
	aead, err := phoneAEAD(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(phone)+aead.Overhead())
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(phone), nil)), nil
}

// OpenPhone opens a SealPhone result.
func OpenPhone(key []byte, sealed string) (string, error) {
	aead, err := phoneAEAD(key)
	if err != nil {
		return "", err
	}
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < aead.NonceSize()+aead.Overhead() {
		return "", ErrSealedPhone
	}
	p, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], nil)
	if err != nil {
		return "", ErrSealedPhone
	}
	return string(p), nil
}

func phoneAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) < 16 {
		return nil, errors.New("access: phone key shorter than 16 bytes")
	}
	block, err := aes.NewCipher(phoneSealKey(key))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
