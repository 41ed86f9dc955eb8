package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/onecode/onecode/app/schools"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// checkDish is d checked (name and allergens trimmed): the directory's rules (barcode
// of 1..MaxBarcodeLen printable ASCII, name, price > 0, nutrients ≥ 0, at most
// MaxAllergens allergens of 1..MaxAllergenLen characters) and a price of at most
// MaxPriceFen. A bad one is Invalid.
func checkDish(d Dish) (Dish, error) {
	d.Name = strings.TrimSpace(d.Name)
	var allergens []string
	for _, a := range d.Allergens {
		allergens = append(allergens, strings.TrimSpace(a))
	}
	d.Allergens = allergens
	if err := directory.ValidateDish(&d); err != nil {
		return d, schools.InvalidInput(err)
	}
	if d.PriceFen > MaxPriceFen {
		return d, reason.Invalid(reason.InvalidArgument, "dish %s: price %d fen above %d", d.Barcode, d.PriceFen, MaxPriceFen)
	}
	return d, nil
}

// PutDish creates or updates dish d (see checkDish) of a canteen within sc (see
// Canteen) and answers the dish put and the catalog version after the put (unchanged
// when the put changed nothing).
func (s *Service) PutDish(ctx context.Context, sc Scope, d Dish) (Dish, int64, error) {
	d, err := checkDish(d)
	if err != nil {
		return Dish{}, 0, err
	}
	if _, err := s.Canteen(ctx, sc, d.CanteenID); err != nil {
		return Dish{}, 0, err
	}
	version, err := s.dir.PutDish(ctx, d)
	if err != nil {
		return Dish{}, 0, err
	}
	return d, version, nil
}

// DishPage is a page of a canteen's dishes, by barcode; Next is the token of the next
// page, "" after the last.
type DishPage struct {
	Dishes []Dish
	Next   string
}

// ListDishes lists the dishes of a canteen within sc (see Canteen), active or not,
// by barcode: size 1..MaxDishPage (0 means DefaultDishPage; otherwise Invalid
// INVALID_PAGE_SIZE), after the Next of the page before ("" for the first page; a
// token this API did not give is Invalid INVALID_PAGE_TOKEN).
func (s *Service) ListDishes(ctx context.Context, sc Scope, canteenID string, size int, after string) (DishPage, error) {
	switch {
	case size == 0:
		size = DefaultDishPage
	case size < 0 || size > MaxDishPage:
		return DishPage{}, reason.New(reason.KindInvalid, reason.InvalidPageSize,
			fmt.Sprintf("page_size %d, want 1..%d (0 means %d)", size, MaxDishPage, DefaultDishPage))
	}
	if after != "" && directory.ValidateBarcode(after) != nil {
		return DishPage{}, reason.New(reason.KindInvalid, reason.InvalidPageToken, "page_token is not one this API gave")
	}
	c, err := s.Canteen(ctx, sc, canteenID)
	if err != nil {
		return DishPage{}, err
	}
	dishes, err := s.dir.ListDishes(ctx, c.ID, after, size+1)
	if err != nil {
		return DishPage{}, err
	}
	page := DishPage{Dishes: dishes}
	if len(dishes) > size {
		page.Dishes = dishes[:size]
		page.Next = dishes[size-1].Barcode
	}
	return page, nil
}
