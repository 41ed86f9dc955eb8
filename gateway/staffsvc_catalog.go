package gateway

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// reachCanteen returns a canteen of the caller's school; a malformed, unknown
// or foreign id is ErrNotReachable (canteen ids are unique across schools, so
// another school's canteen must answer exactly as an unknown one).
func (s *StaffService) reachCanteen(ctx context.Context, p Principal, id string) (directory.Canteen, error) {
	if p.SchoolID == "" || directory.ValidateID("canteen", id) != nil {
		return directory.Canteen{}, ErrNotReachable
	}
	c, err := s.d.Directory.Canteen(ctx, id)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && c.SchoolID != p.SchoolID) {
		return directory.Canteen{}, ErrNotReachable
	}
	if err != nil {
		return directory.Canteen{}, ErrorStatus(err)
	}
	return c, nil
}

// reachTerminal returns a terminal of the caller's school; a malformed,
// unknown or foreign id is ErrNotReachable.
func (s *StaffService) reachTerminal(ctx context.Context, p Principal, id string) (directory.Terminal, error) {
	if p.SchoolID == "" || directory.ValidateID("terminal", id) != nil {
		return directory.Terminal{}, ErrNotReachable
	}
	t, err := s.d.Directory.Terminal(ctx, id)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && t.SchoolID != p.SchoolID) {
		return directory.Terminal{}, ErrNotReachable
	}
	if err != nil {
		return directory.Terminal{}, ErrorStatus(err)
	}
	return t, nil
}

// PutStaffCanteen implements apiv1.StaffServiceServer: creates or renames a
// canteen of the caller's school, by the rules of AdminService.PutCanteen.
// Canteen ids are unique across schools and a canteen never moves: the id of
// another school's canteen answers ErrNotReachable (NotFound, as every staff
// route answers a canteen out of reach) and changes nothing. School admins
// and canteen managers only.
func (s *StaffService) PutStaffCanteen(ctx context.Context, req *apiv1.PutStaffCanteenRequest) (*apiv1.PutStaffCanteenResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	c, err := canteenFrom(p.SchoolID, req.GetCanteenId(), req.GetName())
	if err != nil {
		return nil, err
	}
	// Unknown or ours: write. Another school's answers ErrNotReachable,
	// whether seen here or created meanwhile (the directory's ErrConflict).
	old, err := s.d.Directory.Canteen(ctx, c.ID)
	switch {
	case err == nil && old.SchoolID != p.SchoolID:
		return nil, ErrNotReachable
	case err != nil && !errors.Is(err, directory.ErrNotFound):
		return nil, ErrorStatus(err)
	}
	if err := (canteenRules{d: s.d}).putCanteen(ctx, c, ErrNotReachable); err != nil {
		return nil, err
	}
	s.d.Logger.Info("canteen put", slog.String("school", c.SchoolID), slog.String("canteen", c.ID), slog.String("staff", p.SubjectID))
	return &apiv1.PutStaffCanteenResponse{Canteen: canteenProto(c)}, nil
}

// RegisterCanteenTerminal implements apiv1.StaffServiceServer: registers a
// terminal of a canteen of the caller's school by the rules of
// AdminService.RegisterTerminal and answers its device secret (hex of
// TerminalSecretLen random bytes), this once. A terminal id already
// registered, in any school, is AlreadyExists TERMINAL_EXISTS, which shows
// nothing of that terminal. School admins and canteen managers only.
func (s *StaffService) RegisterCanteenTerminal(ctx context.Context, req *apiv1.RegisterCanteenTerminalRequest) (*apiv1.RegisterCanteenTerminalResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	if err := checkTerminalID(req.GetTerminalId()); err != nil {
		return nil, err
	}
	c, err := s.reachCanteen(ctx, p, req.GetCanteenId())
	if err != nil {
		return nil, err
	}
	t, err := canteenRules{d: s.d}.registerTerminal(ctx, c, req.GetTerminalId(), req.GetName(), req.GetCanOverride(),
		slog.String("staff", p.SubjectID))
	if err != nil {
		return nil, err
	}
	return &apiv1.RegisterCanteenTerminalResponse{TerminalId: t.ID, Secret: hex.EncodeToString(t.SecretHash)}, nil
}

// SetTerminalEnabled implements apiv1.StaffServiceServer: enables or disables
// a terminal of the caller's school; setting the status it has changes
// nothing. The terminal handshake reads the directory on every connection,
// so a disabled terminal cannot open a new session from now on, on any
// member; a session it opened before is cut within terminalStatusEvery (the
// session re-reads its terminal's status). School admins and canteen managers
// only.
func (s *StaffService) SetTerminalEnabled(ctx context.Context, req *apiv1.SetTerminalEnabledRequest) (*apiv1.SetTerminalEnabledResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	t, err := s.reachTerminal(ctx, p, req.GetTerminalId())
	if err != nil {
		return nil, err
	}
	want := directory.TerminalDisabled
	if req.GetEnabled() {
		want = directory.TerminalActive
	}
	if t.Status != want {
		if err := s.d.Directory.SetTerminalStatus(ctx, t.ID, want); err != nil {
			return nil, ErrorStatus(err)
		}
		s.d.Logger.Info("terminal status set", slog.String("terminal", t.ID), slog.String("school", t.SchoolID),
			slog.String("status", string(want)), slog.String("staff", p.SubjectID))
	}
	return &apiv1.SetTerminalEnabledResponse{TerminalId: t.ID, Enabled: req.GetEnabled()}, nil
}

// PutCanteenDish implements apiv1.StaffServiceServer: creates or updates a
// dish of a canteen of the caller's school by the rules of
// AdminService.PutDish (price 1..MaxLimitFen fen, barcode of
// 1..directory.MaxBarcodeLen printable ASCII, nutrients ≥ 0, at most
// directory.MaxAllergens allergens) and answers the catalog version after the
// put (unchanged when the put changed nothing). The canteen and the barcode
// come from the path; the dish may repeat them but not differ. School admins
// and canteen managers only.
func (s *StaffService) PutCanteenDish(ctx context.Context, req *apiv1.PutCanteenDishRequest) (*apiv1.PutCanteenDishResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	in := req.GetDish()
	if in == nil {
		return nil, invalidArg("dish is required")
	}
	if id := in.GetCanteenId(); id != "" && id != req.GetCanteenId() {
		return nil, invalidArg("dish.canteen_id %q differs from the canteen %q of the path", id, req.GetCanteenId())
	}
	if b := in.GetBarcode(); b != "" && b != req.GetBarcode() {
		return nil, invalidArg("dish.barcode %q differs from the barcode %q of the path", b, req.GetBarcode())
	}
	in = proto.CloneOf(in)
	in.CanteenId, in.Barcode = req.GetCanteenId(), req.GetBarcode()
	d, err := dishFrom(in)
	if err != nil {
		return nil, err
	}
	if _, err := s.reachCanteen(ctx, p, d.CanteenID); err != nil {
		return nil, err
	}
	version, err := s.d.Directory.PutDish(ctx, d)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutCanteenDishResponse{Dish: dishProto(d), CatalogVersion: version}, nil
}

// ListCanteenDishes implements apiv1.StaffServiceServer: the dishes of a
// canteen of the caller's school, active or not, by barcode; page_size
// 1..MaxDishPage (0 means DefaultDishPage), page_token the next_page_token of
// the page before. School admins and canteen managers only.
func (s *StaffService) ListCanteenDishes(ctx context.Context, req *apiv1.ListCanteenDishesRequest) (*apiv1.ListCanteenDishesResponse, error) {
	p, err := RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	size := int(req.GetPageSize())
	switch {
	case size == 0:
		size = DefaultDishPage
	case size < 0 || size > MaxDishPage:
		return nil, Status(codes.InvalidArgument, "INVALID_PAGE_SIZE", fmt.Sprintf("page_size %d, want 1..%d (0 means %d)", size, MaxDishPage, DefaultDishPage))
	}
	after := req.GetPageToken()
	if after != "" && directory.ValidateBarcode(after) != nil {
		return nil, Status(codes.InvalidArgument, "INVALID_PAGE_TOKEN", "page_token is not one this API gave")
	}
	c, err := s.reachCanteen(ctx, p, req.GetCanteenId())
	if err != nil {
		return nil, err
	}
	dishes, err := s.d.Directory.ListDishes(ctx, c.ID, after, size+1)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	next := ""
	if len(dishes) > size {
		dishes = dishes[:size]
		next = dishes[size-1].Barcode
	}
	out := &apiv1.ListCanteenDishesResponse{Dishes: make([]*apiv1.Dish, len(dishes)), NextPageToken: next}
	for i, d := range dishes {
		out.Dishes[i] = dishProto(d)
	}
	return out, nil
}
