package journal

import (
	"fmt"
	"time"

	"github.com/onecode/onecode/domain/schoolday"
)

// CanteenZone is the zone of canteen days: Asia/Shanghai, which has been a
// fixed UTC+8 without daylight saving since 1991. It is fixed so that both
// stores agree without a tz database. It is the school day of domain/schoolday.
var CanteenZone = schoolday.Zone()

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// ValidateAccount checks an account id.
func ValidateAccount(account string) error {
	if account == "" {
		return invalid("empty account")
	}
	if len(account) > MaxAccountLen {
		return invalid("account longer than %d bytes", MaxAccountLen)
	}
	return nil
}

// Validate checks an append before it reaches the database. Every Store
// calls it; the database constraints check again.
func Validate(a *Append) error {
	if err := ValidateAccount(a.Account); err != nil {
		return err
	}
	if a.ExpectedSeq < 0 {
		return invalid("negative expected seq %d", a.ExpectedSeq)
	}
	if len(a.IdemKey) > MaxIdemKeyLen {
		return invalid("idempotency key longer than %d bytes", MaxIdemKeyLen)
	}
	if n := len(a.Events); n == 0 || n > MaxEventsPerAppend {
		return invalid("append has %d events, want 1..%d", n, MaxEventsPerAppend)
	}
	for i := range a.Events {
		if err := validateEvent(&a.Events[i], a.ExpectedSeq+1+int64(i)); err != nil {
			return err
		}
	}
	if s := a.Snapshot; s != nil && (s.Seq <= a.ExpectedSeq || s.Seq > a.LastSeq()) {
		return invalid("snapshot seq %d outside (%d, %d]", s.Seq, a.ExpectedSeq, a.LastSeq())
	}
	return nil
}

func validateEvent(e *Event, seq int64) error {
	if e.Seq != 0 && e.Seq != seq {
		return invalid("event seq %d, want %d (contiguous after expected seq)", e.Seq, seq)
	}
	if e.Type == "" {
		return invalid("event %d has no type", seq)
	}
	if e.At.IsZero() {
		return invalid("event %d has no time", seq)
	}
	if len(e.Postings) > MaxPostingsPerEvent {
		return invalid("event %d has %d postings, max %d", seq, len(e.Postings), MaxPostingsPerEvent)
	}
	var sum int64
	for _, p := range e.Postings {
		if p.Ledger == "" || p.Amount == 0 {
			return invalid("event %d has a posting without ledger or amount", seq)
		}
		next := sum + p.Amount
		if (p.Amount > 0 && next < sum) || (p.Amount < 0 && next > sum) {
			return invalid("event %d postings overflow", seq)
		}
		sum = next
	}
	if sum != 0 {
		return invalid("event %d postings sum to %d, want 0", seq, sum)
	}
	return nil
}

// ValidatePage checks History arguments.
func ValidatePage(account string, limit int) error {
	if err := ValidateAccount(account); err != nil {
		return err
	}
	if limit < 1 || limit > MaxHistoryLimit {
		return invalid("history limit %d, want 1..%d", limit, MaxHistoryLimit)
	}
	return nil
}

// ValidateRange checks CanteenDaily arguments.
func ValidateRange(merchant string, from, to time.Time) error {
	if merchant == "" {
		return invalid("empty merchant")
	}
	if !from.Before(to) {
		return invalid("empty time range")
	}
	if to.Sub(from) > MaxCanteenDays*24*time.Hour {
		return invalid("time range longer than %d days", MaxCanteenDays)
	}
	return nil
}

// ValidateBatch checks the batch size.
func ValidateBatch(n int) error {
	if n > MaxBatch {
		return invalid("batch of %d appends, max %d", n, MaxBatch)
	}
	return nil
}

// Fill returns errs of len n, each set to err.
func Fill(n int, err error) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

// NonNil returns b, or an empty non-nil slice (databases store nil as NULL).
func NonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
