package idnumber

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"resident id", "350102201503120020", "350102201503120020", true},
		{"spaces and hyphens", " 3501-0220 1503 120020 ", "350102201503120020", true},
		{"wrong check x", "35010220150101123x", "", false},
		{"wrong check X", "11010120150101123X", "", false},
		{"right check 3", "110101201501011233", "110101201501011233", true},
		{"passport lower case", "e12345678", "E12345678", true},
		{"too short", "12345", "", false},
		{"too long", "350102201503120020350102201503120020", "", false},
		{"full-width digit", "3501022015031200２0", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
			if err != nil && (!errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), strings.TrimSpace(tt.in))) {
				t.Fatalf("Normalize(%q): error %v must be ErrInvalid and not quote the number", tt.in, err)
			}
		})
	}
}

func TestResidentIDCheck(t *testing.T) {
	tests := []struct {
		d17  string
		want byte
	}{
		{"35010220150312002", '0'},
		{"11010120150101123", '3'},
		{"11010519491231002", 'X'}, // the GB 11643 example
	}
	for _, tt := range tests {
		if got := residentIDCheck(tt.d17); got != tt.want {
			t.Errorf("residentIDCheck(%s) = %c, want %c", tt.d17, got, tt.want)
		}
	}
}

func TestHash(t *testing.T) {
	key := bytes.Repeat([]byte{0x5a}, 32)
	got, err := Hash(key, "1101 0120 1501 0112 33")
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("110101201501011233"))
	if want := m.Sum(nil); !bytes.Equal(got, want) {
		t.Fatalf("Hash = %x, want HMAC(key, normalised) %x", got, want)
	}
	if _, err := Hash(key, "12345"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Hash of a bad number: %v, want ErrInvalid", err)
	}
	p1, p2 := PlaceholderHash(key, "acc_35001_2024000001"), PlaceholderHash(key, "acc_35001_2024000002")
	if len(p1) != sha256.Size || bytes.Equal(p1, p2) || !bytes.Equal(p1, PlaceholderHash(key, "acc_35001_2024000001")) {
		t.Fatalf("placeholders %x %x: want distinct per account and deterministic", p1, p2)
	}
}
