package cardprint

import (
	"bytes"
	"html"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// These tests print what a school prints, with the CJK font the README recommends,
// and read the page back as a printer's output would be read: rendered to pixels by
// poppler (pdftoppm), codes decoded with a barcode library (gozxing), words and their
// boxes from pdftotext. The tools come from Debian's poppler-utils and
// fonts-droid-fallback, which the test command (scripts/test.sh) installs.

// cjkFontPath is Debian's fonts-droid-fallback: Chinese glyphs and no Latin ones.
const cjkFontPath = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

const renderDPI = 200

// needed stops the test when a tool or file it needs is missing: skipped on a
// developer's machine, failed where services are required (CI, make test).
func needed(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := what + " is missing (" + err.Error() + "): apt-get install poppler-utils fonts-droid-fallback, or run make test"
	if os.Getenv("CI") == "true" || os.Getenv("ONECODE_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func cjkFont(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(cjkFontPath)
	needed(t, "the CJK font "+cjkFontPath, err)
	return b
}

// word is one word of the rendered page and its box, in pixels.
type word struct {
	text           string
	x0, y0, x1, y1 float64
}

var wordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// renderPage renders page 1 of pdf at renderDPI and lists its words.
func renderPage(t *testing.T, pdf []byte) (image.Image, []word) {
	t.Helper()
	for _, tool := range []string{"pdftoppm", "pdftotext"} {
		_, err := exec.LookPath(tool)
		needed(t, tool, err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) {
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
	}
	run("pdftoppm", "-r", strconv.Itoa(renderDPI), "-png", "-gray", "-singlefile", "-f", "1", "-l", "1", in, filepath.Join(dir, "page"))
	run("pdftotext", "-bbox", "-f", "1", "-l", "1", in, filepath.Join(dir, "words.html"))
	b, err := os.ReadFile(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("rendered page: %v", err)
	}
	h, err := os.ReadFile(filepath.Join(dir, "words.html"))
	if err != nil {
		t.Fatal(err)
	}
	var words []word
	const pxPerPt = renderDPI / 72.0
	for _, m := range wordRE.FindAllStringSubmatch(string(h), -1) {
		w := word{text: html.UnescapeString(m[5])}
		for i, p := range []*float64{&w.x0, &w.y0, &w.x1, &w.y1} {
			v, _ := strconv.ParseFloat(m[i+1], 64)
			*p = v * pxPerPt
		}
		words = append(words, w)
	}
	return img, words
}

func mmPx(mm float64) int { return int(math.Round(mm / 25.4 * renderDPI)) }

// crop is the part of img in the box (mm).
func crop(img image.Image, x, y, w, h float64) image.Image {
	r := image.Rect(mmPx(x), mmPx(y), mmPx(x+w), mmPx(y+h))
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
}

func decode(t *testing.T, img image.Image, reader gozxing.Reader) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := reader.Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText()
}

// find is the first word with text.
func find(t *testing.T, words []word, text string) word {
	t.Helper()
	for _, w := range words {
		if w.text == text {
			return w
		}
	}
	var all []string
	for _, w := range words {
		all = append(all, w.text)
	}
	t.Fatalf("%q is not on the page; words: %q", text, all)
	return word{}
}

// ink is the share of dark pixels of img in the box (pixels).
func ink(img image.Image, x0, y0, x1, y1 int) float64 {
	dark, all := 0, 0
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				dark++
			}
			all++
		}
	}
	return float64(dark) / float64(max(all, 1))
}

// checkDigitsDrawn: a word of digits drawn with Helvetica (every digit as wide)
// has less ink in a "1" than in a "0". Digits drawn as a font's empty box all have
// the same ink.
func checkDigitsDrawn(t *testing.T, img image.Image, w word) {
	t.Helper()
	n := len(w.text)
	cell := (w.x1 - w.x0) / float64(n)
	var ones, zeros []float64
	for i := range n {
		x0 := int(w.x0 + float64(i)*cell)
		v := ink(img, x0, int(w.y0), int(w.x0+float64(i+1)*cell), int(w.y1))
		switch w.text[i] {
		case '1':
			ones = append(ones, v)
		case '0':
			zeros = append(zeros, v)
		}
	}
	if len(ones) == 0 || len(zeros) == 0 {
		t.Fatalf("%q: want a word with 0s and 1s", w.text)
	}
	mean := func(vs []float64) float64 {
		s := 0.0
		for _, v := range vs {
			s += v
		}
		return s / float64(len(vs))
	}
	if got, zero := mean(ones), mean(zeros); zero == 0 || got > 0.8*zero {
		t.Errorf("%q: ink of a 1 is %.3f, of a 0 %.3f: the digits are not drawn as digits (empty boxes?)", w.text, got, zero)
	}
}

// checkInsideCells: no word crosses the page margin, nor, under the page header,
// a label's cut line.
func checkInsideCells(t *testing.T, words []word) {
	t.Helper()
	mm := func(px float64) float64 { return px / renderDPI * 25.4 }
	for _, w := range words {
		x0, x1 := mm(w.x0), mm(w.x1)
		if x0 < margin || x1 > pageW-margin {
			t.Errorf("%q (x %.1f..%.1f mm) crosses the page margin", w.text, x0, x1)
		}
		if mm(w.y0) < margin+headerH {
			continue
		}
		if c0, c1 := math.Floor((x0-margin)/cellW), math.Floor((x1-margin-0.01)/cellW); c0 != c1 {
			t.Errorf("%q (x %.1f..%.1f mm) crosses a label's edge", w.text, x0, x1)
		}
	}
}

// TestClassSheetRendersBothScripts is issue 10's defect 3 on a class sheet: with the
// CJK font, the QR reads back as sealed, digits are digits and not boxes, and a long
// class line stays inside its label.
func TestClassSheetRendersBothScripts(t *testing.T) {
	s := Sheet{Title: "厦门第一小学 Xiamen No.1 Primary", Class: "三年级1班 (3-1) 科学实验班 Science", Expiry: "2027-08-31", FontTTF: cjkFont(t)}
	s.Labels = []Label{
		{QRText: cardText, Name: "王*涵", StudentNo: "2024000101"},
		{QRText: "OC1:4HXG:A", Name: "Li M*", StudentNo: "2024000110"},
	}
	pdf, err := ClassSheetPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	img, words := renderPage(t, pdf)
	qr := crop(img, margin, margin+headerH, cellW, cellH)
	if got := decode(t, qr, qrcode.NewQRCodeReader()); got != cardText {
		t.Errorf("QR of label 1 reads %q, want %q", got, cardText)
	}
	checkDigitsDrawn(t, img, find(t, words, "2024000101"))
	for _, text := range []string{"No.", "2024000110", "Class", "Exp."} {
		find(t, words, text)
	}
	checkInsideCells(t, words)
}

// TestDishLabelsRenderBothScripts: the same for dish labels, whose barcode is Code 128.
func TestDishLabelsRenderBothScripts(t *testing.T) {
	s := DishSheet{Canteen: "第一食堂 Canteen 1", FontTTF: cjkFont(t), Labels: []DishLabel{
		{Barcode: "6901234567890", Name: "红烧肉 Braised pork", PriceFen: 1234, Kcal: 450},
		{Barcode: "D1005", Name: "紫菜蛋花汤 Seaweed & egg soup with a very long name", PriceFen: 200, Kcal: 45},
	}}
	pdf, err := DishLabelsPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	img, words := renderPage(t, pdf)
	bars := crop(img, margin, margin+headerH, cellW, dishCellH)
	if got := decode(t, bars, oned.NewCode128Reader()); got != "6901234567890" {
		t.Errorf("barcode of label 1 reads %q, want 6901234567890", got)
	}
	checkDigitsDrawn(t, img, find(t, words, "6901234567890"))
	for _, text := range []string{"¥12.34", "450", "kcal", "Braised", "D1005", "¥2.00"} {
		find(t, words, text)
	}
	checkInsideCells(t, words)
	if !strings.Contains(string(pdf), "/FontFile2") {
		t.Error("no TrueType font embedded for the Chinese names")
	}
}
