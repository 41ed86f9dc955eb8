package card

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"
)

const qrAlphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

func TestGoldenQROpens(t *testing.T) {
	kr := loadGolden(t)
	for _, g := range readGoldenQR(t) {
		c, err := kr.Open(g.text, testNow)
		if err != nil {
			t.Errorf("Open(%s): %v", g.text, err)
			continue
		}
		if c.ID.String() != g.id || c.Expiry.Format(dateLayout) != g.expiry {
			t.Errorf("Open(%s) = %s %s, want %s %s", g.text, c.ID, c.Expiry.Format(dateLayout), g.id, g.expiry)
		}
	}
}

func TestSealFormat(t *testing.T) {
	kr := loadGolden(t)
	id := mustID(t, "35001", "2024000123", "07")
	text, err := kr.Seal(id, testExpiry, testRand(2))
	if err != nil {
		t.Fatal(err)
	}
	if want := "OC1:" + kr.CurrentKeyID() + ":"; !strings.HasPrefix(text, want) {
		t.Errorf("Seal = %q, want prefix %q", text, want)
	}
	if got, want := len(text), 107; got != want {
		t.Errorf("len(Seal) = %d, want %d", got, want)
	}
	for _, r := range text {
		if !strings.ContainsRune(qrAlphanumeric, r) {
			t.Errorf("Seal text has %q, outside the QR alphanumeric set", r)
		}
	}
	c, err := kr.Open(text, testNow)
	if err != nil || c.ID != id || c.ID.School() != "35001" || c.ID.StudentNo() != "2024000123" || c.ID.Random() != "07" {
		t.Fatalf("Open(Seal) = %+v, %v", c, err)
	}
	if got, want := c.Expiry, cst(2027, time.August, 31, 0, 0, 0); !got.Equal(want) {
		t.Errorf("Expiry = %v, want %v", got, want)
	}
	again, _ := kr.Seal(id, testExpiry, testRand(3))
	if again == text {
		t.Error("two seals with different nonces gave the same text")
	}
}

func TestSealRejects(t *testing.T) {
	kr := loadGolden(t)
	id := mustID(t, "35001", "2024000123", "07")
	tests := []struct {
		name   string
		id     ID
		expiry time.Time
		want   error
	}{
		{"zero id", ID{}, testExpiry, ErrMalformed},
		{"year 10000", id, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), ErrMalformed},
		{"zero time", id, time.Time{}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := kr.Seal(tt.id, tt.expiry, testRand(2)); !errors.Is(err, tt.want) {
				t.Errorf("Seal error = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := kr.Seal(id, testExpiry, iotest.ErrReader(errors.New("no entropy"))); err == nil {
		t.Error("Seal with failing rand succeeded")
	}
}

func TestOpenRejects(t *testing.T) {
	kr := loadGolden(t)
	golden := readGoldenQR(t)
	oldText, curText := golden[0].text, golden[1].text // sealed under the retired and the current key
	oldID, curID := kr.KeyIDs()[0], kr.CurrentKeyID()
	header := "OC1:" + curID + ":"
	body := curText[len(header):]

	otherJSON, otherKEK, err := NewKeyring(testRand(9), testNow)
	if err != nil {
		t.Fatal(err)
	}
	other, err := LoadKeyring(otherJSON, otherKEK)
	if err != nil {
		t.Fatal(err)
	}
	otherText, err := other.Seal(mustID(t, "35001", "2024000123", "07"), testExpiry, testRand(4))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		text string
		now  time.Time
		want error
	}{
		{"empty", "", testNow, ErrMalformed},
		{"huge", strings.Repeat("A", 10<<20), testNow, ErrMalformed},
		{"just over bound", header + body + strings.Repeat("A", MaxQRTextLen-len(curText)+1), testNow, ErrMalformed},
		{"truncated by one", curText[:len(curText)-1], testNow, ErrMalformed},
		{"header only", header, testNow, ErrMalformed},
		{"tag only", "OC", testNow, ErrMalformed},
		{"extra char", curText + "A", testNow, ErrMalformed},
		{"lowercase", strings.ToLower(curText), testNow, ErrMalformed},
		{"lowercase body", header + strings.ToLower(body), testNow, ErrMalformed},
		{"padded body", header + body[:len(body)-2] + "==", testNow, ErrMalformed},
		{"newline in body", header + body[:50] + "\n" + body[51:], testNow, ErrMalformed},
		{"other tag", "XX1:" + curText[4:], testNow, ErrMalformed},
		{"no version", "OC:" + curText[4:], testNow, ErrMalformed},
		{"future version", "OC2:" + curText[4:], testNow, ErrUnsupportedVersion},
		{"long version", "OC12345:" + curText[4:], testNow, ErrMalformed},
		{"empty key id", "OC1::" + body, testNow, ErrMalformed},
		{"key id too long", "OC1:ABCDEFGHJ:" + body, testNow, ErrMalformed},
		{"lowercase key id", "OC1:" + strings.ToLower(curID) + ":" + body, testNow, ErrMalformed},
		{"unknown key id", "OC1:ZZZZ:" + body, testNow, ErrUnknownKey},
		{"wrong keyring", otherText, testNow, ErrUnknownKey},
		{"swapped key id current->old", "OC1:" + oldID + ":" + body, testNow, ErrTampered},
		{"swapped key id old->current", header + oldText[len("OC1:"+oldID+":"):], testNow, ErrTampered},
		{"body from other keyring", header + otherText[len(otherText)-len(body):], testNow, ErrTampered},
		{"expired next day CST", curText, cst(2027, time.September, 1, 0, 0, 0), ErrExpired},
		{"expired by UTC evening", curText, time.Date(2027, time.August, 31, 16, 0, 0, 0, time.UTC), ErrExpired},
		{"last second of expiry day", curText, cst(2027, time.August, 31, 23, 59, 59), nil},
		{"genuine", curText, testNow, nil},
		{"genuine old key", oldText, testNow, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := kr.Open(tt.text, tt.now)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Open error = %v, want %v", err, tt.want)
			}
			if err != nil && !errors.Is(err, ErrExpired) && c != (Card{}) {
				t.Errorf("Open returned %+v with error %v, want zero Card", c, err)
			}
		})
	}
}

// TestOpenOneCharFlipped replaces every character of a genuine text by every
// other QR alphanumeric character: no variant may open.
func TestOpenOneCharFlipped(t *testing.T) {
	kr := loadGolden(t)
	text := readGoldenQR(t)[1].text
	headerLen := strings.LastIndexByte(text, ':') + 1
	for i := range len(text) {
		for _, r := range qrAlphanumeric {
			if byte(r) == text[i] {
				continue
			}
			mut := text[:i] + string(r) + text[i+1:]
			_, err := kr.Open(mut, testNow)
			switch {
			case err == nil:
				t.Fatalf("Open(%q) accepted a text with char %d changed to %q", mut, i, r)
			case i >= headerLen && !errors.Is(err, ErrTampered) && !errors.Is(err, ErrMalformed):
				t.Fatalf("Open(body char %d -> %q) = %v, want ErrTampered or ErrMalformed", i, r, err)
			case !knownError(err):
				t.Fatalf("Open(char %d -> %q) = %v, not a typed error", i, r, err)
			}
		}
	}
}

// TestOpenBadPlaintext seals wrong plaintexts under a genuine key, as a
// buggy or compromised issuer would.
func TestOpenBadPlaintext(t *testing.T) {
	kr := loadGolden(t)
	key := kr.state.Load().current
	tests := []struct {
		name  string
		plain string
		want  error
	}{
		{"bad check", "#S35001202400012307D7FC#20270831#", ErrBadCheck},
		{"bad date", "#S35001202400012307D7FB#20270231#", ErrMalformed},
		{"signed date", "#S35001202400012307D7FB#+2027083#", ErrMalformed},
		{"missing hash", "#S35001202400012307D7FB#20270831X", ErrMalformed},
		{"lowercase check", "#S35001202400012307d7fb#20270831#", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.plain) != plaintextLen {
				t.Fatalf("test plaintext has length %d", len(tt.plain))
			}
			var sealed [sealedLen]byte
			key.aead.Seal(sealed[nonceLen:nonceLen], sealed[:nonceLen], []byte(tt.plain), []byte(key.header))
			text := key.header + qrEncoding.EncodeToString(sealed[:])
			if _, err := kr.Open(text, testNow); !errors.Is(err, tt.want) {
				t.Errorf("Open error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRotate(t *testing.T) {
	kr := loadGolden(t)
	id := mustID(t, "35001", "2024000123", "07")
	before, err := kr.Seal(id, testExpiry, testRand(5))
	if err != nil {
		t.Fatal(err)
	}
	oldCurrent := kr.CurrentKeyID()
	js, err := kr.Rotate(testRand(6), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if kr.CurrentKeyID() == oldCurrent || len(kr.KeyIDs()) != 3 {
		t.Fatalf("after Rotate: current %s (was %s), keys %v", kr.CurrentKeyID(), oldCurrent, kr.KeyIDs())
	}
	after, err := kr.Seal(id, testExpiry, testRand(7))
	if err != nil {
		t.Fatal(err)
	}
	if want := "OC1:" + kr.CurrentKeyID() + ":"; !strings.HasPrefix(after, want) {
		t.Errorf("new card %q does not use the new key %s", after, want)
	}
	reloaded, err := LoadKeyring(js, readFile(t, goldenKEK))
	if err != nil {
		t.Fatalf("LoadKeyring(rotated): %v", err)
	}
	for _, k := range []*Keyring{kr, reloaded} {
		for _, text := range []string{before, after, readGoldenQR(t)[0].text} {
			if _, err := k.Open(text, testNow); err != nil {
				t.Errorf("Open(%s) after rotation: %v", text, err)
			}
		}
	}
	if reloaded.CurrentKeyID() != kr.CurrentKeyID() {
		t.Errorf("reloaded current = %s, want %s", reloaded.CurrentKeyID(), kr.CurrentKeyID())
	}
}

func TestConcurrentOpenAndRotate(t *testing.T) {
	kr := loadGolden(t)
	text := readGoldenQR(t)[0].text
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for range 200 {
				if _, err := kr.Open(text, testNow); err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
			}
		})
	}
	for i := range 3 {
		if _, err := kr.Rotate(testRand(byte(20+i)), testNow); err != nil {
			t.Error(err)
		}
	}
	wg.Wait()
}

func knownError(err error) bool {
	for _, e := range []error{ErrMalformed, ErrUnsupportedVersion, ErrUnknownKey, ErrTampered, ErrBadCheck, ErrExpired} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func BenchmarkOpen(b *testing.B) {
	kr := loadGolden(b)
	text := readGoldenQR(b)[1].text
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kr.Open(text, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	kr := loadGolden(b)
	id := mustID(b, "35001", "2024000123", "07")
	r := testRand(8)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kr.Seal(id, testExpiry, r); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecodeCanonical(t *testing.T) {
	r := testRand(13)
	for range 200 {
		var want, got [sealedLen]byte
		r.Read(want[:])
		body := qrEncoding.EncodeToString(want[:])
		if err := decodeCanonical(got[:], body); err != nil || got != want {
			t.Fatalf("decodeCanonical(%s) = %x, %v; want %x", body, got, err, want)
		}
		// The last character carries 3 data bits and 2 zero pad bits.
		last := body[len(body)-1]
		v := base32Value(last)
		padded := body[:len(body)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[v|1])
		if err := decodeCanonical(got[:], padded); !errors.Is(err, ErrMalformed) {
			t.Fatalf("decodeCanonical with pad bits set = %v, want ErrMalformed", err)
		}
	}
}
