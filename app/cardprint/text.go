package cardprint

import (
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"
)

// Fonts: Latin text (everything Windows-1252 can encode: ASCII, accented letters,
// "¥", "…") is drawn with the PDF core font Helvetica; the rest (Chinese) with the
// caller's TrueType font. A CJK font such as Droid Sans Fallback has no Latin glyphs:
// drawing digits with it printed empty boxes (issue 10, defect 3).
const (
	coreFamily = "Helvetica"
	ttfFamily  = "cjk"
	// minFontSize is the smallest size a line is shrunk to before it is truncated.
	minFontSize = 6.0
	ellipsis    = "…" // in Windows-1252 (0x85): drawn with the core font
)

// run is a stretch of text drawn with one font: core text already encoded in
// Windows-1252, TrueType text in UTF-8.
type run struct {
	text string
	core bool
}

// coreByte is r's Windows-1252 byte, when the core font can draw r.
func coreByte(r rune) (byte, bool) {
	if r < 0x20 || r == utf8.RuneError {
		return 0, false
	}
	return charmap.Windows1252.EncodeRune(r)
}

// coreText reports whether the core font alone can draw s.
func coreText(s string) bool {
	for _, r := range s {
		if _, ok := coreByte(r); !ok {
			return false
		}
	}
	return true
}

// splitRuns splits s into runs by font.
func splitRuns(s string) []run {
	var out []run
	var cur []byte
	core := true
	flush := func() {
		if len(cur) > 0 {
			out = append(out, run{text: string(cur), core: core})
			cur = nil
		}
	}
	for _, r := range s {
		b, ok := coreByte(r)
		if ok != core {
			flush()
			core = ok
		}
		if ok {
			cur = append(cur, b)
		} else {
			cur = utf8.AppendRune(cur, r)
		}
	}
	flush()
	return out
}

// textWriter draws lines of mixed Latin and Chinese text on one PDF.
type textWriter struct {
	pdf *fpdf.Fpdf
	ttf []byte // nil: core font only (callers check coreText first)
	// ttfAdded: the TrueType font is registered on first use, so a document
	// without Chinese embeds no font.
	ttfAdded bool
}

func (w *textWriter) setFont(r run, style string, size float64) {
	if r.core || w.ttf == nil {
		w.pdf.SetFont(coreFamily, style, size)
		return
	}
	if !w.ttfAdded {
		w.pdf.AddUTF8FontFromBytes(ttfFamily, "", w.ttf)
		w.ttfAdded = true
	}
	w.pdf.SetFont(ttfFamily, "", size) // one style is registered for the TrueType font
}

// width is the width of text at size, in mm.
func (w *textWriter) width(text, style string, size float64) float64 {
	total := 0.0
	for _, r := range splitRuns(text) {
		w.setFont(r, style, size)
		total += w.pdf.GetStringWidth(r.text)
	}
	return total
}

// fit returns text and the size to draw it in at most maxW mm: size when it fits,
// else a smaller size down to minFontSize, else text cut with an ellipsis.
func (w *textWriter) fit(text, style string, size, maxW float64) (string, float64) {
	for ; size > minFontSize; size -= 0.5 {
		if w.width(text, style, size) <= maxW {
			return text, size
		}
	}
	size = minFontSize
	if w.width(text, style, size) <= maxW {
		return text, size
	}
	rs := []rune(text)
	for n := len(rs) - 1; n > 0; n-- {
		cut := string(rs[:n]) + ellipsis
		if w.width(cut, style, size) <= maxW {
			return cut, size
		}
	}
	return ellipsis, size
}

// line draws text in the box (x, y, boxW, h), aligned "L", "C" or "R", shrunk or
// cut to fit the box's width.
func (w *textWriter) line(x, y, boxW, h float64, align, style string, size float64, text string) {
	const pad = 1.0 // mm on each side
	text, size = w.fit(text, style, size, boxW-2*pad)
	tw := w.width(text, style, size)
	switch align {
	case "C":
		x += (boxW - tw) / 2
	case "R":
		x += boxW - pad - tw
	default:
		x += pad
	}
	// The baseline where CellFormat puts it: mid-box plus 0.3 of the font size.
	baseline := y + h/2 + 0.3*size/w.pdf.GetConversionRatio()
	for _, r := range splitRuns(text) {
		w.setFont(r, style, size)
		w.pdf.Text(x, baseline, r.text)
		x += w.pdf.GetStringWidth(r.text)
	}
}
