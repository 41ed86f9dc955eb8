package journal

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Bounds enforced by every Store.
const (
	MaxAccountLen       = 128  // bytes in an account id
	MaxIdemKeyLen       = 128  // bytes in an idempotency key
	MaxEventsPerAppend  = 256  // events in one Append
	MaxPostingsPerEvent = 16   // postings in one Event
	MaxBatch            = 4096 // appends in one AppendBatch
	MaxHistoryLimit     = 200  // events in one History page
	MaxCanteenDays      = 400  // days spanned by one CanteenDaily query
)

// Posting is one leg of a double-entry posting. The postings of an event sum
// to zero.
type Posting struct {
	Ledger string
	Amount int64 // fen, non-zero
}

// Event is one journaled fact of an account.
//
// At is stored with microsecond precision. Postings are write-only read-model
// columns: Load and History do not return them (see LedgerSum).
type Event struct {
	Seq  int64  // 0 (assigned) or exactly ExpectedSeq+1, +2, … in order
	Type string // e.g. "Purchased"
	Data []byte // encoded event, opaque to the journal
	At   time.Time

	// Read-model columns, zero when not applicable.
	Amount   int64     // signed change of the pupil wallet in fen
	Merchant string    // canteen id for purchases (Amount < 0) and voids (Amount > 0)
	Postings []Posting // double-entry postings; sum zero
}

// Snapshot is the encoded state of an account after event Seq.
type Snapshot struct {
	Seq  int64
	Data []byte
}

// Append is one command's effect on one account: its events, written
// atomically at ExpectedSeq, and its idempotency record.
type Append struct {
	Account     string
	ExpectedSeq int64  // seq of the last event the writer has seen (0 for a new account)
	IdemKey     string // may be empty (no idempotency record)
	Fingerprint string // hash of the command payload
	Outcome     []byte // encoded outcome, returned verbatim on a retry with the same key
	Events      []Event
	Snapshot    *Snapshot // optional; ExpectedSeq < Seq ≤ last appended seq
}

// LastSeq returns the seq of the last event of a, once appended.
func (a *Append) LastSeq() int64 { return a.ExpectedSeq + int64(len(a.Events)) }

// DayTotal is the net canteen turnover of one Asia/Shanghai calendar day.
type DayTotal struct {
	Day   time.Time // midnight, Asia/Shanghai (UTC+8)
	Count int64     // purchases minus voids
	Sum   int64     // fen paid to the canteen, net of voids
}

// Errors reported per append or per call. Check them with errors.Is.
var (
	// ErrSeqConflict: the account's last seq is not ExpectedSeq (another
	// writer, e.g. a second activation, appended first). Nothing was written.
	ErrSeqConflict = errors.New("journal: sequence conflict")
	// ErrDuplicateKey: the idempotency key was already used; the error is a
	// *DuplicateError carrying the stored fingerprint and outcome.
	ErrDuplicateKey = errors.New("journal: duplicate idempotency key")
	// ErrInvalid: the request is malformed. Nothing was written.
	ErrInvalid = errors.New("journal: invalid request")
	// ErrUnknownOutcome: the transaction failed in a way that leaves its
	// commit undecided (e.g. the database went away). Resolve by Load or
	// Command, never by blindly appending again under a new key.
	ErrUnknownOutcome = errors.New("journal: outcome unknown")
	// ErrClosed: the Writer is closed.
	ErrClosed = errors.New("journal: writer closed")
	// ErrQueueFull: the Writer's queue stayed full until the context ended.
	ErrQueueFull = errors.New("journal: writer queue full")
)

// DuplicateError reports a reused idempotency key with what was stored
// under it. errors.Is(err, ErrDuplicateKey) holds.
type DuplicateError struct {
	Account     string
	IdemKey     string
	Fingerprint string
	Outcome     []byte
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("journal: duplicate idempotency key %q for account %q", e.IdemKey, e.Account)
}

// Is makes errors.Is(err, ErrDuplicateKey) true.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicateKey }

// SeqConflict returns an ErrSeqConflict error for account.
func SeqConflict(account string, expected, last int64) error {
	return fmt.Errorf("%w: account %q expected seq %d, last is %d", ErrSeqConflict, account, expected, last)
}

// Store is the journal's storage. Implementations are safe for concurrent
// use.
type Store interface {
	// AppendBatch writes the appends in one transaction and returns one error
	// per append (nil when it committed). An append that conflicts or is
	// invalid fails alone. Appends of one account are applied in order, so a
	// later one may build on an earlier one. Committed appends are durable
	// when AppendBatch returns. At most MaxBatch appends.
	AppendBatch(ctx context.Context, batch []Append) []error
	// Load returns the latest snapshot (nil if none) and the events after it.
	Load(ctx context.Context, account string) (snap *Snapshot, tail []Event, err error)
	// Command returns what is stored under an idempotency key.
	Command(ctx context.Context, account, idemKey string) (fingerprint string, outcome []byte, found bool, err error)
	// History returns up to limit (1..MaxHistoryLimit) events with
	// seq < beforeSeq, newest first; beforeSeq ≤ 0 starts at the newest.
	History(ctx context.Context, account string, beforeSeq int64, limit int) ([]Event, error)
	// CanteenDaily returns the merchant's net turnover per Asia/Shanghai day
	// for events with from ≤ At < to, oldest day first, days without events
	// omitted.
	CanteenDaily(ctx context.Context, merchant string, from, to time.Time) ([]DayTotal, error)
	// LedgerSum returns the sum of all postings; it is 0 unless the journal
	// is corrupt.
	LedgerSum(ctx context.Context) (int64, error)
	// WalletBalance returns the sum of Amount over the account's events.
	WalletBalance(ctx context.Context, account string) (int64, error)
	Close() error
}
