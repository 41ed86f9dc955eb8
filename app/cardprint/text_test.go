package cardprint

import (
	"reflect"
	"testing"
)

func TestSplitRuns(t *testing.T) {
	tests := []struct {
		in   string
		want []run
	}{
		{"", nil},
		{"Li M*", []run{{"Li M*", true}}},
		{"王*涵", []run{{"王", false}, {"*", true}, {"涵", false}}},
		{"三年级1班 (3-1)", []run{{"三年级", false}, {"1", true}, {"班", false}, {" (3-1)", true}}},
		// Latin-1 letters and the yuan sign are in the core font's encoding (Windows-1252).
		{"Müller ¥1", []run{{"M\xfcller \xa51", true}}},
		{"Lǐ", []run{{"L", true}, {"ǐ", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := splitRuns(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitRuns(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFit(t *testing.T) {
	pdf, tw := newA4("t", testSheet(1).Created, nil)
	pdf.AddPage()
	tests := []struct {
		name     string
		text     string
		maxW     float64
		wantText string
		wantSize float64
	}{
		{"fits", "Class 3-2", 60, "Class 3-2", 8},
		{"shrinks", "Class 3-2   Exp. 2027-08-31 and some more", 50, "Class 3-2   Exp. 2027-08-31 and some more", 7},
		{"cut", "Class 3-2   Exp. 2027-08-31 and some more words", 20, "Class 3-2   Exp. 20…", minFontSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, size := tw.fit(tt.text, "", 8, tt.maxW)
			if got != tt.wantText || size != tt.wantSize {
				t.Errorf("fit = %q at %.1f, want %q at %.1f", got, size, tt.wantText, tt.wantSize)
			}
			if w := tw.width(got, "", size); w > tt.maxW {
				t.Errorf("width %.1f > %.1f", w, tt.maxW)
			}
		})
	}
}
