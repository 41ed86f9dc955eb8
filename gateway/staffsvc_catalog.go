package gateway

import (
	"context"
	"encoding/hex"

	"github.com/onecode/onecode/app/access"

	"google.golang.org/protobuf/proto"

	"github.com/onecode/onecode/app/catalog"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// staffCatalog is the catalog reached by the staff member p: their school only.
func (s *StaffService) staffCatalog(p access.Principal) (*catalog.Service, catalog.Scope) {
	return s.catalog, catalog.Staff(p.SchoolID, p.SubjectID)
}

// reachCanteen returns a canteen of the caller's school; a malformed, unknown
// or foreign id is ErrNotReachable (canteen ids are unique across schools, so
// another school's canteen must answer exactly as an unknown one).
func (s *StaffService) reachCanteen(ctx context.Context, p access.Principal, id string) (catalog.Canteen, error) {
	cat, scope := s.staffCatalog(p)
	c, err := cat.Canteen(ctx, scope, id)
	return c, ErrorStatus(err)
}

// PutStaffCanteen implements apiv1.StaffServiceServer: creates or renames a
// canteen of the caller's school, by the rules of AdminService.PutCanteen.
// Canteen ids are unique across schools and a canteen never moves: the id of
// another school's canteen answers ErrNotReachable (NotFound, as every staff
// route answers a canteen out of reach) and changes nothing. School admins
// and canteen managers only.
func (s *StaffService) PutStaffCanteen(ctx context.Context, req *apiv1.PutStaffCanteenRequest) (*apiv1.PutStaffCanteenResponse, error) {
	p, err := access.RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	cat, scope := s.staffCatalog(p)
	c, err := cat.PutCanteen(ctx, scope, catalog.Canteen{ID: req.GetCanteenId(), Name: req.GetName()})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutStaffCanteenResponse{Canteen: canteenProto(c)}, nil
}

// RegisterCanteenTerminal implements apiv1.StaffServiceServer: registers a
// terminal of a canteen of the caller's school by the rules of
// AdminService.RegisterTerminal and answers its device secret (hex of
// TerminalSecretLen random bytes), this once. A terminal id already
// registered, in any school, is AlreadyExists TERMINAL_EXISTS, which shows
// nothing of that terminal. School admins and canteen managers only.
func (s *StaffService) RegisterCanteenTerminal(ctx context.Context, req *apiv1.RegisterCanteenTerminalRequest) (*apiv1.RegisterCanteenTerminalResponse, error) {
	p, err := access.RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	cat, scope := s.staffCatalog(p)
	t, err := cat.RegisterTerminal(ctx, scope, catalog.NewTerminal{
		ID: req.GetTerminalId(), CanteenID: req.GetCanteenId(), Name: req.GetName(), CanOverride: req.GetCanOverride(),
	})
	if err != nil {
		return nil, ErrorStatus(err)
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
	p, err := access.RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	cat, scope := s.staffCatalog(p)
	t, err := cat.SetTerminalEnabled(ctx, scope, req.GetTerminalId(), req.GetEnabled())
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.SetTerminalEnabledResponse{TerminalId: t.ID, Enabled: req.GetEnabled()}, nil
}

// PutCanteenDish implements apiv1.StaffServiceServer: creates or updates a
// dish of a canteen of the caller's school by the rules of
// AdminService.PutDish (price 1..MaxLimitFen fen, barcode of
// 1..32 printable ASCII, nutrients ≥ 0, at most 16 allergens) and answers
// the catalog version after the put (unchanged when the put changed nothing).
// The canteen and the barcode come from the path; the dish may repeat them but
// not differ. School admins and canteen managers only.
func (s *StaffService) PutCanteenDish(ctx context.Context, req *apiv1.PutCanteenDishRequest) (*apiv1.PutCanteenDishResponse, error) {
	p, err := access.RequireStaff(ctx, rolesCanteenAdmin...)
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
	cat, scope := s.staffCatalog(p)
	d, version, err := cat.PutDish(ctx, scope, dishFrom(in))
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
	p, err := access.RequireStaff(ctx, rolesCanteenAdmin...)
	if err != nil {
		return nil, err
	}
	cat, scope := s.staffCatalog(p)
	page, err := cat.ListDishes(ctx, scope, req.GetCanteenId(), int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, ErrorStatus(err)
	}
	out := &apiv1.ListCanteenDishesResponse{Dishes: make([]*apiv1.Dish, len(page.Dishes)), NextPageToken: page.Next}
	for i, d := range page.Dishes {
		out.Dishes[i] = dishProto(d)
	}
	return out, nil
}
