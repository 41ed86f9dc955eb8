package alarms

import (
	"context"
	"fmt"
	"time"
)

// MaxBeats bounds the beats of one Beat call or one Silent answer.
const MaxBeats = 1000

// MaxLeaseTTL bounds a lease.
const MaxLeaseTTL = 10 * time.Minute

// Beat is a terminal's last sign of life as one member saw it.
type Beat struct {
	TerminalID, SchoolID string
	// Member is the member that saw it (the last writer wins).
	Member   string
	Online   bool // a session was open on Member
	LastSeen time.Time
}

// Presence keeps the terminals' last signs of life for every member, so that a
// terminal served by one member is not offline on another.
type Presence interface {
	// Beat records beats (at most MaxBeats); each replaces the stored beat of its
	// terminal unless that one is newer (a later LastSeen).
	Beat(ctx context.Context, beats []Beat) error
	// Silent returns the terminals whose last sign of life is in [since, before),
	// oldest first, at most limit (1..MaxBeats).
	Silent(ctx context.Context, since, before time.Time, limit int) ([]Beat, error)
}

// Leases give a named job to one holder at a time: the holder renews before its
// lease expires; when it stops (dies, loses its database), another takes over.
type Leases interface {
	// AcquireLease gives name to holder until now+ttl when it is free, expired or
	// already holder's (a renewal); false when another holds it.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error)
	// ReleaseLease ends holder's lease of name (nothing when another holds it).
	ReleaseLease(ctx context.Context, name, holder string) error
}

// ValidateBeat checks one beat.
func ValidateBeat(b Beat) error {
	if b.TerminalID == "" || len(b.TerminalID) > MaxIDLen || len(b.SchoolID) > MaxIDLen || len(b.Member) > MaxIDLen ||
		b.LastSeen.IsZero() {
		return fmt.Errorf("%w: beat of terminal %q", ErrInvalid, b.TerminalID)
	}
	return nil
}

// ValidateLease checks a lease request.
func ValidateLease(name, holder string, ttl time.Duration) error {
	if name == "" || len(name) > MaxKindLength || holder == "" || len(holder) > MaxIDLen || ttl <= 0 || ttl > MaxLeaseTTL {
		return fmt.Errorf("%w: lease %q for %q, ttl %v (want (0, %v])", ErrInvalid, name, holder, ttl, MaxLeaseTTL)
	}
	return nil
}
