// Package card is the pure domain logic of the pupil's student card and the
// QR code printed on it (DESIGN.md section 3).
//
// Pupils may not bring phones to school, so the card's printed QR code is
// what a canteen terminal scans to pay. The package exists to keep everything
// that decides whether a scanned text is a genuine, unexpired card in one
// small place with no I/O, no clock and no global randomness, so it can be
// table-tested, fuzzed and benchmarked in isolation:
//
//   - the 22-character personal ID code (ID, BuildID, ParseID) with its
//     CRC-16/CCITT-FALSE check (CRC16CCITTFalse);
//   - the plaintext "#<ID>#<YYYYMMDD>#" carried by the QR code;
//   - envelope encryption of that plaintext: AES-256-GCM under a data key
//     named by a key id carried in the QR text, data keys stored wrapped by
//     an RSA-OAEP (SHA-256) key-encryption key (Keyring). RSA is used only
//     when a keyring is created, loaded or rotated, never per scan;
//   - the short QR text (Keyring.Seal) and the checks made when a terminal
//     forwards a scanned text (Keyring.Open).
//
// Checks that need an account (school matches the terminal, the card's
// generation is the current one, the card is not reported lost) belong to
// the account and session layers, not here. Every failure is a typed error
// (ErrMalformed, ErrUnknownKey, ErrTampered, ErrBadCheck, ErrExpired, ...)
// usable with errors.Is; no error message carries key material.
//
// Reading and writing keyring files is the caller's job (cmd/onecode):
// this package takes and returns bytes.
package card
