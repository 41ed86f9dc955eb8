package catalog

import (
	"context"
	cryptorand "crypto/rand"
	"errors"
	"io"
	"log/slog"

	"github.com/onecode/onecode/app/access"

	"github.com/onecode/onecode/app/schools"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// Bounds of the catalog API.
const (
	// TerminalSecretLen is the size of a terminal's device secret, in bytes.
	TerminalSecretLen = 32
	// MaxPriceFen bounds the price of a dish (the bound of every school limit).
	MaxPriceFen = schools.MaxLimitFen
	// DefaultDishPage and MaxDishPage are the page sizes of ListDishes.
	DefaultDishPage = 50
	MaxDishPage     = 100
	// MinSecretLen bounds a stored terminal secret from below, in bytes.
	MinSecretLen = directory.MinSecretLen
	// MaxIDLen bounds a canteen or terminal id, in bytes.
	MaxIDLen = directory.MaxIDLen
)

// Directory types the edge needs, re-exported so that it never imports persistence.
type (
	// Canteen is a canteen of a school; its id is unique across schools.
	Canteen = directory.Canteen
	// Dish is a dish of a canteen's catalog.
	Dish = directory.Dish
	// Terminal is a canteen terminal (scanner + POS).
	Terminal = directory.Terminal
	// TerminalStatus is whether a terminal may connect.
	TerminalStatus = directory.TerminalStatus
)

// Terminal statuses.
const (
	TerminalActive   = directory.TerminalActive
	TerminalDisabled = directory.TerminalDisabled
)

// ErrNotReachable answers staff for a canteen or terminal outside their school,
// exactly as for an unknown or malformed id (NotFound, reason NOT_FOUND).
var ErrNotReachable = access.ErrNotReachable

// Scope is what a caller reaches, settled by the caller: the operator reaches every
// school and is told why a request fails; staff reach their own school only, and
// anything outside it answers ErrNotReachable.
type Scope struct {
	operator bool
	schoolID string
	by       string
}

// Operator is the scope of the operator's API: every school.
func Operator() Scope { return Scope{operator: true} }

// Staff is the scope of a staff member (staffID, named in the log lines of writes) of
// schoolID; an empty schoolID reaches nothing.
func Staff(schoolID, staffID string) Scope { return Scope{schoolID: schoolID, by: staffID} }

// logAttrs are the attributes that name the caller in a log line.
func (sc Scope) logAttrs() []any {
	if sc.operator {
		return nil
	}
	return []any{slog.String("staff", sc.by)}
}

// Deps is what the service needs. Rand (the device secrets; safe for concurrent use)
// defaults to crypto/rand and Logger to slog.Default.
type Deps struct {
	Directory directory.Store
	Rand      io.Reader
	Logger    *slog.Logger
}

// Service is the catalog's use cases.
type Service struct {
	dir  directory.Store
	rand io.Reader
	log  *slog.Logger
}

// New returns the service on deps.
func New(d Deps) *Service {
	if d.Rand == nil {
		d.Rand = cryptorand.Reader
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return &Service{dir: d.Directory, rand: d.Rand, log: d.Logger}
}

// Canteen reads canteen id within sc. For the operator a malformed id is Invalid and
// an unknown one NotFound CANTEEN_NOT_FOUND; for staff a malformed, unknown or
// foreign id is ErrNotReachable (canteen ids are unique across schools, so another
// school's canteen answers exactly as an unknown one).
func (s *Service) Canteen(ctx context.Context, sc Scope, id string) (Canteen, error) {
	if sc.operator {
		if err := directory.ValidateID("canteen", id); err != nil {
			return Canteen{}, schools.InvalidInput(err)
		}
		c, err := s.dir.Canteen(ctx, id)
		if errors.Is(err, directory.ErrNotFound) {
			return c, reason.New(reason.KindNotFound, reason.CanteenNotFound, "canteen "+id+" not found")
		}
		return c, err
	}
	if sc.schoolID == "" || directory.ValidateID("canteen", id) != nil {
		return Canteen{}, ErrNotReachable
	}
	c, err := s.dir.Canteen(ctx, id)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && c.SchoolID != sc.schoolID) {
		return Canteen{}, ErrNotReachable
	}
	if err != nil {
		return Canteen{}, err
	}
	return c, nil
}

// Terminal reads terminal id within sc: for the operator a malformed id is Invalid
// and an unknown one NotFound; for staff a malformed, unknown or foreign id is
// ErrNotReachable.
func (s *Service) Terminal(ctx context.Context, sc Scope, id string) (Terminal, error) {
	if sc.operator {
		if err := directory.ValidateID("terminal", id); err != nil {
			return Terminal{}, schools.InvalidInput(err)
		}
		t, err := s.dir.Terminal(ctx, id)
		if errors.Is(err, directory.ErrNotFound) {
			return t, reason.New(reason.KindNotFound, reason.NotFound, "terminal "+id+" not found")
		}
		return t, err
	}
	if sc.schoolID == "" || directory.ValidateID("terminal", id) != nil {
		return Terminal{}, ErrNotReachable
	}
	t, err := s.dir.Terminal(ctx, id)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && t.SchoolID != sc.schoolID) {
		return Terminal{}, ErrNotReachable
	}
	if err != nil {
		return Terminal{}, err
	}
	return t, nil
}
