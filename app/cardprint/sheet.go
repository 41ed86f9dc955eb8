package cardprint

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
)

// Label is one pupil's card label. Every field is printed as given: the
// caller seals the QR text and masks the name.
type Label struct {
	QRText    string // sealed card QR text (QR alphanumeric characters)
	Name      string // name as printed, e.g. masked or pinyin
	StudentNo string
}

// Sheet is one class's printable sheet of card labels.
type Sheet struct {
	Title  string // optional page heading, e.g. the school's name
	Class  string // e.g. "3-2"
	Expiry string // printed as given, e.g. "2027-08-31"
	Labels []Label
	// FontTTF is an optional TrueType font for what the PDF core font
	// Helvetica cannot draw (Chinese names): Latin letters, digits and
	// punctuation are always drawn with Helvetica, only the rest with FontTTF,
	// so a CJK font without Latin glyphs serves. Without it every text field
	// must be Latin (Windows-1252, e.g. pinyin names).
	FontTTF []byte
	// Created is written as the PDF creation date; zero means now.
	Created time.Time
}

// Page layout (A4 portrait, millimetres): a grid of labels with dashed cut
// lines, LabelsPerPage per page.
const (
	pageW, pageH  = 210.0, 297.0
	margin        = 10.0
	headerH       = 8.0
	cols, rows    = 3, 5
	LabelsPerPage = cols * rows
	// MaxLabels bounds one sheet (a class is far smaller).
	MaxLabels = 1000
	// MaxFieldLen bounds each printed text field, in bytes.
	MaxFieldLen = 64

	cellW = (pageW - 2*margin) / cols
	cellH = (pageH - 2*margin - headerH) / rows
	qrMM  = 34.0
	qrPx  = 410 // ~300 dpi at qrMM
	lineH = 4.5
)

// ClassSheetPDF renders the sheet as an A4 PDF: for each pupil a cell with
// the QR code, name, student number, class and expiry; LabelsPerPage cells
// per page, as many pages as needed.
func ClassSheetPDF(sheet Sheet) ([]byte, error) {
	if err := validateSheet(sheet); err != nil {
		return nil, err
	}
	pdf, tw := newA4("OneCode cards, class "+sheet.Class, sheet.Created, sheet.FontTTF)
	pages := (len(sheet.Labels) + LabelsPerPage - 1) / LabelsPerPage
	for i, l := range sheet.Labels {
		if i%LabelsPerPage == 0 {
			pdf.AddPage()
			drawHeader(tw, sheet, i/LabelsPerPage+1, pages)
		}
		if err := drawLabel(tw, sheet, i, l); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("cardprint: rendering PDF: %w", err)
	}
	return buf.Bytes(), nil
}

func validateSheet(s Sheet) error {
	if len(s.Labels) == 0 || len(s.Labels) > MaxLabels {
		return fmt.Errorf("%w: a sheet needs 1 to %d labels", ErrInvalidInput, MaxLabels)
	}
	fields := []string{s.Title, s.Class, s.Expiry}
	for _, l := range s.Labels {
		fields = append(fields, l.Name, l.StudentNo)
	}
	for _, f := range fields {
		if len(f) > MaxFieldLen {
			return fmt.Errorf("%w: field %q is longer than %d bytes", ErrInvalidInput, f[:16]+"...", MaxFieldLen)
		}
		if s.FontTTF == nil && !coreText(f) {
			return fmt.Errorf("%w: %q is not Latin text; give pinyin or a CJK font (Sheet.FontTTF)", ErrInvalidInput, f)
		}
	}
	return nil
}

func drawHeader(tw *textWriter, s Sheet, page, pages int) {
	title := "Class " + s.Class + "  -  valid through " + s.Expiry
	if s.Title != "" {
		title = s.Title + "  -  " + title
	}
	drawPageHeader(tw, title, page, pages)
}

// drawPageHeader writes title and the page number at the top of the page.
func drawPageHeader(tw *textWriter, title string, page, pages int) {
	tw.line(margin, margin, pageW-2*margin-30, headerH-2, "L", "", 11, title)
	tw.line(pageW-margin-30, margin, 30, headerH-2, "R", "", 11, "page "+strconv.Itoa(page)+"/"+strconv.Itoa(pages))
}

func drawLabel(tw *textWriter, s Sheet, i int, l Label) error {
	pdf := tw.pdf
	png, err := QRPNG(l.QRText, qrPx)
	if err != nil {
		return fmt.Errorf("label %d (%s): %w", i+1, l.StudentNo, err)
	}
	slot := i % LabelsPerPage
	x := margin + float64(slot%cols)*cellW
	y := margin + headerH + float64(slot/cols)*cellH

	pdf.SetDrawColor(160, 160, 160)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{1.5, 1.5}, 0)
	pdf.Rect(x, y, cellW, cellH, "D")
	pdf.SetDashPattern(nil, 0)

	name := "qr" + strconv.Itoa(i)
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	pdf.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	pdf.ImageOptions(name, x+(cellW-qrMM)/2, y+2, qrMM, qrMM, false, opt, 0, "")

	ty := y + 2 + qrMM + 1
	lines := []struct {
		style string
		size  float64
		text  string
	}{
		{"B", 11, l.Name},
		{"", 9, "No. " + l.StudentNo},
		{"", 8, "Class " + s.Class + "   Exp. " + s.Expiry},
	}
	for _, ln := range lines {
		tw.line(x, ty, cellW, lineH, "C", ln.style, ln.size, ln.text)
		ty += lineH
	}
	return pdf.Error()
}

// newA4 starts an A4 portrait PDF with title, dated created (when not zero,
// so that output is reproducible), no automatic page breaks, and the writer of
// its text: Helvetica, and fontTTF (when given) for what Helvetica cannot draw.
func newA4(title string, created time.Time, fontTTF []byte) (*fpdf.Fpdf, *textWriter) {
	pdf := fpdf.New("P", "mm", "A4", "")
	if !created.IsZero() {
		pdf.SetCreationDate(created)
		pdf.SetModificationDate(created)
	}
	pdf.SetTitle(title, true)
	pdf.SetAutoPageBreak(false, 0)
	return pdf, &textWriter{pdf: pdf, ttf: fontTTF}
}
