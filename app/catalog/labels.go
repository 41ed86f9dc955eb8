package catalog

import (
	"context"
	"fmt"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// DishLabels answers a canteen within sc (see Canteen) and its active dishes by
// barcode, the ones its barcode label sheet prints: NO_DISHES when none is
// active, TOO_MANY_DISHES beyond max. The PDF is the edge's to render.
func (s *Service) DishLabels(ctx context.Context, sc Scope, canteenID string, max int) (Canteen, []Dish, error) {
	c, err := s.Canteen(ctx, sc, canteenID)
	if err != nil {
		return Canteen{}, nil, err
	}
	var out []Dish
	after := ""
	for {
		page, err := s.dir.ListDishes(ctx, c.ID, after, directory.MaxPage)
		if err != nil {
			return Canteen{}, nil, err
		}
		for _, d := range page {
			if d.Active {
				out = append(out, d)
			}
		}
		if len(out) > max {
			return Canteen{}, nil, reason.New(reason.KindFailedPrecondition, reason.TooManyDishes,
				fmt.Sprintf("more than %d active dishes to label", max))
		}
		if len(page) < directory.MaxPage {
			break
		}
		after = page[len(page)-1].Barcode
	}
	if len(out) == 0 {
		return Canteen{}, nil, reason.New(reason.KindFailedPrecondition, reason.NoDishes, "the canteen has no active dish to label")
	}
	return c, out, nil
}
