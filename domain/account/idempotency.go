package account

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
)

// fingerprintVersion starts every canonical encoding, so that a future
// change of encoding cannot collide with stored fingerprints.
const fingerprintVersion = "onecode/account/command/v1"

// encoder writes a canonical, unambiguous encoding: every string is length
// prefixed and every integer is a fixed 8-byte big-endian value.
type encoder struct {
	h   hash.Hash
	buf [8]byte
}

func (e *encoder) int(v int64) {
	binary.BigEndian.PutUint64(e.buf[:], uint64(v))
	e.h.Write(e.buf[:])
}

func (e *encoder) str(s string) {
	e.int(int64(len(s)))
	io.WriteString(e.h, s)
}

func (e *encoder) strs(ss ...string) {
	for _, s := range ss {
		e.str(s)
	}
}

func (e *encoder) bool(b bool) {
	if b {
		e.int(1)
	} else {
		e.int(0)
	}
}

func (e *encoder) limits(l Limits) {
	e.int(int64(l.SingleRechargeMax))
	e.int(int64(l.BalanceCap))
	e.int(int64(l.DailySpendCap))
	e.int(int64(l.ArrearsCap))
}

// Fingerprint returns a deterministic hash (hex SHA-256 over a canonical
// encoding) of the command's type and whole payload, key included. The
// store keeps it next to the first outcome of the key.
func Fingerprint(cmd Command) string {
	e := encoder{h: sha256.New()}
	e.str(fingerprintVersion)
	cmd.encode(&e)
	return hex.EncodeToString(e.h.Sum(nil))
}

// Replay answers a command whose key the store already holds: the stored
// outcome if cmd has the stored fingerprint, else ErrIdempotencyConflict.
func Replay(storedFingerprint string, storedOutcome Outcome, cmd Command) (Outcome, error) {
	if Fingerprint(cmd) != storedFingerprint {
		return Outcome{}, ErrIdempotencyConflict
	}
	return storedOutcome, nil
}
