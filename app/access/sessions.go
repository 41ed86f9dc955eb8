package access

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
)

// Session lifetimes.
const (
	DefaultStaffSessionTTL  = 12 * time.Hour
	DefaultParentSessionTTL = 30 * 24 * time.Hour
	tokenBytes              = 32
)

// tokenLen is the length of a session token: 32 bytes in unpadded base64url.
var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// SessionOptions configure Sessions. Zero values take the defaults.
type SessionOptions struct {
	StaffTTL  time.Duration    // default 12 h
	ParentTTL time.Duration    // default 30 days
	Now       func() time.Time // default time.Now
	Rand      io.Reader        // default crypto/rand
}

// Sessions are bearer tokens kept in the cache: a token is 32 random bytes in
// base64url, given to the client once; the cache holds only
// "session:<hex sha256(token)>" → the Principal as JSON (storedSession), for the
// session's TTL (no sliding). Tokens are never logged.
type Sessions struct {
	kv   cache.KV
	opts SessionOptions
}

// ErrNoSession: the token is malformed, unknown, expired, logged out or revoked.
var ErrNoSession = errors.New("access: no such session")

// NewSessions returns Sessions kept in kv.
func NewSessions(kv cache.KV, opts SessionOptions) (*Sessions, error) {
	if kv == nil {
		return nil, errors.New("access: sessions need a cache")
	}
	if opts.StaffTTL == 0 {
		opts.StaffTTL = DefaultStaffSessionTTL
	}
	if opts.ParentTTL == 0 {
		opts.ParentTTL = DefaultParentSessionTTL
	}
	for _, ttl := range []time.Duration{opts.StaffTTL, opts.ParentTTL} {
		if ttl < time.Second || ttl > cache.MaxTTL {
			return nil, fmt.Errorf("access: session TTL %v, want 1s..%v", ttl, cache.MaxTTL)
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = crand.Reader
	}
	return &Sessions{kv: kv, opts: opts}, nil
}

func sessionKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return "session:" + hex.EncodeToString(h[:])
}

// Open starts a session for p (staff or parent) and returns its token and end.
func (s *Sessions) Open(ctx context.Context, p Principal) (token string, expires time.Time, err error) {
	ttl := s.opts.StaffTTL
	switch p.Kind {
	case KindStaff:
	case KindParent:
		ttl = s.opts.ParentTTL
	default:
		return "", time.Time{}, fmt.Errorf("access: no sessions for %q", p.Kind)
	}
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(s.opts.Rand, b); err != nil {
		return "", time.Time{}, fmt.Errorf("access: session token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	now := s.opts.Now().UTC()
	p.IssuedAt = now
	p.ExpiresAt = now.Add(ttl).Truncate(time.Second)
	v, err := encodeSession(p)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.kv.Set(ctx, sessionKey(token), v, ttl); err != nil {
		return "", time.Time{}, err
	}
	return token, p.ExpiresAt, nil
}

// Resolve returns the principal of a token, or ErrNoSession.
func (s *Sessions) Resolve(ctx context.Context, token string) (Principal, error) {
	if !wellFormedToken(token) {
		return Principal{}, ErrNoSession
	}
	v, err := s.kv.Get(ctx, sessionKey(token))
	if errors.Is(err, cache.ErrNotFound) {
		return Principal{}, ErrNoSession
	}
	if err != nil {
		return Principal{}, err
	}
	p, err := decodeSession(v)
	if err != nil {
		return Principal{}, err
	}
	if !s.opts.Now().Before(p.ExpiresAt) {
		return Principal{}, ErrNoSession
	}
	if p.Kind == KindStaff {
		if err := s.checkStaffRevoked(ctx, p); err != nil {
			return Principal{}, err
		}
	}
	return p, nil
}

// Revocation of staff sessions. The cache keeps sessions by token only, so a
// user's sessions are not listed: RevokeStaff leaves a marker under
// "staff-revoked:<staff id>" that Resolve reads on every staff call (one cache
// read, no directory read), for as long as a session opened before it can live
// (StaffTTL plus staffRevokeMargin, for a login that was under way).
const (
	staffRevokedPrefix = "staff-revoked:"
	// staffRevokedDisabled marks a disabled user: every session of theirs is
	// dead, whenever it was opened (so that a login that read the account as
	// active just before it was disabled gets a dead session too).
	staffRevokedDisabled = "disabled"
	staffRevokeMargin    = 10 * time.Minute
)

// RevokeStaff ends the open sessions of staff member staffID. With disabled,
// every session of theirs is dead until the next RevokeStaff (call it after the
// account is written as disabled); without, the sessions opened until now are
// dead and later ones live (call it after the account is written enabled:
// re-enabled, or with a new role, class or password). Staff writes call it
// (StaffAccounts); it is cheap and idempotent.
func (s *Sessions) RevokeStaff(ctx context.Context, staffID string, disabled bool) error {
	if err := directory.ValidateID("staff", staffID); err != nil {
		return err
	}
	v := []byte(staffRevokedDisabled)
	if !disabled {
		v = []byte(s.opts.Now().UTC().Format(time.RFC3339Nano))
	}
	ttl := min(s.opts.StaffTTL+staffRevokeMargin, cache.MaxTTL)
	return s.kv.Set(ctx, staffRevokedPrefix+staffID, v, ttl)
}

// checkStaffRevoked answers ErrNoSession for a staff session that RevokeStaff
// ended (and the cache's error when the marker cannot be read: fail closed).
func (s *Sessions) checkStaffRevoked(ctx context.Context, p Principal) error {
	v, err := s.kv.Get(ctx, staffRevokedPrefix+p.SubjectID)
	switch {
	case errors.Is(err, cache.ErrNotFound):
		return nil
	case err != nil:
		return err
	case string(v) == staffRevokedDisabled:
		return ErrNoSession
	}
	at, err := time.Parse(time.RFC3339Nano, string(v))
	if err != nil || !p.IssuedAt.After(at) {
		return ErrNoSession // a session of before revocations existed has no IssuedAt
	}
	return nil
}

// Close ends the session of token (ending an ended one is no error).
func (s *Sessions) Close(ctx context.Context, token string) error {
	if !wellFormedToken(token) {
		return nil
	}
	_, err := s.kv.Delete(ctx, sessionKey(token))
	return err
}

func wellFormedToken(t string) bool {
	if len(t) != tokenLen {
		return false
	}
	for _, c := range []byte(t) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
