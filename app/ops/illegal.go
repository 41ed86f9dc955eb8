package ops

import (
	"strings"
	"sync"
	"time"

	"github.com/onecode/onecode/domain/reason"
)

// Kinds of illegal terminal access (the edge's failed handshakes).
const (
	AccessUnknownTerminal = "unknown_terminal"
	AccessDisabled        = "disabled"
	AccessBadMAC          = "bad_mac"
	AccessProtocol        = "protocol"
	// AccessWrongSchool is a card of another school presented at a terminal (a
	// pay declined WRONG_SCHOOL): counted apart from the terminal's handshakes.
	AccessWrongSchool = "wrong_school"
)

// wrongSchoolSuffix ends the subject of a terminal's wrong-school attempts.
const wrongSchoolSuffix = "/wrong-school"

// unknownSubject counts every handshake of an unknown terminal id under one
// subject: the id is the caller's claim, and a storm of made-up ids is one storm.
const unknownSubject = "unknown-terminals"

// maxAccessSubjects bounds the terminals an Access tracker counts at a time.
const maxAccessSubjects = 10_000

// Access counts failed terminal handshakes per terminal in one-minute windows,
// for the illegal-access alarm (k attempts per minute). The edge reports each
// failure (Failed never blocks on I/O); the Watcher turns the counts into
// alarms. A nil *Access records nothing. Safe for concurrent use.
type Access struct {
	now func() time.Time
	mu  sync.Mutex
	s   map[string]*attempts
}

type attempts struct {
	schoolID    string
	window      time.Time // start of the current minute window
	n           int       // failures in it
	last        time.Time
	lastKind    string
	alarmed     bool
	windowPeakN int // the highest n of a window since the alarm was raised
}

// NewAccess returns an empty tracker.
func NewAccess(now func() time.Time) *Access {
	if now == nil {
		now = time.Now
	}
	return &Access{now: now, s: map[string]*attempts{}}
}

// Failed records one failed handshake of kind (Access*) by terminalID (of
// schoolID when known).
func (a *Access) Failed(terminalID, schoolID, kind string) {
	if a == nil {
		return
	}
	subject := clip(terminalID)
	switch {
	case kind == AccessUnknownTerminal || subject == "":
		subject, schoolID = unknownSubject, ""
	case kind == AccessWrongSchool:
		subject = clip(terminalID + wrongSchoolSuffix)
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	e := a.s[subject]
	if e == nil {
		if len(a.s) >= maxAccessSubjects {
			return
		}
		e = &attempts{}
		a.s[subject] = e
	}
	if now.Sub(e.window) >= time.Minute {
		e.window, e.n = now, 0
	}
	e.n++
	e.windowPeakN = max(e.windowPeakN, e.n)
	e.schoolID, e.last, e.lastKind = schoolID, now, kind
}

// Declined records a pay declined at terminalID (of schoolID) for reasonCode:
// a card of another school (reason.WrongSchool) counts as an illegal access
// attempt; other declines are the pupils' own business and count nothing.
func (a *Access) Declined(terminalID, schoolID, reasonCode string) {
	if reasonCode == string(reason.WrongSchool) {
		a.Failed(terminalID, schoolID, AccessWrongSchool)
	}
}

// storms returns the subjects in alarm: k or more failures within a window, and
// still failing within quiet since; forgets subjects quiet for longer.
func (a *Access) storms(scope string, k int, quiet time.Duration) []Alarm {
	if a == nil {
		return nil
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Alarm
	for subject, e := range a.s {
		if now.Sub(e.last) > quiet {
			delete(a.s, subject)
			continue
		}
		if e.n >= k && now.Sub(e.window) < time.Minute {
			e.alarmed = true
		}
		if !e.alarmed {
			continue
		}
		msg := "terminal handshakes failing (" + e.lastKind + "): " + itoa(e.windowPeakN) + " in one minute"
		if e.lastKind == AccessWrongSchool {
			msg = "cards of another school presented at terminal " + strings.TrimSuffix(subject, wrongSchoolSuffix) +
				": " + itoa(e.windowPeakN) + " in one minute"
		}
		out = append(out, Alarm{Key: Key(KindIllegalAccess, scope, subject), Kind: KindIllegalAccess, Level: Critical,
			SchoolID: e.schoolID, Subject: subject, Message: msg})
	}
	return out
}
