package cardprint

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A real card QR text (from domain/card/testdata/qr.txt).
const cardText = "OC1:4HXG:DDN3JGLFLAKFC4N3TLZB6GNB5Z5MDXCXDEORO3E2BZOX4AZ2ZM5ZJI4XLZKN72XBHBYJQE7PVRHP7CSHAMUT4UEOPOTKMB5VOE"

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	return img
}

// darkShare returns the share of dark pixels, and whether a border of
// width border is all white.
func darkShare(img image.Image, border int) (float64, bool) {
	b := img.Bounds()
	dark, quiet := 0, true
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			if r < 0x8000 {
				dark++
				if x < border || y < border || x >= b.Max.X-border || y >= b.Max.Y-border {
					quiet = false
				}
			}
		}
	}
	return float64(dark) / float64(b.Dx()*b.Dy()), quiet
}

func TestQRPNG(t *testing.T) {
	for _, px := range []int{123, 410, 1000} {
		t.Run(strconv.Itoa(px), func(t *testing.T) {
			b, err := QRPNG(cardText, px)
			if err != nil {
				t.Fatal(err)
			}
			img := decodePNG(t, b)
			if got := img.Bounds(); got.Dx() != px || got.Dy() != px {
				t.Fatalf("size = %v, want %dx%d", got, px, px)
			}
			// A 107-character alphanumeric text at level M is version 5:
			// 37 modules plus 4 quiet modules each side.
			scale := px / 45
			off := (px - 37*scale) / 2
			share, quiet := darkShare(img, off)
			if share < 0.1 || share > 0.6 || !quiet {
				t.Errorf("dark share %.2f, quiet zone white %v", share, quiet)
			}
			// Finder patterns: dark corners at the top-left, top-right and
			// bottom-left of the symbol, light at the bottom-right one.
			far := off + 37*scale - 1
			for _, p := range []image.Point{{off, off}, {far, off}, {off, far}} {
				if r, _, _, _ := img.At(p.X, p.Y).RGBA(); r >= 0x8000 {
					t.Errorf("finder corner %v is light", p)
				}
			}
			again, _ := QRPNG(cardText, px)
			if !bytes.Equal(b, again) {
				t.Error("QRPNG is not deterministic")
			}
		})
	}
	other, _ := QRPNG("OC1:4HXG:A", 410)
	if b, _ := QRPNG(cardText, 410); bytes.Equal(b, other) {
		t.Error("different texts gave the same image")
	}
}

func TestQRPNGRejects(t *testing.T) {
	tests := []struct {
		name string
		text string
		px   int
	}{
		{"empty", "", 100},
		{"lowercase", "oc1:abc", 100},
		{"unicode", "卡", 100},
		{"too long", strings.Repeat("A", MaxQRText+1), 100},
		{"too small", cardText, 44},
		{"zero size", cardText, 0},
		{"huge size", cardText, MaxPixels + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := QRPNG(tt.text, tt.px); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("QRPNG error = %v, want ErrInvalidInput", err)
			}
		})
	}
}

func TestCode128PNG(t *testing.T) {
	b, err := Code128PNG("DISH-0042", 600, 120)
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b)
	if got := img.Bounds(); got.Dx() != 600 || got.Dy() != 120 {
		t.Fatalf("size = %v, want 600x120", got)
	}
	if share, _ := darkShare(img, 0); share < 0.2 || share > 0.7 {
		t.Errorf("dark share %.2f", share)
	}
	again, _ := Code128PNG("DISH-0042", 600, 120)
	if !bytes.Equal(b, again) {
		t.Error("Code128PNG is not deterministic")
	}
	for _, bad := range []struct {
		code string
		w, h int
	}{{"", 600, 120}, {"DISH-0042", 50, 120}, {"DISH-0042", 600, 0}, {strings.Repeat("1", MaxCode128+1), 4000, 10}} {
		if _, err := Code128PNG(bad.code, bad.w, bad.h); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("Code128PNG(%q, %d, %d) error = %v, want ErrInvalidInput", bad.code, bad.w, bad.h, err)
		}
	}
}

func testSheet(n int) Sheet {
	s := Sheet{Title: "Xiamen No.1 Primary", Class: "3-2", Expiry: "2027-08-31", Created: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}
	for i := range n {
		s.Labels = append(s.Labels, Label{QRText: cardText, Name: "Li M*", StudentNo: "20240001" + strconv.Itoa(10+i%90)})
	}
	return s
}

func pageCount(pdf []byte) int { return bytes.Count(pdf, []byte("/Type /Page\n")) }

func TestClassSheetPDF(t *testing.T) {
	tests := []struct{ labels, pages int }{
		{1, 1}, {LabelsPerPage, 1}, {LabelsPerPage + 1, 2}, {40, 3},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.labels), func(t *testing.T) {
			b, err := ClassSheetPDF(testSheet(tt.labels))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatalf("output starts %q", b[:8])
			}
			if got := pageCount(b); got != tt.pages {
				t.Errorf("pages = %d, want %d", got, tt.pages)
			}
		})
	}
}

func TestClassSheetPDFRejects(t *testing.T) {
	chinese := testSheet(2)
	chinese.Labels[1].Name = "李*"
	badQR := testSheet(2)
	badQR.Labels[0].QRText = "not alphanumeric"
	long := testSheet(1)
	long.Class = strings.Repeat("x", MaxFieldLen+1)
	tests := []struct {
		name  string
		sheet Sheet
	}{
		{"no labels", Sheet{Class: "3-2"}},
		{"too many labels", testSheet(MaxLabels + 1)},
		{"chinese without font", chinese},
		{"bad QR text", badQR},
		{"long field", long},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ClassSheetPDF(tt.sheet); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("ClassSheetPDF error = %v, want ErrInvalidInput", err)
			}
		})
	}
}

// TestClassSheetPDFWithFont: a TrueType font draws what Helvetica cannot (here
// DejaVu for "ǐ"; render_test.go prints Chinese with a CJK font).
func TestClassSheetPDFWithFont(t *testing.T) {
	ttf, err := os.ReadFile("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
	if err != nil {
		t.Skip("no TrueType font on this machine")
	}
	s := testSheet(3)
	s.FontTTF = ttf
	s.Labels[0].Name = "Lǐ Míng"
	b, err := ClassSheetPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || pageCount(b) != 1 {
		t.Errorf("bad PDF: prefix %q, %d pages", b[:8], pageCount(b))
	}
}
