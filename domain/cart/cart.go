package cart

import (
	"fmt"

	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
)

// Bounds of a cart and of one pay.
const (
	// MaxLines bounds the lines of a cart and of one pay.
	MaxLines = 50
	// MaxLineQty bounds the quantity of one line.
	MaxLineQty = 99
)

// Dish is what the cart knows of a dish of the canteen's catalog.
type Dish struct {
	Barcode  string
	Name     string
	PriceFen int64
	Active   bool
}

// Line is a line of a cart or of a priced pay: a dish at its unit price, a quantity.
type Line struct {
	Barcode      string
	Name         string
	UnitPriceFen int64
	Qty          int32
}

// TotalFen is the line's total: unit price × quantity.
func (l Line) TotalFen() int64 { return l.UnitPriceFen * int64(l.Qty) }

// Ref names a line of a pay: a barcode and a quantity (0 means 1).
type Ref struct {
	Barcode string
	Qty     int32
}

// Qty is the quantity of a scan or a pay line: 0 means 1; outside 1..MaxLineQty it is
// declined with InvalidQty.
func Qty(q int32) (int32, reason.Code) {
	if q == 0 {
		q = 1
	}
	if q < 0 || q > MaxLineQty {
		return q, reason.InvalidQty
	}
	return q, ""
}

// Sold is the decline of a dish looked up for sale: UnknownDish when the canteen's
// catalog does not have it (found false), DishWithdrawn when it is no longer sold,
// "" when it may be sold.
func Sold(d Dish, found bool) reason.Code {
	switch {
	case !found:
		return reason.UnknownDish
	case !d.Active:
		return reason.DishWithdrawn
	}
	return ""
}

// Cart is the cart of a terminal session: lines in the order first scanned, one per
// barcode. The zero value is an empty cart.
type Cart struct {
	lines []Line
}

// Lines returns a copy of the lines.
func (c *Cart) Lines() []Line { return append([]Line(nil), c.lines...) }

// Len is the number of lines.
func (c *Cart) Len() int { return len(c.lines) }

// TotalFen is the sum of the line totals.
func (c *Cart) TotalFen() int64 {
	var t int64
	for _, l := range c.lines {
		t += l.TotalFen()
	}
	return t
}

// Clear empties the cart.
func (c *Cart) Clear() { c.lines = nil }

// Add adds qty (0 means 1) of dish d, which may be sold (Sold), and answers the
// decline, "" when added. A dish already in the cart adds to its line, which takes the
// dish's current name and price; its quantity may not exceed MaxLineQty (InvalidQty).
// A new dish takes a new line, at most MaxLines (CartFull). A decline changes nothing.
func (c *Cart) Add(d Dish, qty int32) reason.Code {
	qty, r := Qty(qty)
	if r != "" {
		return r
	}
	for i := range c.lines {
		l := &c.lines[i]
		if l.Barcode != d.Barcode {
			continue
		}
		if l.Qty+qty > MaxLineQty {
			return reason.InvalidQty
		}
		l.Qty += qty
		l.Name, l.UnitPriceFen = d.Name, d.PriceFen
		return ""
	}
	if len(c.lines) >= MaxLines {
		return reason.CartFull
	}
	c.lines = append(c.lines, Line{Barcode: d.Barcode, Name: d.Name, UnitPriceFen: d.PriceFen, Qty: qty})
	return ""
}

// Refs are the cart's lines as the refs of a pay.
func (c *Cart) Refs() []Ref {
	refs := make([]Ref, 0, len(c.lines))
	for _, l := range c.lines {
		refs = append(refs, Ref{Barcode: l.Barcode, Qty: l.Qty})
	}
	return refs
}

// LookUp finds a barcode in the canteen's catalog: the dish, or the decline when it
// may not be sold (UnknownDish, DishWithdrawn), or an error when the catalog failed.
type LookUp func(barcode string) (Dish, reason.Code, error)

// Price prices the refs of a pay at today's catalog, in order: the lines and their
// total, or the first decline (EmptyCart for no refs, CartFull above MaxLines,
// InvalidQty, the look-up's decline, PriceChanged when the total overflows), or the
// look-up's error. Each ref is checked before its dish is looked up.
func Price(refs []Ref, lookUp LookUp) ([]Line, money.Amount, reason.Code, error) {
	if len(refs) == 0 {
		return nil, 0, reason.EmptyCart, nil
	}
	if len(refs) > MaxLines {
		return nil, 0, reason.CartFull, nil
	}
	lines := make([]Line, 0, len(refs))
	var total money.Amount
	for _, ref := range refs {
		qty, r := Qty(ref.Qty)
		if r != "" {
			return nil, 0, r, nil
		}
		d, r, err := lookUp(ref.Barcode)
		if err != nil || r != "" {
			return nil, 0, r, err
		}
		line, err := money.Amount(d.PriceFen).Mul(int64(qty))
		if err == nil {
			total, err = total.Add(line)
		}
		if err != nil {
			return nil, 0, reason.PriceChanged, nil
		}
		lines = append(lines, Line{Barcode: d.Barcode, Name: d.Name, UnitPriceFen: d.PriceFen, Qty: qty})
	}
	return lines, total, "", nil
}

// CheckTotal is the decline of a pay whose lines price at total while the terminal
// showed expectedFen: PriceChanged (with the message to show) when they differ, ""
// when they agree.
func CheckTotal(total money.Amount, expectedFen int64) (reason.Code, string) {
	if int64(total) == expectedFen {
		return "", ""
	}
	return reason.PriceChanged, fmt.Sprintf("%s: the total is now %s", DeclineMessage(reason.PriceChanged), total)
}
