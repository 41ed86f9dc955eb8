package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type cardRun struct {
	code           int
	stdout, stderr string
}

func runCardCmd(t *testing.T, fn func([]string, io.Writer, io.Writer) int, args ...string) cardRun {
	t.Helper()
	var out, errb bytes.Buffer
	code := fn(args, &out, &errb)
	return cardRun{code: code, stdout: out.String(), stderr: errb.String()}
}

func TestCardCLIRoundTrip(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")

	r := runCardCmd(t, runKeys, "init", "--out", keys)
	if r.code != 0 {
		t.Fatalf("keys init = %d: %s", r.code, r.stderr)
	}
	for _, name := range []string{"keyring.json", "kek.pem", "idhash.key", "phonehash.key", "phoneseal.key"} {
		fi, err := os.Stat(filepath.Join(keys, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode = %o, want 600", name, got)
		}
	}

	r = runCardCmd(t, runCard, "id", "--school", "35001", "--student", "2024000123", "--random", "07")
	if r.code != 0 || r.stdout != "S35001202400012307D7FB\n" {
		t.Fatalf("card id = %d %q %q", r.code, r.stdout, r.stderr)
	}

	png := filepath.Join(dir, "card.png")
	r = runCardCmd(t, runCard, "qr", "--keys", keys, "--school", "35001", "--student", "2024000123",
		"--random", "07", "--expiry", "20990831", "--out", png)
	if r.code != 0 {
		t.Fatalf("card qr = %d: %s", r.code, r.stderr)
	}
	text := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(text, "OC1:") {
		t.Fatalf("card qr printed %q", r.stdout)
	}
	if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("card.png: %v", err)
	}

	wantOpen := "id       S35001202400012307D7FB\nschool   35001\nstudent  2024000123\nrandom   07\nexpiry   2099-08-31\n"
	r = runCardCmd(t, runCard, "open", "--keys", keys, "--text", text)
	if r.code != 0 || r.stdout != wantOpen {
		t.Fatalf("card open = %d %q %q", r.code, r.stdout, r.stderr)
	}

	r = runCardCmd(t, runKeys, "rotate", "--dir", keys)
	if r.code != 0 || !strings.Contains(r.stdout, "rotated") {
		t.Fatalf("keys rotate = %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r = runCardCmd(t, runCard, "open", "--keys", keys, "--text", text); r.code != 0 {
		t.Fatalf("card open after rotate = %d %q", r.code, r.stderr)
	}

	r = runCardCmd(t, runCard, "qr", "--keys", keys, "--school", "35001", "--student", "2024000123",
		"--random", "08", "--expiry", "20200101", "--out", png)
	if r.code != 0 || !strings.Contains(r.stderr, "already past") {
		t.Fatalf("card qr (past expiry) = %d %q", r.code, r.stderr)
	}
	r = runCardCmd(t, runCard, "open", "--keys", keys, "--text", strings.TrimSpace(r.stdout))
	if r.code != 1 || !strings.Contains(r.stdout, "expiry   2020-01-01") || !strings.Contains(r.stderr, "expired") {
		t.Fatalf("card open (expired) = %d %q %q", r.code, r.stdout, r.stderr)
	}

	csvPath := filepath.Join(dir, "pupils.csv")
	csv := "school,student,random,name\n35001,2024000123,07,Li M*\n35001,2024000124,01,Wang F*\n35001,2024000125,03,Chen X*\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "sheet.pdf")
	r = runCardCmd(t, runCard, "sheet", "--keys", keys, "--class", "3-2", "--expiry", "20990831", "--in", csvPath, "--out", pdf)
	if r.code != 0 || !strings.Contains(r.stdout, "3 labels") {
		t.Fatalf("card sheet = %d %q %q", r.code, r.stdout, r.stderr)
	}
	if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("sheet.pdf: %v", err)
	}
}

func TestCardCLIBadInput(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	if r := runCardCmd(t, runKeys, "init", "--out", keys); r.code != 0 {
		t.Fatalf("keys init = %d: %s", r.code, r.stderr)
	}
	chinese := filepath.Join(dir, "chinese.csv")
	if err := os.WriteFile(chinese, []byte("35001,2024000123,07,李明\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badRow := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(badRow, []byte("35001,2024000123,07,Li\n3500,2024000124,01,Wang\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		fn       func([]string, io.Writer, io.Writer) int
		args     []string
		wantCode int
		wantErr  string
	}{
		{"card no command", runCard, nil, 2, "Usage: onecode card"},
		{"card unknown command", runCard, []string{"print"}, 2, `unknown command "print"`},
		{"keys no command", runKeys, nil, 2, "Usage: onecode keys"},
		{"id missing flag", runCard, []string{"id", "--school", "35001", "--student", "2024000123"}, 2, "--random is required"},
		{"id unknown flag", runCard, []string{"id", "--shcool", "35001"}, 2, "flag provided but not defined"},
		{"id stray argument", runCard, []string{"id", "--school", "35001", "--student", "2024000123", "--random", "07", "x"}, 2, `unexpected argument "x"`},
		{"id short school", runCard, []string{"id", "--school", "3500", "--student", "2024000123", "--random", "07"}, 1, "school must be 5 digits"},
		{"qr bad expiry", runCard, []string{"qr", "--keys", keys, "--school", "35001", "--student", "2024000123", "--random", "07", "--expiry", "2027-08-31", "--out", filepath.Join(dir, "x.png")}, 1, "not a date YYYYMMDD"},
		{"qr missing keys", runCard, []string{"qr", "--keys", filepath.Join(dir, "none"), "--school", "35001", "--student", "2024000123", "--random", "07", "--expiry", "20990831", "--out", filepath.Join(dir, "x.png")}, 1, "no such file"},
		{"open garbage", runCard, []string{"open", "--keys", keys, "--text", "hello"}, 1, "not a well-formed OneCode card QR text"},
		{"open forged", runCard, []string{"open", "--keys", keys, "--text", "OC1:ZZZZ:" + strings.Repeat("A", 98)}, 1, "not in this keyring"},
		{"keys init refuses overwrite", runKeys, []string{"init", "--out", keys}, 1, "exists"},
		{"keys rotate missing dir", runKeys, []string{"rotate"}, 2, "--dir is required"},
		{"sheet missing font", runCard, []string{"sheet", "--keys", keys, "--class", "3-2", "--expiry", "20990831", "--in", chinese, "--font", filepath.Join(dir, "none.ttf"), "--out", filepath.Join(dir, "x.pdf")}, 1, "no such file"},
		{"sheet bad row", runCard, []string{"sheet", "--keys", keys, "--class", "3-2", "--expiry", "20990831", "--in", badRow, "--out", filepath.Join(dir, "x.pdf")}, 1, "line 2: card: malformed: school must be 5 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCardCmd(t, tt.fn, tt.args...)
			if r.code != tt.wantCode || !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, tt.wantCode, tt.wantErr)
			}
		})
	}
}
