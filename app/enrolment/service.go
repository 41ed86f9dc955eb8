package enrolment

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/onecode/onecode/app/access"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/directory"
)

// The directory's records, as the use cases answer them.
type (
	// Pupil is a pupil: the non-money half of an account.
	Pupil = directory.Pupil
	// School is a school and its default limits.
	School = directory.School
	// Class is a class of a school.
	Class = directory.Class
)

// Bounds of the use cases.
const (
	// MaxImportRows bounds the pupils of one import.
	MaxImportRows = 2_000
	// MaxRowErrors bounds the row errors answered by one import; the rest are counted
	// in a last RowError with row 0.
	MaxRowErrors = 200
	// DefaultPupilPage and MaxPupilPage bound a page of ListPupils.
	DefaultPupilPage = 50
	MaxPupilPage     = 100
	// openWorkers bounds the accounts one use case opens or reads at once.
	openWorkers = 8
)

// ErrNotReachable is a pupil or class outside the caller's reach: it answers exactly
// as an unknown one.
var ErrNotReachable = access.ErrNotReachable

// errInternal hides the cause of a failure that should not happen.
var errInternal = reason.New(reason.KindInternal, reason.Internal, "internal error")

// Deps is what the use cases need.
type Deps struct {
	Accounts  *actors.Accounts
	Directory directory.Store
	Keyring   *card.Keyring
	// IDHashKey keys the ID-number hash and the re-issue derivations (≥ 16 bytes).
	IDHashKey []byte
	Now       func() time.Time
	// Rand draws card randoms and QR nonces; it must be safe for concurrent use.
	Rand   io.Reader
	Logger *slog.Logger
}

// Service runs the enrolment use cases.
type Service struct {
	d Deps
}

// New returns the Service. Accounts, Directory, Keyring, IDHashKey (≥ 16 bytes), Now
// and Rand are required; Logger defaults to slog.Default.
func New(d Deps) (*Service, error) {
	switch {
	case d.Accounts == nil || d.Directory == nil || d.Keyring == nil:
		return nil, errors.New("enrolment: Accounts, Directory and Keyring are required")
	case len(d.IDHashKey) < 16:
		return nil, errors.New("enrolment: an IDHashKey of at least 16 bytes is required")
	case d.Now == nil || d.Rand == nil:
		return nil, errors.New("enrolment: Now and Rand are required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return &Service{d: d}, nil
}

// school reads a school by an id the caller gave: a malformed id is invalid, an
// unknown one SCHOOL_NOT_FOUND.
func (s *Service) school(ctx context.Context, id string) (School, error) {
	if err := directory.ValidateSchoolID(id); err != nil {
		return School{}, reason.Wrap(reason.KindInvalid, reason.InvalidArgument,
			strings.TrimPrefix(err.Error(), directory.ErrInvalid.Error()+": "), err)
	}
	sc, err := s.d.Directory.School(ctx, id)
	if errors.Is(err, directory.ErrNotFound) {
		return sc, reason.New(reason.KindNotFound, reason.SchoolNotFound, "school "+id+" not found")
	}
	return sc, err
}

// FormatDay is a day YYYYMMDD as text.
func FormatDay(d int32) string { return schoolday.Date(d).String() }

// ParseExpiry parses a card expiry YYYYMMDD that must be a real day after today
// (Asia/Shanghai) and within the directory's range.
func ParseExpiry(s string, now time.Time) (int32, error) {
	if len(s) != 8 || !input.IsDigits(s) {
		return 0, reason.Invalid(reason.InvalidArgument, "card_expiry %q, want YYYYMMDD", s)
	}
	day, err := schoolday.Parse(s)
	if err != nil {
		return 0, reason.Invalid(reason.InvalidArgument, "card_expiry %q is not a real day", s)
	}
	v, _ := strconv.Atoi(s)
	if v < directory.MinCardExpiry || v > directory.MaxCardExpiry {
		return 0, reason.Invalid(reason.InvalidArgument, "card_expiry %s out of %d..%d", s, directory.MinCardExpiry, directory.MaxCardExpiry)
	}
	if !day.After(schoolday.Start(now)) {
		return 0, reason.Invalid(reason.InvalidArgument, "card_expiry %s is not in the future", s)
	}
	return int32(v), nil
}
