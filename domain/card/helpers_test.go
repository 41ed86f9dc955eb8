package card

import (
	"bufio"
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// update regenerates the golden keyring and QR texts in testdata. The
// committed files are frozen: regenerate only on a deliberate format change.
var update = flag.Bool("update", false, "regenerate testdata golden keyring and QR texts")

// Golden keyring files: TEST KEYS ONLY, never used outside tests.
const (
	goldenKeyring = "testdata/keyring.json"
	goldenKEK     = "testdata/kek.pem"
	goldenQR      = "testdata/qr.txt"
)

func cst(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, Zone())
}

var (
	testNow    = cst(2026, time.September, 1, 12, 0, 0)
	testExpiry = time.Date(2027, time.August, 31, 0, 0, 0, 0, time.UTC)
)

// testRand is a deterministic randomness source for the data keys, ids and
// nonces drawn in tests.
func testRand(seed byte) *rand.ChaCha8 {
	return rand.NewChaCha8([32]byte{seed})
}

func mustID(t testing.TB, school, student, random string) ID {
	t.Helper()
	id, err := BuildID(school, student, random)
	if err != nil {
		t.Fatalf("BuildID(%q, %q, %q): %v", school, student, random, err)
	}
	return id
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadGolden loads a fresh copy of the committed two-key test keyring.
func loadGolden(t testing.TB) *Keyring {
	t.Helper()
	kr, err := LoadKeyring(readFile(t, goldenKeyring), readFile(t, goldenKEK))
	if err != nil {
		t.Fatalf("LoadKeyring(golden): %v", err)
	}
	return kr
}

type goldenText struct {
	text, id, expiry string
}

func readGoldenQR(t testing.TB) []goldenText {
	t.Helper()
	var out []goldenText
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, goldenQR)))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("bad golden line %q", line)
		}
		out = append(out, goldenText{text: f[0], id: f[1], expiry: f[2]})
	}
	return out
}

// TestUpdateGolden writes the golden keyring (one key, rotated once) and QR
// texts sealed under each key, when run with -update.
func TestUpdateGolden(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate")
	}
	r := testRand(1)
	js, kek, err := NewKeyring(r, cst(2026, time.January, 1, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	kr, err := LoadKeyring(js, kek)
	if err != nil {
		t.Fatal(err)
	}
	var qr bytes.Buffer
	qr.WriteString("# Golden QR texts sealed under testdata/keyring.json (TEST KEYS ONLY): text id expiry\n")
	seal := func(id ID, exp time.Time) {
		text, err := kr.Seal(id, exp, r)
		if err != nil {
			t.Fatal(err)
		}
		qr.WriteString(text + " " + id.String() + " " + exp.Format("20060102") + "\n")
	}
	seal(mustID(t, "35001", "2024000123", "07"), testExpiry)
	if js, err = kr.Rotate(r, cst(2026, time.March, 1, 0, 0, 0)); err != nil {
		t.Fatal(err)
	}
	seal(mustID(t, "35001", "2024000123", "08"), testExpiry)
	seal(mustID(t, "10086", "2023009876", "42"), cst(2030, time.June, 30, 0, 0, 0))
	for name, b := range map[string][]byte{goldenKeyring: js, goldenKEK: kek, goldenQR: qr.Bytes()} {
		if err := os.WriteFile(filepath.FromSlash(name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
