package alarms

import (
	"context"
	"fmt"
	"time"

	"github.com/onecode/onecode/domain/schoolday"
)

// Bounds of the terminals' day figures.
const (
	// MaxDayRows bounds the rows of one WriteDays call or one Days answer.
	MaxDayRows = 5000
	// MaxDeclineReasons bounds the decline reasons of one row.
	MaxDeclineReasons = 32
	// MaxRunLen bounds a run id.
	MaxRunLen = 64
)

// TerminalDay is one terminal's sales and declines of one service day as one
// run (a process start) of one member counted them. A run's counts only grow;
// the figures of the day are the sum over every member and run.
type TerminalDay struct {
	Day        schoolday.Date
	TerminalID string
	SchoolID   string
	Member     string // the member's stable name (host and gRPC address)
	Run        string // this start of the member: a restart counts from zero again
	Sales      int64
	SalesFen   int64
	Declines   map[string]int64 // by reason code
	UpdatedAt  time.Time
}

// DeclineTotal is the sum of the declines by reason.
func (d TerminalDay) DeclineTotal() int64 {
	var n int64
	for _, v := range d.Declines {
		n += v
	}
	return n
}

// TerminalDays keeps the terminals' day figures of every member and run, so that
// each member's ops API answers a terminal's whole day wherever it paid.
type TerminalDays interface {
	// WriteDays records rows (at most MaxDayRows), each replacing the stored row of
	// its (day, terminal, member, run) unless that one counts more sales or more
	// declines (a late write of older counts changes nothing).
	WriteDays(ctx context.Context, rows []TerminalDay) error
	// Days returns the rows of day of schoolID ("": every school), by terminal,
	// member and run, at most limit (1..MaxDayRows).
	Days(ctx context.Context, day schoolday.Date, schoolID string, limit int) ([]TerminalDay, error)
	// PruneDays deletes the rows of the days before day and says how many.
	PruneDays(ctx context.Context, before schoolday.Date) (int64, error)
}

// ValidateDay checks one row.
func ValidateDay(d TerminalDay) error {
	switch {
	case !d.Day.Valid():
		return fmt.Errorf("%w: day %v of terminal %q", ErrInvalid, d.Day, d.TerminalID)
	case d.TerminalID == "" || len(d.TerminalID) > MaxIDLen || len(d.SchoolID) > MaxIDLen:
		return fmt.Errorf("%w: terminal %q of school %q", ErrInvalid, d.TerminalID, d.SchoolID)
	case d.Member == "" || len(d.Member) > MaxIDLen || d.Run == "" || len(d.Run) > MaxRunLen:
		return fmt.Errorf("%w: member %q run %q (want 1..%d and 1..%d bytes)", ErrInvalid, d.Member, d.Run, MaxIDLen, MaxRunLen)
	case d.Sales < 0 || d.SalesFen < 0 || len(d.Declines) > MaxDeclineReasons:
		return fmt.Errorf("%w: terminal %q: negative sales or more than %d decline reasons", ErrInvalid, d.TerminalID, MaxDeclineReasons)
	}
	for r, n := range d.Declines {
		if r == "" || len(r) > MaxKindLength || n < 0 {
			return fmt.Errorf("%w: terminal %q: decline reason %q counted %d", ErrInvalid, d.TerminalID, r, n)
		}
	}
	return nil
}
