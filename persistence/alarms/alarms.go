package alarms

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Bounds enforced by every Store.
const (
	MaxKeyLen     = 200 // bytes of a dedupe key
	MaxTextLen    = 500 // characters of a message
	MaxIDLen      = 128 // bytes of a school, subject or operator id
	MaxListLimit  = 500 // rows of one List page
	MaxKindLength = 64
)

// Errors. Check them with errors.Is.
var (
	// ErrNotFound: no such alarm.
	ErrNotFound = errors.New("alarms: not found")
	// ErrConflict: a concurrent write won; retry.
	ErrConflict = errors.New("alarms: conflict")
	// ErrInvalid: the request is malformed. Nothing was written.
	ErrInvalid = errors.New("alarms: invalid request")
)

// Level is how urgent an alarm is.
type Level string

// Levels.
const (
	Warning  Level = "warning"
	Critical Level = "critical"
)

// Alarm is one alarm as stored.
type Alarm struct {
	ID    int64
	Key   string // the dedupe key: one open alarm per key
	Kind  string // terminal_offline, illegal_access, wallet_anomaly …
	Level Level
	// SchoolID is the school concerned ("" for the switch as a whole).
	SchoolID string
	// Subject is what the alarm is about (a terminal id, an account id, a member).
	Subject string
	// Message says what happened, without personal data.
	Message  string
	RaisedAt time.Time
	LastSeen time.Time
	Count    int64     // occurrences while open, the first included
	Cleared  time.Time // zero while open
	AckedBy  string    // the operator who acknowledged it ("" if not yet)
	AckedAt  time.Time
}

// Open reports whether a is not cleared.
func (a Alarm) Open() bool { return a.Cleared.IsZero() }

// Filter selects alarms for List, newest first.
type Filter struct {
	OpenOnly bool
	// BeforeID pages: only alarms with a smaller id (0: from the newest).
	BeforeID int64
	Limit    int // 1..MaxListLimit
}

// Store keeps alarms. Implementations are safe for concurrent use.
type Store interface {
	// Raise opens an alarm for a.Key at a.RaisedAt, or, when one is open for the
	// key, counts one more occurrence (LastSeen, Count, Message). created says
	// which. ErrInvalid for a malformed alarm.
	Raise(ctx context.Context, a Alarm) (got Alarm, created bool, err error)
	// Clear closes the open alarm of key at at; false when none was open.
	Clear(ctx context.Context, key string, at time.Time) (bool, error)
	// Acknowledge records that operator acknowledged alarm id at at. An alarm
	// already acknowledged keeps its first acknowledgement. ErrNotFound when none.
	Acknowledge(ctx context.Context, id int64, operator string, at time.Time) (Alarm, error)
	// Get returns one alarm (ErrNotFound).
	Get(ctx context.Context, id int64) (Alarm, error)
	// List returns alarms newest first.
	List(ctx context.Context, f Filter) ([]Alarm, error)
	// OpenKeys returns the keys of the open alarms whose key starts with prefix
	// (at most MaxListLimit), so that a source can clear what healed.
	OpenKeys(ctx context.Context, prefix string) ([]string, error)
	// Presence and Leases (presence.go) let the members share what one sees.
	Presence
	Leases
	// TerminalDays (days.go) sum the terminals' day figures over the members.
	TerminalDays
	Close() error
}

// ValidateAlarm checks what Raise writes.
func ValidateAlarm(a Alarm) error {
	switch {
	case a.Key == "" || len(a.Key) > MaxKeyLen:
		return fmt.Errorf("%w: key of %d bytes, want 1..%d", ErrInvalid, len(a.Key), MaxKeyLen)
	case a.Kind == "" || len(a.Kind) > MaxKindLength:
		return fmt.Errorf("%w: kind %q", ErrInvalid, a.Kind)
	case a.Level != Warning && a.Level != Critical:
		return fmt.Errorf("%w: level %q", ErrInvalid, a.Level)
	case len(a.SchoolID) > MaxIDLen || len(a.Subject) > MaxIDLen:
		return fmt.Errorf("%w: school or subject longer than %d bytes", ErrInvalid, MaxIDLen)
	case !utf8.ValidString(a.Message) || utf8.RuneCountInString(a.Message) > MaxTextLen:
		return fmt.Errorf("%w: message not UTF-8 or longer than %d characters", ErrInvalid, MaxTextLen)
	case a.RaisedAt.IsZero():
		return fmt.Errorf("%w: no raise time", ErrInvalid)
	}
	return nil
}

// ValidateFilter checks a List filter.
func ValidateFilter(f Filter) error {
	if f.Limit < 1 || f.Limit > MaxListLimit || f.BeforeID < 0 {
		return fmt.Errorf("%w: limit %d (want 1..%d), before %d", ErrInvalid, f.Limit, MaxListLimit, f.BeforeID)
	}
	return nil
}
