package cardprint

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestDishLabelsPDF(t *testing.T) {
	for _, tt := range []struct{ n, pages int }{{1, 1}, {24, 1}, {25, 2}, {60, 3}} {
		labels := make([]DishLabel, tt.n)
		for i := range labels {
			labels[i] = DishLabel{Barcode: fmt.Sprintf("D%04d", i), Name: "Rice", PriceFen: 150 + int64(i), Kcal: 230}
		}
		pdf, err := DishLabelsPDF(DishSheet{Canteen: "Canteen 1", Labels: labels})
		if err != nil {
			t.Fatalf("%d labels: %v", tt.n, err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("%d labels: not a PDF", tt.n)
		}
		if got := bytes.Count(pdf, []byte("/Type /Page\n")); got != tt.pages {
			t.Fatalf("%d labels: %d pages, want %d", tt.n, got, tt.pages)
		}
	}
}

func TestDishLabelsPDFRejects(t *testing.T) {
	for name, s := range map[string]DishSheet{
		"no labels":   {Canteen: "C"},
		"zero price":  {Canteen: "C", Labels: []DishLabel{{Barcode: "D1", Name: "Rice"}}},
		"non-ASCII":   {Canteen: "C", Labels: []DishLabel{{Barcode: "D1", Name: "米饭", PriceFen: 100}}},
		"bad barcode": {Canteen: "C", Labels: []DishLabel{{Barcode: "", Name: "Rice", PriceFen: 100}}},
	} {
		if _, err := DishLabelsPDF(s); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: %v, want ErrInvalidInput", name, err)
		}
	}
}

func TestYuan(t *testing.T) {
	for fen, want := range map[int64]string{1: "¥0.01", 150: "¥1.50", 1250: "¥12.50", 100000: "¥1000.00"} {
		if got := yuan(fen); got != want {
			t.Errorf("yuan(%d) = %s, want %s", fen, got, want)
		}
	}
}

func TestPriceLine(t *testing.T) {
	tests := []struct {
		name  string
		label DishLabel
		want  string
	}{
		{"with energy", DishLabel{PriceFen: 1234, Kcal: 450}, "¥12.34   450 kcal"},
		{"without energy", DishLabel{PriceFen: 5}, "¥0.05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := priceLine(tt.label); got != tt.want {
				t.Errorf("priceLine = %q, want %q", got, tt.want)
			}
		})
	}
}
