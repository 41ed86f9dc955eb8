package gateway

import (
	"context"
	"encoding/hex"

	"google.golang.org/protobuf/proto"

	"github.com/onecode/onecode/app/catalog"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// PutCanteen creates or updates a canteen of an existing school.
func (s *adminService) PutCanteen(ctx context.Context, req *apiv1.PutCanteenRequest) (*apiv1.PutCanteenResponse, error) {
	p := req.GetCanteen()
	if p == nil {
		return nil, invalidArg("canteen is required")
	}
	c, err := s.catalog.PutCanteen(ctx, catalog.Operator(), catalog.Canteen{SchoolID: p.GetSchoolId(), ID: p.GetId(), Name: p.GetName()})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutCanteenResponse{Canteen: canteenProto(c)}, nil
}

// PutDish creates or updates a dish of an existing canteen and answers the catalog
// version after the put (unchanged when the put changed nothing). A dish without
// "active" is active.
func (s *adminService) PutDish(ctx context.Context, req *apiv1.PutDishRequest) (*apiv1.PutDishResponse, error) {
	p := req.GetDish()
	if p == nil {
		return nil, invalidArg("dish is required")
	}
	d, version, err := s.catalog.PutDish(ctx, catalog.Operator(), dishFrom(p))
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutDishResponse{Dish: dishProto(d), CatalogVersion: version}, nil
}

// RegisterTerminal registers a terminal of an existing canteen (whose school becomes
// the terminal's) with a fresh 32-byte device secret (catalog.Service.RegisterTerminal).
// The secret is answered in hex, only this once: registering the same id again is
// AlreadyExists.
func (s *adminService) RegisterTerminal(ctx context.Context, req *apiv1.RegisterTerminalRequest) (*apiv1.RegisterTerminalResponse, error) {
	t, err := s.catalog.RegisterTerminal(ctx, catalog.Operator(), catalog.NewTerminal{
		ID: req.GetTerminalId(), CanteenID: req.GetCanteenId(), Name: req.GetName(), CanOverride: req.GetCanOverride(),
	})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.RegisterTerminalResponse{TerminalId: t.ID, SchoolId: t.SchoolID, Secret: hex.EncodeToString(t.SecretHash)}, nil
}

func canteenProto(c catalog.Canteen) *apiv1.Canteen {
	return &apiv1.Canteen{SchoolId: c.SchoolID, Id: c.ID, Name: c.Name}
}

// dishFrom is the dish of p, unchecked (catalog.Service.PutDish checks it). A dish
// whose active field is absent is active.
func dishFrom(p *apiv1.Dish) catalog.Dish {
	return catalog.Dish{
		CanteenID: p.GetCanteenId(), Barcode: p.GetBarcode(), Name: p.GetName(),
		PriceFen: p.GetPriceFen(), Kcal: p.GetKcal(), ProteinMg: p.GetProteinMg(), FatMg: p.GetFatMg(), CarbMg: p.GetCarbMg(),
		Allergens: p.GetAllergens(), Active: p.Active == nil || p.GetActive(),
	}
}

func dishProto(d catalog.Dish) *apiv1.Dish {
	return &apiv1.Dish{
		CanteenId: d.CanteenID, Barcode: d.Barcode, Name: d.Name, PriceFen: d.PriceFen,
		Kcal: d.Kcal, ProteinMg: d.ProteinMg, FatMg: d.FatMg, CarbMg: d.CarbMg,
		Allergens: d.Allergens, Active: proto.Bool(d.Active),
	}
}
