package cart

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
)

func TestQty(t *testing.T) {
	tests := []struct {
		name   string
		in     int32
		want   int32
		reason reason.Code
	}{
		{"zero means one", 0, 1, ""},
		{"one", 1, 1, ""},
		{"max", MaxLineQty, MaxLineQty, ""},
		{"above max", MaxLineQty + 1, MaxLineQty + 1, reason.InvalidQty},
		{"negative", -1, -1, reason.InvalidQty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, r := Qty(tt.in)
			if r != tt.reason || (r == "" && got != tt.want) {
				t.Errorf("Qty(%d) = %d, %q, want %d, %q", tt.in, got, r, tt.want, tt.reason)
			}
		})
	}
}

func TestSold(t *testing.T) {
	tests := []struct {
		name  string
		d     Dish
		found bool
		want  reason.Code
	}{
		{"active", Dish{Active: true}, true, ""},
		{"withdrawn", Dish{}, true, reason.DishWithdrawn},
		{"unknown", Dish{Active: true}, false, reason.UnknownDish},
	}
	for _, tt := range tests {
		if got := Sold(tt.d, tt.found); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

var (
	rice = Dish{Barcode: "6902", Name: "米饭", PriceFen: 100, Active: true}
	pork = Dish{Barcode: "6901", Name: "红烧肉", PriceFen: 1250, Active: true}
)

func TestCartAdd(t *testing.T) {
	type add struct {
		d   Dish
		qty int32
	}
	tests := []struct {
		name   string
		adds   []add
		reason reason.Code // of the last add
		lines  []Line
		total  int64
	}{
		{"one", []add{{pork, 0}}, "", []Line{{"6901", "红烧肉", 1250, 1}}, 1250},
		{"merge by barcode", []add{{pork, 1}, {rice, 1}, {rice, 1}},
			"", []Line{{"6901", "红烧肉", 1250, 1}, {"6902", "米饭", 100, 2}}, 1450},
		{"merge takes the current price", []add{{rice, 1}, {Dish{Barcode: "6902", Name: "新米饭", PriceFen: 150, Active: true}, 1}},
			"", []Line{{"6902", "新米饭", 150, 2}}, 300},
		{"line at max", []add{{rice, MaxLineQty}}, "", []Line{{"6902", "米饭", 100, MaxLineQty}}, 100 * MaxLineQty},
		{"line above max", []add{{rice, MaxLineQty}, {rice, 1}},
			reason.InvalidQty, []Line{{"6902", "米饭", 100, MaxLineQty}}, 100 * MaxLineQty},
		{"negative qty", []add{{rice, 1}, {rice, -5}}, reason.InvalidQty, []Line{{"6902", "米饭", 100, 1}}, 100},
		{"qty too large", []add{{rice, MaxLineQty + 1}}, reason.InvalidQty, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Cart
			var r reason.Code
			for _, a := range tt.adds {
				r = c.Add(a.d, a.qty)
			}
			if r != tt.reason {
				t.Errorf("reason %q, want %q", r, tt.reason)
			}
			if got, want := fmt.Sprint(c.Lines()), fmt.Sprint(tt.lines); got != want {
				t.Errorf("lines %s, want %s", got, want)
			}
			if got := c.TotalFen(); got != tt.total {
				t.Errorf("total %d, want %d", got, tt.total)
			}
		})
	}
}

func TestCartFullAndClear(t *testing.T) {
	var c Cart
	for i := range MaxLines {
		if r := c.Add(Dish{Barcode: fmt.Sprintf("D%03d", i), PriceFen: 100, Active: true}, 1); r != "" {
			t.Fatalf("line %d: %q", i, r)
		}
	}
	if r := c.Add(Dish{Barcode: "D999", PriceFen: 100, Active: true}, 1); r != reason.CartFull {
		t.Fatalf("a line past MaxLines: got %q, want %q", r, reason.CartFull)
	}
	if r := c.Add(Dish{Barcode: "D000", PriceFen: 100, Active: true}, 2); r != "" || c.Len() != MaxLines {
		t.Fatalf("a full cart takes more of a dish it has: %q, %d lines", r, c.Len())
	}
	if got, want := c.TotalFen(), int64(100*(MaxLines+2)); got != want {
		t.Fatalf("total %d, want %d", got, want)
	}
	if refs := c.Refs(); len(refs) != MaxLines || refs[0] != (Ref{"D000", 3}) {
		t.Fatalf("refs %v", refs)
	}
	c.Clear()
	if c.Len() != 0 || c.TotalFen() != 0 || len(c.Refs()) != 0 {
		t.Fatalf("cleared cart: %v", c.Lines())
	}
}

// catalog is a look-up over dishes by barcode; a barcode "ERR" fails.
func catalog(dishes ...Dish) LookUp {
	return func(barcode string) (Dish, reason.Code, error) {
		if barcode == "ERR" {
			return Dish{}, "", errors.New("catalog down")
		}
		for _, d := range dishes {
			if d.Barcode == barcode {
				return d, Sold(d, true), nil
			}
		}
		return Dish{}, Sold(Dish{}, false), nil
	}
}

func TestPrice(t *testing.T) {
	withdrawn := Dish{Barcode: "6903", Name: "停售菜", PriceFen: 900}
	huge := Dish{Barcode: "9999", Name: "金", PriceFen: math.MaxInt64 / 2, Active: true}
	look := catalog(rice, pork, withdrawn, huge)
	tooMany := make([]Ref, MaxLines+1)
	for i := range tooMany {
		tooMany[i] = Ref{Barcode: "6902", Qty: 1}
	}
	tests := []struct {
		name   string
		refs   []Ref
		lines  []Line
		total  money.Amount
		reason reason.Code
		err    bool
	}{
		{"two lines", []Ref{{"6901", 0}, {"6902", 2}}, []Line{{"6901", "红烧肉", 1250, 1}, {"6902", "米饭", 100, 2}}, 1450, "", false},
		{"empty", nil, nil, 0, reason.EmptyCart, false},
		{"too many lines", tooMany, nil, 0, reason.CartFull, false},
		{"bad qty", []Ref{{"6902", MaxLineQty + 1}}, nil, 0, reason.InvalidQty, false},
		{"unknown dish", []Ref{{"0000", 1}}, nil, 0, reason.UnknownDish, false},
		{"withdrawn dish", []Ref{{"6902", 1}, {"6903", 1}}, nil, 0, reason.DishWithdrawn, false},
		{"first decline wins", []Ref{{"0000", 1}, {"6902", -1}}, nil, 0, reason.UnknownDish, false},
		{"overflow", []Ref{{"9999", 2}, {"9999", 2}}, nil, 0, reason.PriceChanged, false},
		{"catalog down", []Ref{{"6902", 1}, {"ERR", 1}}, nil, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, total, r, err := Price(tt.refs, look)
			if (err != nil) != tt.err || r != tt.reason {
				t.Fatalf("got %q, %v, want %q (error %v)", r, err, tt.reason, tt.err)
			}
			if got, want := fmt.Sprint(lines), fmt.Sprint(tt.lines); got != want || total != tt.total {
				t.Errorf("got %s = %d, want %s = %d", got, total, want, tt.total)
			}
		})
	}
}

func TestCheckTotal(t *testing.T) {
	tests := []struct {
		name     string
		total    money.Amount
		expected int64
		reason   reason.Code
		msg      string
	}{
		{"same", 1450, 1450, "", ""},
		{"stale", 1450, 1400, reason.PriceChanged, "prices changed: the total is now 14.50"},
	}
	for _, tt := range tests {
		r, msg := CheckTotal(tt.total, tt.expected)
		if r != tt.reason || msg != tt.msg {
			t.Errorf("%s: got %q %q, want %q %q", tt.name, r, msg, tt.reason, tt.msg)
		}
	}
}

func TestDeclineMessage(t *testing.T) {
	tests := []struct {
		reason reason.Code
		want   string
	}{
		{reason.InsufficientFunds, "insufficient funds"},
		{reason.CardExpired, "card expired"},
		{reason.UnknownSale, "sale unknown to this session"},
		{reason.CardRandomReused, "card random reused"}, // no message of its own
	}
	for _, tt := range tests {
		if got := DeclineMessage(tt.reason); got != tt.want {
			t.Errorf("DeclineMessage(%s) = %q, want %q", tt.reason, got, tt.want)
		}
	}
}
