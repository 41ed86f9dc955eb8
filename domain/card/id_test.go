package card

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestCRC16CCITTFalse(t *testing.T) {
	tests := []struct {
		in   string
		want uint16
	}{
		{"123456789", 0x29B1}, // the catalogue check value
		{"", 0xFFFF},
		{"S35001202400012307", 0xD7FB},
	}
	for _, tt := range tests {
		if got := CRC16CCITTFalse([]byte(tt.in)); got != tt.want {
			t.Errorf("CRC16CCITTFalse(%q) = %#04x, want %#04x", tt.in, got, tt.want)
		}
	}
}

func TestGoldenIDs(t *testing.T) {
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, "testdata/ids.txt")))
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			t.Fatalf("bad golden line %q", line)
		}
		n++
		id, err := BuildID(f[0], f[1], f[2])
		if err != nil || id.String() != f[3] {
			t.Errorf("BuildID(%s, %s, %s) = %q, %v; want %q", f[0], f[1], f[2], id, err, f[3])
		}
		parsed, err := ParseID(f[3])
		if err != nil || parsed != id {
			t.Errorf("ParseID(%q) = %q, %v; want %q", f[3], parsed, err, id)
		}
		if got := []string{parsed.School(), parsed.StudentNo(), parsed.Random()}; got[0] != f[0] || got[1] != f[1] || got[2] != f[2] {
			t.Errorf("ParseID(%q) fields = %q, want %q", f[3], got, f[:3])
		}
	}
	if n == 0 {
		t.Fatal("no golden IDs")
	}
}

func TestBuildIDRejects(t *testing.T) {
	tests := []struct {
		name                    string
		school, student, random string
	}{
		{"short school", "3500", "2024000123", "07"},
		{"long school", "350011", "2024000123", "07"},
		{"letter in school", "3500A", "2024000123", "07"},
		{"short student", "35001", "202400012", "07"},
		{"non-ascii digit", "35001", "202400012٣", "07"},
		{"short random", "35001", "2024000123", "7"},
		{"sign in random", "35001", "2024000123", "+7"},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BuildID(tt.school, tt.student, tt.random)
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("BuildID error = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestParseIDRejects(t *testing.T) {
	const good = "S35001202400012307D7FB"
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrMalformed},
		{"short", good[:21], ErrMalformed},
		{"long", good + "0", ErrMalformed},
		{"lowercase prefix", "s" + good[1:], ErrMalformed},
		{"lowercase check", "S35001202400012307d7fb", ErrMalformed},
		{"letter in digits", "S3500120240001230AD7FB", ErrMalformed},
		{"non-hex check", "S35001202400012307D7FG", ErrMalformed},
		{"space", "S35001 02400012307D7FB", ErrMalformed},
		{"wrong check", "S35001202400012307D7FC", ErrBadCheck},
		{"digit changed", "S35001202400012308D7FB", ErrBadCheck},
		{"digits swapped", "S35001202400012370D7FB", ErrBadCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseID(tt.in)
			if !errors.Is(err, tt.want) || !got.IsZero() {
				t.Errorf("ParseID(%q) = %q, %v; want zero, %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestZeroID(t *testing.T) {
	var id ID
	if !id.IsZero() || id.String() != "" || id.School() != "" || id.Check() != "" {
		t.Errorf("zero ID accessors not empty: %q %q %q", id, id.School(), id.Check())
	}
}
