package access

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"

	policy "github.com/onecode/onecode/domain/access"
)

// PasswordParams are the argon2id costs of a new password hash (a stored hash
// carries its own, so they can be raised without breaking logins).
type PasswordParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultPasswordParams: argon2id with 64 MiB, one pass, two lanes. On the 2-core
// reference box one hash takes ~57 ms (m=19 MiB,t=2: 29 ms; m=64 MiB, t=2: 80 ms),
// inside the ~100 ms budget of a login, and above the OWASP minimum (19 MiB, t=2).
// Concurrent hashing is bounded (AuthOptions.MaxConcurrentHashes for logins,
// staffHashWorkers for staff writes), so memory stays ≤ that × 64 MiB.
var DefaultPasswordParams = PasswordParams{MemoryKiB: 64 << 10, Time: 1, Threads: 2}

// Password bounds.
const (
	// MaxPasswordLen bounds any password, in bytes.
	MaxPasswordLen = policy.MaxPasswordLen
	saltLen        = 16
	keyLen         = 32
	maxMemoryKiB   = 1 << 20 // a stored hash may ask for at most 1 GiB …
	maxTime        = 16      // … 16 passes …
	maxThreads     = 16      // … and 16 lanes
)

func (p PasswordParams) valid() bool {
	return p.MemoryKiB >= 8*uint32(p.Threads) && p.MemoryKiB <= maxMemoryKiB && p.Time >= 1 && p.Time <= maxTime &&
		p.Threads >= 1 && p.Threads <= maxThreads
}

// HashPassword returns the PHC string of password:
// $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key> (unpadded base64).
func HashPassword(password string, p PasswordParams, rand io.Reader) (string, error) {
	if !policy.ValidLoginPassword(password) {
		return "", fmt.Errorf("access: password of %d bytes, want 1..%d", len(password), MaxPasswordLen)
	}
	if !p.valid() {
		return "", fmt.Errorf("access: argon2id parameters %+v out of bounds", p)
	}
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("access: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrBadHash: a stored hash is not a PHC argon2id string within bounds.
var ErrBadHash = errors.New("access: not an argon2id PHC string within bounds")

// VerifyPassword reports whether password matches the PHC string (constant-time
// comparison of the derived keys).
func VerifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false, ErrBadHash
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 || !p.valid() {
		return false, ErrBadHash
	}
	if len(password) > MaxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
