package card

import (
	"errors"
	"testing"
)

// FuzzOpen: Open never panics, every failure is a typed error, and anything
// it accepts re-seals into a text that opens to the same card.
func FuzzOpen(f *testing.F) {
	kr := loadGolden(f)
	for _, g := range readGoldenQR(f) {
		f.Add(g.text)
	}
	f.Add("")
	f.Add("OC1:")
	f.Add("OC2:4HXG:AAAA")
	r := testRand(12)
	f.Fuzz(func(t *testing.T, text string) {
		c, err := kr.Open(text, testNow)
		if err != nil {
			if !knownError(err) {
				t.Fatalf("Open(%q) = %v, not a typed error", text, err)
			}
			return
		}
		if id, err := ParseID(c.ID.String()); err != nil || id != c.ID {
			t.Fatalf("Open(%q) returned invalid ID %q: %v", text, c.ID, err)
		}
		again, err := kr.Seal(c.ID, c.Expiry, r)
		if err != nil {
			t.Fatalf("Seal(Open(%q)): %v", text, err)
		}
		c2, err := kr.Open(again, testNow)
		if err != nil || c2.ID != c.ID || !c2.Expiry.Equal(c.Expiry) {
			t.Fatalf("re-sealed %q opens to %+v, %v; want %+v", again, c2, err, c)
		}
	})
}

// FuzzParseID: ParseID never panics, and anything it accepts rebuilds to
// itself from its fields.
func FuzzParseID(f *testing.F) {
	f.Add("S35001202400012307D7FB")
	f.Add("S35001202400012307D7FC")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadCheck) {
				t.Fatalf("ParseID(%q) = %v, not a typed error", s, err)
			}
			return
		}
		if id.String() != s {
			t.Fatalf("ParseID(%q) = %q", s, id)
		}
		rebuilt, err := BuildID(id.School(), id.StudentNo(), id.Random())
		if err != nil || rebuilt != id {
			t.Fatalf("BuildID(fields of %q) = %q, %v", s, rebuilt, err)
		}
	})
}
