package cardprint

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
)

// DishLabel is one dish's barcode label: staff stick it on the tray slot, the cashier
// scans it (Code 128) before the card.
type DishLabel struct {
	Barcode  string // Code 128 text
	Name     string // printed as given (Latin, or Chinese with DishSheet.FontTTF)
	PriceFen int64  // printed in yuan, e.g. ¥12.50
	Kcal     int32  // printed when > 0
}

// DishSheet is one canteen's printable sheet of dish labels.
type DishSheet struct {
	Canteen string
	Labels  []DishLabel
	// FontTTF as in Sheet: a CJK font for Chinese dish names (Latin text is
	// always drawn with Helvetica).
	FontTTF []byte
	Created time.Time
}

// Dish label layout: 3 × 8 labels on A4.
const (
	dishCols, dishRows = 3, 8
	DishLabelsPerPage  = dishCols * dishRows
	dishCellH          = (pageH - 2*margin - headerH) / dishRows
	dishBarW, dishBarH = 56.0, 14.0
)

// DishLabelsPDF renders the dish labels as an A4 PDF, DishLabelsPerPage per page.
func DishLabelsPDF(s DishSheet) ([]byte, error) {
	if len(s.Labels) == 0 || len(s.Labels) > MaxLabels {
		return nil, fmt.Errorf("%w: a sheet needs 1 to %d labels", ErrInvalidInput, MaxLabels)
	}
	for _, f := range append([]string{s.Canteen}, dishTexts(s.Labels)...) {
		if len(f) > MaxFieldLen {
			return nil, fmt.Errorf("%w: a field is longer than %d bytes", ErrInvalidInput, MaxFieldLen)
		}
		if s.FontTTF == nil && !coreText(f) {
			return nil, fmt.Errorf("%w: %q is not Latin text; give a CJK font (DishSheet.FontTTF)", ErrInvalidInput, f)
		}
	}
	pdf, tw := newA4("OneCode dish labels, "+s.Canteen, s.Created, s.FontTTF)
	pages := (len(s.Labels) + DishLabelsPerPage - 1) / DishLabelsPerPage
	for i, l := range s.Labels {
		if i%DishLabelsPerPage == 0 {
			pdf.AddPage()
			drawPageHeader(tw, "Dish labels - "+s.Canteen, i/DishLabelsPerPage+1, pages)
		}
		if err := drawDishLabel(tw, i, l); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("cardprint: rendering PDF: %w", err)
	}
	return buf.Bytes(), nil
}

func dishTexts(ls []DishLabel) []string {
	out := make([]string, 0, 2*len(ls))
	for _, l := range ls {
		out = append(out, l.Barcode, l.Name)
	}
	return out
}

func drawDishLabel(tw *textWriter, i int, l DishLabel) error {
	pdf := tw.pdf
	if l.PriceFen <= 0 {
		return fmt.Errorf("%w: dish %d (%s): price must be > 0", ErrInvalidInput, i+1, l.Barcode)
	}
	png, err := Code128PNG(l.Barcode, 660, 165) // ~300 dpi at dishBarW × dishBarH
	if err != nil {
		return fmt.Errorf("dish %d (%s): %w", i+1, l.Barcode, err)
	}
	slot := i % DishLabelsPerPage
	x := margin + float64(slot%dishCols)*cellW
	y := margin + headerH + float64(slot/dishCols)*dishCellH
	pdf.SetDrawColor(160, 160, 160)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{1.5, 1.5}, 0)
	pdf.Rect(x, y, cellW, dishCellH, "D")
	pdf.SetDashPattern(nil, 0)

	name := "bar" + strconv.Itoa(i)
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	pdf.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	pdf.ImageOptions(name, x+(cellW-dishBarW)/2, y+1.5, dishBarW, dishBarH, false, opt, 0, "")

	tw.line(x, y+1.5+dishBarH, cellW, 4, "C", "", 9, l.Barcode)
	tw.line(x, y+5.5+dishBarH, cellW, 4.5, "C", "", 10, l.Name)
	tw.line(x, y+10+dishBarH, cellW, 4.5, "C", "B", 10, priceLine(l))
	return pdf.Error()
}

// priceLine is the line under a dish's name: its price in yuan and energy. It has
// a line of its own so that a long name, shrunk or cut to fit, never hides it.
func priceLine(l DishLabel) string {
	text := yuan(l.PriceFen)
	if l.Kcal > 0 {
		text += "   " + strconv.Itoa(int(l.Kcal)) + " kcal"
	}
	return text
}

// yuan formats fen as yuan with two decimals and the yuan sign, without floats.
func yuan(fen int64) string {
	return "¥" + strconv.FormatInt(fen/100, 10) + "." + fmt.Sprintf("%02d", fen%100)
}
