package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Bounds enforced by every Store.
const (
	MaxPage         = 200         // rows in one list page, ClaimBatch or MarkSent
	MaxImport       = 10_000      // pupils in one BulkImportPupils
	MaxIDLen        = 64          // bytes in a class, canteen or terminal id
	MaxNameLen      = 64          // characters in a name
	MaxAccountLen   = 128         // bytes in an account id (as in the journal)
	MaxBarcodeLen   = 32          // printable ASCII characters in a dish barcode
	MaxAllergens    = 16          // allergens of one dish
	MaxAllergenLen  = 32          // characters in one allergen
	MaxRecipientLen = 128         // bytes in an outbox recipient
	MaxPayload      = 16 << 10    // bytes in an outbox payload
	IDNumberHashLen = 32          // bytes in Pupil.IDNumberHash (HMAC-SHA-256)
	MinSecretLen    = 16          // bytes in Terminal.SecretHash, at least
	MaxSecretLen    = 64          // bytes in Terminal.SecretHash, at most
	MaxVoidWindow   = 86_400      // seconds in School.VoidWindowSeconds
	MinCardExpiry   = 20000101    // yyyymmdd
	MaxCardExpiry   = 99991231    // yyyymmdd
	MaxGrade        = 12          // grades are 1..12
	DefaultLease    = time.Minute // how long a claimed outbox row stays invisible
)

// Errors. Check them with errors.Is.
var (
	// ErrNotFound: the record, or a record it refers to, does not exist.
	ErrNotFound = errors.New("directory: not found")
	// ErrConflict: the write collides with an existing record (a unique key,
	// or a field that may not change). Nothing was written.
	ErrConflict = errors.New("directory: conflict")
	// ErrInvalid: the request is malformed. Nothing was written.
	ErrInvalid = errors.New("directory: invalid request")
)

// School is a school and its default account limits (fen and seconds).
type School struct {
	ID                string // five digits, e.g. "35001"
	Name              string
	SingleRechargeMax int64 // > 0, ≤ BalanceCap
	BalanceCap        int64 // > 0
	DailySpendCap     int64 // > 0
	ArrearsCap        int64 // ≥ 0
	VoidWindowSeconds int32 // 0..MaxVoidWindow
}

// Class is a class of a school.
type Class struct {
	SchoolID string
	ID       string // unique within the school
	Name     string // e.g. "3-2"
	Grade    int32  // 1..MaxGrade
}

// PupilStatus is whether a pupil is still at the school.
type PupilStatus string

// Pupil statuses.
const (
	PupilActive PupilStatus = "active"
	PupilLeft   PupilStatus = "left"
)

// Pupil is a pupil: the non-money half of an account.
type Pupil struct {
	AccountID    string // opaque, e.g. "acc_35001_2025000001"; never changes
	SchoolID     string // never changes
	StudentNo    string // ten digits, unique within the school; never changes
	Name         string
	ClassID      string // a class of the same school
	IDNumberHash []byte // keyed hash of the ID number (IDNumberHashLen bytes), never the number
	CardRandom   string // two digits printed in the QR, e.g. "07"
	CardExpiry   int32  // yyyymmdd
	Status       PupilStatus
}

// Canteen is a canteen of a school; its id is unique across schools.
type Canteen struct {
	SchoolID string
	ID       string
	Name     string
}

// TerminalStatus is whether a terminal may connect.
type TerminalStatus string

// Terminal statuses.
const (
	TerminalActive   TerminalStatus = "active"
	TerminalDisabled TerminalStatus = "disabled"
)

// Terminal is a canteen terminal (scanner + POS).
type Terminal struct {
	ID         string
	SchoolID   string
	CanteenID  string // a canteen of the same school
	Name       string
	SecretHash []byte // device credential material, stored as given
	Status     TerminalStatus
	CreatedAt  time.Time // set by the Store on AddTerminal (microseconds)
	// CanOverride lets the terminal's operator approve a short purchase as
	// arrears (Pay.override); false by default.
	CanOverride bool
}

// Dish is a dish of a canteen's catalog.
type Dish struct {
	CanteenID string
	Barcode   string // Code 128 text: 1..MaxBarcodeLen printable ASCII characters
	Name      string
	PriceFen  int64 // > 0
	Kcal      int32 // ≥ 0, as are the nutrients
	ProteinMg int32
	FatMg     int32
	CarbMg    int32
	Allergens []string // nil when none
	Active    bool
}

// Topic is the kind of an outbox message.
type Topic string

// Outbox topics.
const (
	TopicArrears  Topic = "arrears"
	TopicOTP      Topic = "otp"
	TopicReminder Topic = "reminder"
	// TopicBinding tells a pupil's guardians that another guardian was bound or unbound.
	TopicBinding Topic = "binding"
)

// Message is an outbox row: a notification to send at least once.
type Message struct {
	ID        int64 // assigned by Enqueue
	Topic     Topic
	Recipient string     // opaque: a parent id, a phone hash
	Payload   []byte     // JSON, at most MaxPayload bytes
	CreatedAt time.Time  // set by the Store (microseconds)
	Attempts  int32      // times the message was claimed, this claim included
	SentAt    *time.Time // nil until MarkSent
	// FailedAt is set by MarkFailed (a permanent failure, never claimed again),
	// with FailReason.
	FailedAt   *time.Time
	FailReason string
	// Delivery is what the provider's receipt said (RecordDelivery): "",
	// DeliveryDelivered or DeliveryUndelivered, with its detail and time.
	Delivery       string
	DeliveryDetail string
	DeliveredAt    *time.Time
}

// Delivery states of an outbox message, from the provider's receipt.
const (
	DeliveryDelivered   = "delivered"
	DeliveryUndelivered = "undelivered"
)

// MaxReasonLen bounds a failure reason or a delivery detail (bytes).
const MaxReasonLen = 200

// Store is the directory's storage. Implementations are safe for concurrent
// use. Every method validates its input first (ErrInvalid, nothing written).
type Store interface {
	// PutSchool inserts or updates a school.
	PutSchool(ctx context.Context, s School) error
	School(ctx context.Context, id string) (School, error)

	// PutClass inserts or updates a class; its school must exist.
	PutClass(ctx context.Context, c Class) error
	Class(ctx context.Context, schoolID, id string) (Class, error)
	// ListClasses returns up to limit (1..MaxPage) classes of a school with
	// ID > after, in ID order (none for an unknown school).
	ListClasses(ctx context.Context, schoolID, after string, limit int) ([]Class, error)

	// PutPupil inserts or updates one pupil, with the rules of
	// BulkImportPupils; a rejected row's error is returned as is.
	PutPupil(ctx context.Context, p Pupil) error
	// BulkImportPupils inserts or updates up to MaxImport pupils of a school
	// in one transaction: all or none. Rows are keyed by AccountID; an
	// existing pupil keeps its school and student number. Bad rows are
	// reported together in an *ImportError, found before anything is written.
	// Rows with an empty SchoolID take schoolID.
	BulkImportPupils(ctx context.Context, schoolID string, pupils []Pupil) error
	PupilByAccount(ctx context.Context, accountID string) (Pupil, error)
	// PupilsByAccounts returns, in one read, the pupils of a school among up to
	// MaxImport account ids, in AccountID order; unknown ids and another
	// school's pupils are absent (not an error), a repeated id answers once.
	PupilsByAccounts(ctx context.Context, schoolID string, accountIDs []string) ([]Pupil, error)
	PupilByStudentNo(ctx context.Context, schoolID, studentNo string) (Pupil, error)
	// ListPupils returns up to limit (1..MaxPage) pupils of a class (of the
	// whole school when classID is "") with StudentNo > after, in StudentNo
	// order. The next page starts after the last StudentNo returned; a short
	// page is the last.
	ListPupils(ctx context.Context, schoolID, classID, after string, limit int) ([]Pupil, error)

	// PutCanteen inserts or updates a canteen; its school must exist and a
	// canteen never moves to another school (ErrConflict).
	PutCanteen(ctx context.Context, c Canteen) error
	Canteen(ctx context.Context, id string) (Canteen, error)
	// ListCanteens returns up to limit (1..MaxPage) canteens of a school with
	// ID > after, in ID order (none for an unknown school).
	ListCanteens(ctx context.Context, schoolID, after string, limit int) ([]Canteen, error)

	// AddTerminal inserts a terminal (ErrConflict if the id exists). Its
	// canteen must belong to its school.
	AddTerminal(ctx context.Context, t Terminal) error
	Terminal(ctx context.Context, id string) (Terminal, error)
	SetTerminalStatus(ctx context.Context, id string, status TerminalStatus) error
	// ListTerminals returns up to limit (1..MaxPage) terminals of a canteen
	// with ID > after, in ID order, WITHOUT their SecretHash (none for an
	// unknown canteen).
	ListTerminals(ctx context.Context, canteenID, after string, limit int) ([]Terminal, error)

	// PutDish inserts or updates a dish and returns the canteen's catalog
	// version afterwards. The version increases when the dish changed and
	// stays when the put changed nothing.
	PutDish(ctx context.Context, d Dish) (version int64, err error)
	Dish(ctx context.Context, canteenID, barcode string) (Dish, error)
	// ListDishes returns up to limit (1..MaxPage) dishes of a canteen with
	// Barcode > after, in Barcode order.
	ListDishes(ctx context.Context, canteenID, after string, limit int) ([]Dish, error)
	// CatalogVersion returns the canteen's catalog version: 0 before its
	// first dish, then increasing with every dish change.
	CatalogVersion(ctx context.Context, canteenID string) (int64, error)

	// Enqueue adds a message to the outbox and returns its id.
	Enqueue(ctx context.Context, m Message) (int64, error)
	// ClaimBatch claims up to limit (1..MaxPage) unsent messages, oldest
	// first. A claimed message is not returned again by any claimer until
	// its lease (Options of the implementation) has run out without
	// MarkSent: delivery is at least once, never twice concurrently.
	ClaimBatch(ctx context.Context, limit int) ([]Message, error)
	// MarkSent marks up to MaxPage messages sent. Marking a sent message
	// again changes nothing; an unknown id is ErrNotFound and nothing is
	// marked.
	MarkSent(ctx context.Context, ids []int64) error
	// MarkFailed marks an unsent message failed for good (a permanent failure,
	// reason 1..MaxReasonLen bytes): it is never claimed again. Marking a sent
	// or failed message changes nothing; an unknown id is ErrNotFound.
	MarkFailed(ctx context.Context, id int64, reason string) error
	// RecordDelivery records the provider's delivery receipt of a message
	// (delivered or not, detail ≤ MaxReasonLen bytes), whether or not MarkSent
	// ran yet (a receipt may overtake it); the latest receipt wins. An unknown
	// id is ErrNotFound.
	RecordDelivery(ctx context.Context, id int64, delivered bool, detail string) error
	// OutboxMessage returns one message with its state.
	OutboxMessage(ctx context.Context, id int64) (Message, error)

	// PutStaff inserts or updates a staff member, keyed by ID. Its school
	// must exist, a teacher's class must be of that school (ErrNotFound
	// otherwise); the username is unique within the school and a staff
	// member never moves to another school (ErrConflict).
	PutStaff(ctx context.Context, u StaffUser) error
	StaffByUsername(ctx context.Context, schoolID, username string) (StaffUser, error)
	StaffByID(ctx context.Context, id string) (StaffUser, error)
	// ListStaff returns up to limit (1..MaxPage) staff members of a school
	// with Username > after (byte-wise), in Username order, password hashes
	// included (none for an unknown school). A short page is the last.
	ListStaff(ctx context.Context, schoolID, after string, limit int) ([]StaffUser, error)

	// PutParent creates the parent if no parent has its phone hash, and
	// returns the parent of that phone hash, existing or new. An ID taken
	// by another phone is ErrConflict.
	PutParent(ctx context.Context, p Parent) (Parent, error)
	ParentByPhoneHash(ctx context.Context, phoneHash []byte) (Parent, error)
	ParentByID(ctx context.Context, id string) (Parent, error)

	// Bind binds a parent to a pupil's account; binding again changes
	// nothing (the first relation stays). The parent and the pupil must
	// exist (ErrNotFound). A parent has at most MaxChildren children and a
	// pupil at most MaxGuardians guardians: a bind beyond is ErrConflict.
	Bind(ctx context.Context, g Guardianship) error
	// Guardians returns the bindings of a pupil, oldest first (at most
	// MaxGuardians; none for an unknown account).
	Guardians(ctx context.Context, accountID string) ([]Guardianship, error)
	// GuardianParents returns the parents bound to a pupil, in the order of
	// Guardians (none for an unknown account): Guardians and ParentByID in one
	// read, for the notices sent to a pupil's guardians.
	GuardianParents(ctx context.Context, accountID string) ([]Parent, error)
	// GuardianParentsOf is GuardianParents of up to MaxPage accounts in one
	// read, keyed by account id (an account without guardians, or unknown, has
	// no key; an id given twice is read once): the notices of a claimed batch.
	GuardianParentsOf(ctx context.Context, accountIDs []string) (map[string][]Parent, error)
	// ChildrenOf returns the bindings of a parent, oldest first (at most
	// MaxChildren; none for an unknown parent).
	ChildrenOf(ctx context.Context, parentID string) ([]Guardianship, error)
	// IsGuardian reports whether the parent is bound to the account.
	IsGuardian(ctx context.Context, parentID, accountID string) (bool, error)
	// GuardedPupil is IsGuardian and PupilByAccount in one read: the account's
	// pupil when the parent is bound to it, ErrNotFound otherwise (not bound, or
	// no such pupil).
	GuardedPupil(ctx context.Context, parentID, accountID string) (Pupil, error)
	// BindGuardian is Bind with a proof and notices, in one transaction: with
	// opts.CodeHash, the pupil's unexpired bind code must have that hash
	// (ErrNoBindCode otherwise) and is used up; opts.Notice (Topic and
	// Payload) is enqueued for every other guardian. created is false when
	// the parent was already bound: then nothing changes.
	BindGuardian(ctx context.Context, g Guardianship, opts BindOptions) (created bool, err error)
	// Unbind removes a binding (ErrNotFound if there is none) and enqueues
	// notice (when not nil) for every remaining guardian, in one transaction.
	Unbind(ctx context.Context, parentID, accountID string, notice *Message) error
	// PutBindCode sets the pupil's bind code (its hash and expiry), replacing
	// any earlier one. The pupil must exist (ErrNotFound).
	PutBindCode(ctx context.Context, c BindCode) error

	Close() error
}

// RowError is why one row of an import was rejected.
type RowError struct {
	Row int // index in the imported slice
	Err error
}

func (e RowError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }

// Unwrap returns the row's error.
func (e RowError) Unwrap() error { return e.Err }

// ImportError is a rejected import: one RowError per bad row, by row order.
// errors.Is(err, ErrInvalid) (or ErrConflict, ErrNotFound) holds when some
// row failed for that reason.
type ImportError struct {
	Rows []RowError
}

// maxListed bounds the rows quoted in an ImportError's message.
const maxListed = 5

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "directory: import rejected, %d bad rows", len(e.Rows))
	for i, r := range e.Rows {
		if i == maxListed {
			b.WriteString("; …")
			break
		}
		b.WriteString("; ")
		b.WriteString(r.Error())
	}
	return b.String()
}

// Unwrap returns the row errors.
func (e *ImportError) Unwrap() []error {
	errs := make([]error, len(e.Rows))
	for i, r := range e.Rows {
		errs[i] = r
	}
	return errs
}
