package schools

import (
	"context"
	"errors"
	"strings"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// Bounds of the operator's school API.
const (
	// MaxLimitFen bounds every school limit (1,000,000.00 CNY).
	MaxLimitFen = 100_000_000
	// MaxSubsidyFen bounds one subsidy (10,000.00 CNY).
	MaxSubsidyFen = 1_000_000
	// MaxReasonLen bounds a subsidy reason, in characters.
	MaxReasonLen = 128
)

// Directory types the edge needs, re-exported so that it never imports persistence.
type (
	// School is a school and its default account limits (fen and seconds).
	School = directory.School
	// Class is a class of a school.
	Class = directory.Class
	// Pupil is a pupil: the non-money half of an account.
	Pupil = directory.Pupil
)

// Service is the operator's use cases on schools, classes, subsidies and accounts.
type Service struct {
	dir      directory.Store
	accounts *actors.Accounts
}

// New returns the service over the directory and the account grains.
func New(dir directory.Store, accounts *actors.Accounts) *Service {
	return &Service{dir: dir, accounts: accounts}
}

// InvalidInput turns a validation error of the directory (directory.ErrInvalid) into
// an Invalid INVALID_ARGUMENT error whose message is the rule broken; any other error
// is returned as it is.
func InvalidInput(err error) error {
	if errors.Is(err, directory.ErrInvalid) {
		msg := strings.TrimPrefix(err.Error(), directory.ErrInvalid.Error()+": ")
		return reason.New(reason.KindInvalid, reason.InvalidArgument, msg)
	}
	return err
}

// Find reads school id from dir: a malformed id is Invalid, an unknown one NotFound
// SCHOOL_NOT_FOUND.
func Find(ctx context.Context, dir directory.Store, id string) (School, error) {
	if err := directory.ValidateSchoolID(id); err != nil {
		return School{}, InvalidInput(err)
	}
	sc, err := dir.School(ctx, id)
	if errors.Is(err, directory.ErrNotFound) {
		return sc, reason.New(reason.KindNotFound, reason.SchoolNotFound, "school "+id+" not found")
	}
	return sc, err
}

// School reads a school (see Find).
func (s *Service) School(ctx context.Context, id string) (School, error) {
	return Find(ctx, s.dir, id)
}

// PutSchool creates or updates a school and its default limits (name trimmed): the
// directory's rules, and every limit at most MaxLimitFen. It answers the school put.
func (s *Service) PutSchool(ctx context.Context, sc School) (School, error) {
	sc.Name = strings.TrimSpace(sc.Name)
	if err := directory.ValidateSchool(&sc); err != nil {
		return School{}, InvalidInput(err)
	}
	for _, l := range []int64{sc.SingleRechargeMax, sc.BalanceCap, sc.DailySpendCap, sc.ArrearsCap} {
		if l > MaxLimitFen {
			return School{}, reason.Invalid(reason.InvalidArgument, "school %s: limit %d fen above %d", sc.ID, l, MaxLimitFen)
		}
	}
	if err := s.dir.PutSchool(ctx, sc); err != nil {
		return School{}, err
	}
	return sc, nil
}

// PutClass creates or updates a class (name trimmed) of an existing school and
// answers the class put.
func (s *Service) PutClass(ctx context.Context, c Class) (Class, error) {
	c.Name = strings.TrimSpace(c.Name)
	if err := directory.ValidateClass(&c); err != nil {
		return Class{}, InvalidInput(err)
	}
	if _, err := s.School(ctx, c.SchoolID); err != nil {
		return Class{}, err
	}
	if err := s.dir.PutClass(ctx, c); err != nil {
		return Class{}, err
	}
	return c, nil
}

// Pupil reads the pupil of an account: a malformed id is Invalid, an unknown one
// NotFound ACCOUNT_NOT_FOUND.
func (s *Service) Pupil(ctx context.Context, accountID string) (Pupil, error) {
	if err := directory.ValidateAccountID(accountID); err != nil {
		return Pupil{}, InvalidInput(err)
	}
	return s.pupil(ctx, accountID)
}

func (s *Service) pupil(ctx context.Context, accountID string) (Pupil, error) {
	p, err := s.dir.PupilByAccount(ctx, accountID)
	if errors.Is(err, directory.ErrNotFound) {
		return p, reason.New(reason.KindNotFound, reason.AccountNotFound, "no pupil has account "+accountID)
	}
	return p, err
}
