package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Errors of the Store (wrapped: test with errors.Is).
var (
	ErrNotFound = errors.New("outbox: not found")
	ErrConflict = errors.New("outbox: conflict")
	ErrInvalid  = errors.New("outbox: invalid")
	// ErrNotQueued is a transition of a notice no longer queued (already sent,
	// failed or withdrawn).
	ErrNotQueued = errors.New("outbox: the notice is no longer queued")
)

// State is where a notice is.
type State string

// States.
const (
	Queued    State = "queued"
	Sent      State = "sent"
	Failed    State = "failed"
	Withdrawn State = "withdrawn"
)

// Delivery is what a provider's receipt said of a sent notice.
type Delivery string

// Deliveries.
const (
	DeliveryUnknown     Delivery = ""
	DeliveryDelivered   Delivery = "delivered"
	DeliveryUndelivered Delivery = "undelivered"
)

// Bounds.
const (
	MaxKeyLen       = 128 // bytes of a dedupe key
	MaxKindLen      = 32
	MaxRecipientLen = 128
	MaxPayload      = 8 << 10 // bytes of a payload
	MaxReasonLen    = 200     // bytes of a failure reason or a delivery detail
	MaxPage         = 500     // notices claimed or listed at once
	MaxLease        = time.Hour
	MaxRecipients   = 16 // recipients of one ListTo
)

// Notice is one message to send. Payload may hold personal data (a sealed phone,
// a masked name): never log it.
type Notice struct {
	ID        int64  // set by the Store
	Key       string // dedupe key: printable ASCII, 1..MaxKeyLen bytes, unique
	Kind      string // notice kind: [a-z_], 1..MaxKindLen
	SchoolID  string // the school whose staff see its status; empty for none (login codes)
	Recipient string // opaque: an account id, a parent id, a phone hash
	Payload   []byte // a JSON object
	NotBefore time.Time
	CreatedAt time.Time // set by the Store (microseconds)

	State       State
	Attempts    int32 // times claimed
	DoneAt      *time.Time
	Reason      string // why failed or withdrawn
	Delivery    Delivery
	Detail      string // the provider's delivery detail
	DeliveredAt *time.Time
}

// Store is the outbox.
type Store interface {
	// Enqueue queues n (Key, Kind, Recipient, Payload, SchoolID; a zero NotBefore is
	// now). A key already queued or done answers that notice's id and false, and
	// changes nothing.
	Enqueue(ctx context.Context, n Notice) (id int64, created bool, err error)
	// EnqueueMany is Enqueue of 1..MaxPage notices in one statement (a fee
	// item's page of published notices): all valid or none written. It answers
	// how many it queued; a key queued before (or twice in ns) is skipped.
	EnqueueMany(ctx context.Context, ns []Notice) (created int, err error)
	// Claim leases up to limit (1..MaxPage) queued notices due now whose lease
	// (if any) ran out, oldest due first, for lease (0 < lease ≤ MaxLease), and
	// counts the attempt. Concurrent claimers never get the same notice while
	// its lease runs.
	Claim(ctx context.Context, limit int, lease time.Duration) ([]Notice, error)
	// MarkSent ends a queued notice as sent; ErrNotQueued when it is no longer
	// queued (it is left as is).
	MarkSent(ctx context.Context, id int64) error
	// MarkSentMany ends as sent, in one statement, those of ids (1..MaxPage
	// positive ids) still queued, and answers how many it ended; the others (no
	// longer queued, or unknown) are left as they are: the group commit of
	// the notices' runner.
	MarkSentMany(ctx context.Context, ids []int64) (int, error)
	// MarkFailed ends a queued notice as failed for reason (1..MaxReasonLen bytes).
	MarkFailed(ctx context.Context, id int64, reason string) error
	// Defer puts a queued notice back until notBefore and ends its lease (quiet
	// hours reached while it waited).
	Defer(ctx context.Context, id int64, notBefore time.Time) error
	// Withdraw ends the queued notice of key as withdrawn for reason: its cause
	// was withdrawn before it went out. It answers false (and nil) when the
	// notice is no longer queued or there is none.
	Withdraw(ctx context.Context, key, reason string) (bool, error)
	// RecordDeliveries records providers' receipts (a batch ValidateReceipts
	// accepts; ErrInvalid and nothing written otherwise) on the sent notices
	// they name, at once, and answers those it left: of unknown notices and
	// of notices not sent (yet). Recording a receipt again changes nothing but
	// its time.
	RecordDeliveries(ctx context.Context, rs []Receipt) (ReceiptsLeft, error)
	// Get returns one notice.
	Get(ctx context.Context, id int64) (Notice, error)
	// List returns the notices of a school with ids below before (0: from the
	// newest), newest first, at most limit (1..MaxPage).
	List(ctx context.Context, schoolID string, before int64, limit int) ([]Notice, error)
	// ListTo returns the notices to any of recipients (1..MaxRecipients, each
	// 1..MaxRecipientLen bytes) with ids below before (0: from the newest),
	// newest first, at most limit (1..MaxPage): a guardian's inbox.
	ListTo(ctx context.Context, recipients []string, before int64, limit int) ([]Notice, error)
	Close() error
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// Validate checks a notice to enqueue.
func Validate(n *Notice) error {
	if n.Key == "" || len(n.Key) > MaxKeyLen || !printable(n.Key) {
		return invalid("dedupe key: want 1..%d printable ASCII bytes", MaxKeyLen)
	}
	if n.Kind == "" || len(n.Kind) > MaxKindLen {
		return invalid("kind %q", n.Kind)
	}
	for _, c := range []byte(n.Kind) {
		if (c < 'a' || c > 'z') && c != '_' {
			return invalid("kind %q: want [a-z_]", n.Kind)
		}
	}
	if len(n.SchoolID) > 64 || !printable(n.SchoolID) {
		return invalid("school id")
	}
	if n.Recipient == "" || len(n.Recipient) > MaxRecipientLen || !printable(n.Recipient) {
		return invalid("recipient: want 1..%d printable ASCII bytes", MaxRecipientLen)
	}
	var obj map[string]json.RawMessage
	if len(n.Payload) > MaxPayload || json.Unmarshal(n.Payload, &obj) != nil || obj == nil {
		return invalid("payload: want a JSON object of at most %d bytes", MaxPayload)
	}
	return nil
}

// ValidateMany checks the notices of an EnqueueMany.
func ValidateMany(ns []Notice) error {
	if len(ns) == 0 || len(ns) > MaxPage {
		return invalid("%d notices, want 1..%d", len(ns), MaxPage)
	}
	for i := range ns {
		if err := Validate(&ns[i]); err != nil {
			return err
		}
	}
	return nil
}

// ValidateReason checks a failure reason, a withdrawal reason or a delivery detail.
func ValidateReason(r string, empty bool) error {
	if (r == "" && !empty) || len(r) > MaxReasonLen {
		return invalid("reason of %d bytes, want 1..%d", len(r), MaxReasonLen)
	}
	return nil
}

// ValidateLimit checks a page size.
func ValidateLimit(n int) error {
	if n < 1 || n > MaxPage {
		return invalid("limit %d, want 1..%d", n, MaxPage)
	}
	return nil
}

// ValidateIDs checks the ids of a MarkSentMany.
func ValidateIDs(ids []int64) error {
	if len(ids) == 0 || len(ids) > MaxPage {
		return invalid("%d ids, want 1..%d", len(ids), MaxPage)
	}
	for _, id := range ids {
		if id <= 0 {
			return invalid("notice id %d", id)
		}
	}
	return nil
}

// ValidateLease checks a claim lease.
func ValidateLease(d time.Duration) error {
	if d <= 0 || d > MaxLease {
		return invalid("lease %v, want (0, %v]", d, MaxLease)
	}
	return nil
}

func printable(s string) bool {
	for _, c := range []byte(s) {
		if c < ' ' || c > '~' {
			return false
		}
	}
	return true
}

// Micro is t in UTC at the microseconds both stores keep.
func Micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ValidateRecipients checks the recipients of a ListTo.
func ValidateRecipients(rs []string) error {
	if len(rs) == 0 || len(rs) > MaxRecipients {
		return invalid("%d recipients, want 1..%d", len(rs), MaxRecipients)
	}
	for _, r := range rs {
		if r == "" || len(r) > MaxRecipientLen || !printable(r) {
			return invalid("recipient: want 1..%d printable ASCII bytes", MaxRecipientLen)
		}
	}
	return nil
}
