package gateway

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// PutCanteen creates or updates a canteen of an existing school.
func (s *adminService) PutCanteen(ctx context.Context, req *apiv1.PutCanteenRequest) (*apiv1.PutCanteenResponse, error) {
	p := req.GetCanteen()
	if p == nil {
		return nil, invalidArg("canteen is required")
	}
	c, err := canteenFrom(p.GetSchoolId(), p.GetId(), p.GetName())
	if err != nil {
		return nil, err
	}
	if _, err := s.school(ctx, c.SchoolID); err != nil {
		return nil, err
	}
	foreign := Status(codes.AlreadyExists, "CANTEEN_OF_OTHER_SCHOOL", "canteen "+c.ID+" belongs to another school")
	if err := (canteenRules{d: s.d}).putCanteen(ctx, c, foreign); err != nil {
		return nil, err
	}
	return &apiv1.PutCanteenResponse{Canteen: canteenProto(c)}, nil
}

// PutDish creates or updates a dish of an existing canteen and answers the catalog
// version after the put (unchanged when the put changed nothing).
func (s *adminService) PutDish(ctx context.Context, req *apiv1.PutDishRequest) (*apiv1.PutDishResponse, error) {
	p := req.GetDish()
	if p == nil {
		return nil, invalidArg("dish is required")
	}
	d, err := dishFrom(p)
	if err != nil {
		return nil, err
	}
	if _, err := s.canteen(ctx, d.CanteenID); err != nil {
		return nil, err
	}
	version, err := s.d.Directory.PutDish(ctx, d)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutDishResponse{Dish: dishProto(d), CatalogVersion: version}, nil
}

// RegisterTerminal registers a terminal of an existing canteen (whose school becomes
// the terminal's) with a fresh 32-byte device secret (see canteenRules.registerTerminal).
// The secret is answered in hex, only this once: registering the same id again is
// AlreadyExists.
func (s *adminService) RegisterTerminal(ctx context.Context, req *apiv1.RegisterTerminalRequest) (*apiv1.RegisterTerminalResponse, error) {
	if err := checkTerminalID(req.GetTerminalId()); err != nil {
		return nil, err
	}
	c, err := s.canteen(ctx, req.GetCanteenId())
	if err != nil {
		return nil, err
	}
	t, err := canteenRules{d: s.d}.registerTerminal(ctx, c, req.GetTerminalId(), req.GetName(), req.GetCanOverride())
	if err != nil {
		return nil, err
	}
	return &apiv1.RegisterTerminalResponse{TerminalId: t.ID, SchoolId: t.SchoolID, Secret: hex.EncodeToString(t.SecretHash)}, nil
}

// canteenRules are the canteen, terminal and dish rules shared by the operator API
// (adminService) and the school's console (StaffService), as pupilImporter shares the
// import: the checks of the input, the directory writes and the API objects. Which
// canteens a caller may touch is the caller's business, settled before these run: the
// operator reaches every school, staff only their own (StaffService.reachCanteen).
type canteenRules struct {
	d Deps
}

// canteenFrom is a checked canteen (name trimmed); a bad one is InvalidArgument.
func canteenFrom(schoolID, id, name string) (directory.Canteen, error) {
	c := directory.Canteen{SchoolID: schoolID, ID: id, Name: strings.TrimSpace(name)}
	if err := directory.ValidateCanteen(&c); err != nil {
		return c, validationStatus(err)
	}
	return c, nil
}

// putCanteen writes a canteen checked by canteenFrom whose school exists. A canteen
// never moves to another school: an id of another school's canteen answers foreign
// and changes nothing.
func (r canteenRules) putCanteen(ctx context.Context, c directory.Canteen, foreign error) error {
	err := r.d.Directory.PutCanteen(ctx, c)
	if errors.Is(err, directory.ErrConflict) {
		return foreign
	}
	return ErrorStatus(err)
}

func canteenProto(c directory.Canteen) *apiv1.Canteen {
	return &apiv1.Canteen{SchoolId: c.SchoolID, Id: c.ID, Name: c.Name}
}

// checkTerminalID checks the id of a terminal to register (InvalidArgument).
func checkTerminalID(id string) error {
	if err := directory.ValidateID("terminal", id); err != nil {
		return validationStatus(err)
	}
	return nil
}

// registerTerminal registers terminal id (checked by checkTerminalID) of canteen c,
// whose school becomes the terminal's: active, named name (its id when empty), with a
// fresh TerminalSecretLen-byte device secret from Rand. The raw secret is stored in
// Terminal.SecretHash (the HMAC key of the terminal challenge) and answered in the
// terminal for the caller to show once. An id already registered (in any school) is
// AlreadyExists TERMINAL_EXISTS, which shows nothing of that terminal. attrs are added
// to the log line.
func (r canteenRules) registerTerminal(ctx context.Context, c directory.Canteen, id, name string, canOverride bool, attrs ...any) (directory.Terminal, error) {
	t := directory.Terminal{
		ID: id, SchoolID: c.SchoolID, CanteenID: c.ID, Name: strings.TrimSpace(name),
		Status: directory.TerminalActive, CanOverride: canOverride,
	}
	if t.Name == "" {
		t.Name = t.ID
	}
	t.SecretHash = make([]byte, TerminalSecretLen)
	if _, err := io.ReadFull(r.d.Rand, t.SecretHash); err != nil {
		return directory.Terminal{}, ErrorStatus(fmt.Errorf("terminal secret: %w", err))
	}
	if err := directory.ValidateTerminal(&t); err != nil {
		return directory.Terminal{}, validationStatus(err)
	}
	err := r.d.Directory.AddTerminal(ctx, t)
	if errors.Is(err, directory.ErrConflict) {
		return directory.Terminal{}, Status(codes.AlreadyExists, "TERMINAL_EXISTS", "terminal "+t.ID+" is already registered; its secret is not shown again")
	}
	if err != nil {
		return directory.Terminal{}, ErrorStatus(err)
	}
	r.d.Logger.Info("terminal registered", append([]any{slog.String("terminal", t.ID), slog.String("school", t.SchoolID),
		slog.String("canteen", t.CanteenID), slog.Bool("can_override", t.CanOverride)}, attrs...)...)
	return t, nil
}

// dishFrom is a checked dish (name and allergens trimmed): the directory's rules
// (barcode of 1..MaxBarcodeLen printable ASCII, name, price > 0, nutrients ≥ 0, at most
// MaxAllergens allergens of 1..MaxAllergenLen characters) and a price of at most
// MaxLimitFen. A bad one is InvalidArgument.
func dishFrom(p *apiv1.Dish) (directory.Dish, error) {
	d := directory.Dish{
		CanteenID: p.GetCanteenId(), Barcode: p.GetBarcode(), Name: strings.TrimSpace(p.GetName()),
		PriceFen: p.GetPriceFen(), Kcal: p.GetKcal(), ProteinMg: p.GetProteinMg(), FatMg: p.GetFatMg(), CarbMg: p.GetCarbMg(),
		Active: p.GetActive(),
	}
	for _, a := range p.GetAllergens() {
		d.Allergens = append(d.Allergens, strings.TrimSpace(a))
	}
	if err := directory.ValidateDish(&d); err != nil {
		return d, validationStatus(err)
	}
	if d.PriceFen > MaxLimitFen {
		return d, invalidArg("dish %s: price %d fen above %d", d.Barcode, d.PriceFen, MaxLimitFen)
	}
	return d, nil
}

func dishProto(d directory.Dish) *apiv1.Dish {
	return &apiv1.Dish{
		CanteenId: d.CanteenID, Barcode: d.Barcode, Name: d.Name, PriceFen: d.PriceFen,
		Kcal: d.Kcal, ProteinMg: d.ProteinMg, FatMg: d.FatMg, CarbMg: d.CarbMg,
		Allergens: d.Allergens, Active: d.Active,
	}
}
