package ops

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onecode/onecode/domain/schoolday"
)

// maxTerminals bounds the terminals a Board keeps (connected or seen today).
const maxTerminals = 100_000

// TerminalFigures are what the member knows of one terminal it served.
type TerminalFigures struct {
	TerminalID, SchoolID, CanteenID string
	Software                        string // the version the terminal reported in Hello
	Online                          bool   // a session is open on this member (on Member for another's)
	ConnectedAt, LastSeen           time.Time
	// Member is the member that last saw the terminal (Service.Terminals).
	Member string
	// Day is the service day (Asia/Shanghai) of SalesToday and DeclinesToday.
	Day           schoolday.Date
	SalesToday    int64
	SalesFenToday int64
	DeclinesToday map[string]int64 // by reason code
}

// Board keeps the terminals whose sessions this member serves: online, last
// sign of life (any request, heartbeats included), software version, sales and
// declines by reason today. The terminal edge reports to it; a nil *Board
// records nothing. Safe for concurrent use.
type Board struct {
	now func() time.Time
	mu  sync.Mutex
	t   map[string]*TerminalFigures
	// closed are the figures of days a terminal's first pay of a later day closed,
	// until Days hands them out (so the watcher writes a day's last counts).
	closed []TerminalFigures
}

// NewBoard returns an empty Board.
func NewBoard(now func() time.Time) *Board {
	if now == nil {
		now = time.Now
	}
	return &Board{now: now, t: map[string]*TerminalFigures{}}
}

func (b *Board) entry(id string) *TerminalFigures {
	f := b.t[id]
	if f == nil {
		if len(b.t) >= maxTerminals {
			return nil
		}
		f = &TerminalFigures{TerminalID: id}
		b.t[id] = f
	}
	return f
}

// Connected records an authenticated session of a terminal.
func (b *Board) Connected(terminalID, schoolID, canteenID, software string) {
	if b == nil {
		return
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if f := b.entry(terminalID); f != nil {
		f.SchoolID, f.CanteenID, f.Software = schoolID, canteenID, clip(software)
		f.Online, f.ConnectedAt, f.LastSeen = true, now, now
	}
}

// Seen records a sign of life of a connected terminal (a request).
func (b *Board) Seen(terminalID string) {
	if b == nil {
		return
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if f := b.t[terminalID]; f != nil {
		f.LastSeen = now
	}
}

// Disconnected records the end of a terminal's session.
func (b *Board) Disconnected(terminalID string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if f := b.t[terminalID]; f != nil {
		f.Online = false
	}
}

// NotePay counts a first answer to a pay: approved (amount fen) or declined
// (reason code).
func (b *Board) NotePay(terminalID string, approved bool, fen int64, reasonCode string) {
	if b == nil {
		return
	}
	day := schoolday.Of(b.now())
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.t[terminalID]
	if f == nil {
		return
	}
	if f.Day != day {
		if f.Day != 0 && (f.SalesToday > 0 || len(f.DeclinesToday) > 0) && len(b.closed) < maxTerminals {
			b.closed = append(b.closed, *f) // DeclinesToday is not touched again: a new map follows
		}
		f.Day, f.SalesToday, f.SalesFenToday, f.DeclinesToday = day, 0, 0, nil
	}
	if approved {
		f.SalesToday++
		f.SalesFenToday += fen
		return
	}
	if f.DeclinesToday == nil {
		f.DeclinesToday = map[string]int64{}
	}
	if len(f.DeclinesToday) < maxLabels || f.DeclinesToday[reasonCode] > 0 {
		f.DeclinesToday[reasonCode]++
	} else {
		f.DeclinesToday["other"]++
	}
}

// Days returns the figures of every terminal that paid, of its last day with a
// pay (open), and the figures of the earlier days closed since the last call
// (closed, handed out once).
func (b *Board) Days() (open, closed []TerminalFigures) {
	if b == nil {
		return nil, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range b.t {
		if f.Day == 0 {
			continue
		}
		c := *f
		c.DeclinesToday = make(map[string]int64, len(f.DeclinesToday))
		for k, v := range f.DeclinesToday {
			c.DeclinesToday[k] = v
		}
		open = append(open, c)
	}
	closed, b.closed = b.closed, nil
	return open, closed
}

// maxLabels bounds the decline reasons kept per terminal.
const maxLabels = 32

// Terminals returns the terminals of schoolID ("" for every school), by id; the
// figures of another day than today read as zero.
func (b *Board) Terminals(schoolID string) []TerminalFigures {
	if b == nil {
		return nil
	}
	today := schoolday.Of(b.now())
	b.mu.Lock()
	out := make([]TerminalFigures, 0, len(b.t))
	for _, f := range b.t {
		if schoolID != "" && f.SchoolID != schoolID {
			continue
		}
		c := *f
		c.DeclinesToday = make(map[string]int64, len(f.DeclinesToday))
		if c.Day == today {
			for k, v := range f.DeclinesToday {
				c.DeclinesToday[k] = v
			}
		} else {
			c.Day, c.SalesToday, c.SalesFenToday = today, 0, 0
		}
		out = append(out, c)
	}
	b.mu.Unlock()
	slices.SortFunc(out, func(x, y TerminalFigures) int { return strings.Compare(x.TerminalID, y.TerminalID) })
	return out
}
