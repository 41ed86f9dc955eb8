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
	Name     string // printed as given (ASCII, or any text with a Unicode font)
	PriceFen int64  // printed as yuan, e.g. 12.50
	Kcal     int32  // printed when > 0
}

// DishSheet is one canteen's printable sheet of dish labels.
type DishSheet struct {
	Canteen string
	Labels  []DishLabel
	// FontTTF as in Sheet: needed for Chinese dish names.
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
		if s.FontTTF == nil && !printableASCII(f) {
			return nil, fmt.Errorf("%w: %q is not printable ASCII; give a Unicode font (DishSheet.FontTTF)", ErrInvalidInput, f)
		}
	}
	pdf, family := newA4("OneCode dish labels, "+s.Canteen, s.Created, s.FontTTF)
	pages := (len(s.Labels) + DishLabelsPerPage - 1) / DishLabelsPerPage
	for i, l := range s.Labels {
		if i%DishLabelsPerPage == 0 {
			pdf.AddPage()
			pdf.SetFont(family, "", 11)
			pdf.SetXY(margin, margin)
			pdf.CellFormat(pageW-2*margin-30, headerH-2, "Dish labels - "+s.Canteen, "", 0, "L", false, 0, "")
			pdf.CellFormat(30, headerH-2, "page "+strconv.Itoa(i/DishLabelsPerPage+1)+"/"+strconv.Itoa(pages), "", 0, "R", false, 0, "")
		}
		if err := drawDishLabel(pdf, family, i, l); err != nil {
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

func drawDishLabel(pdf *fpdf.Fpdf, family string, i int, l DishLabel) error {
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

	pdf.SetFont(family, "", 9)
	pdf.SetXY(x, y+1.5+dishBarH)
	pdf.CellFormat(cellW, 4, l.Barcode, "", 0, "C", false, 0, "")
	text := l.Name + "  " + yuan(l.PriceFen)
	if l.Kcal > 0 {
		text += "  " + strconv.Itoa(int(l.Kcal)) + " kcal"
	}
	pdf.SetXY(x, y+5.5+dishBarH)
	pdf.CellFormat(cellW, 4, text, "", 0, "C", false, 0, "")
	return pdf.Error()
}

// yuan formats fen as yuan with two decimals, without floats.
func yuan(fen int64) string {
	return strconv.FormatInt(fen/100, 10) + "." + fmt.Sprintf("%02d", fen%100)
}
