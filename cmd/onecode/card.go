package main

import (
	"crypto/rand"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onecode/onecode/app/cardprint"
	"github.com/onecode/onecode/domain/card"
)

// Files of a card keys directory.
const (
	cardKeyringFile = "keyring.json"
	cardKEKFile     = "kek.pem"
	// idHashKeyFile and phoneHashKeyFile key the hashes of ID numbers and phones:
	// every member of a cluster must hold the same ones.
	idHashKeyFile    = "idhash.key"
	phoneHashKeyFile = "phonehash.key"
	// phoneSealKeyFile seals parents' phones in the directory (AES-256-GCM), so
	// that notices reach guardians by SMS (issue 12); shared like the hash keys.
	phoneSealKeyFile = "phoneseal.key"
	cardMaxFile      = 1 << 20 // bound on keyring, KEK and CSV files
	cardQRPixels     = 410
)

const cardUsage = `Usage: onecode card <command> [flags]

Commands:
  id     print a pupil's 22-character personal ID code
  qr     seal a card QR code, write it as PNG and print its text
  open   check a scanned QR text and print the card it carries
  sheet  render a class's printable PDF sheet of card labels from a CSV

Run "onecode card <command> -h" for its flags.
`

// cardExit codes: 0 success, 1 the operation failed, 2 bad usage.
const (
	cardExitOK    = 0
	cardExitFail  = 1
	cardExitUsage = 2
)

func runCard(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, cardUsage)
		return cardExitUsage
	}
	switch args[0] {
	case "id":
		return cardID(args[1:], stdout, stderr)
	case "qr":
		return cardQR(args[1:], stdout, stderr)
	case "open":
		return cardOpen(args[1:], stdout, stderr)
	case "sheet":
		return cardSheet(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, cardUsage)
		return cardExitOK
	default:
		fmt.Fprintf(stderr, "onecode card: unknown command %q\n\n%s", args[0], cardUsage)
		return cardExitUsage
	}
}

// cardFlags is a FlagSet with its usage text and required flags.
type cardFlags struct {
	*flag.FlagSet
	name     string
	required []string
}

func newCardFlags(name, synopsis, about string, stderr io.Writer) *cardFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s %s\n\n%s\n\nFlags:\n", name, synopsis, about)
		fs.PrintDefaults()
	}
	return &cardFlags{FlagSet: fs, name: name}
}

func (f *cardFlags) requiredString(name, usage string) *string {
	f.required = append(f.required, name)
	return f.String(name, "", usage+" (required)")
}

// parse parses args; ok is false when the command must stop with code.
func (f *cardFlags) parse(args []string) (code int, ok bool) {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cardExitOK, false
		}
		return cardExitUsage, false // the flag package printed the error and usage
	}
	if f.NArg() > 0 {
		fmt.Fprintf(f.Output(), "%s: unexpected argument %q\n", f.name, f.Arg(0))
		f.Usage()
		return cardExitUsage, false
	}
	for _, name := range f.required {
		if f.Lookup(name).Value.String() == "" {
			fmt.Fprintf(f.Output(), "%s: --%s is required\n", f.name, name)
			f.Usage()
			return cardExitUsage, false
		}
	}
	return cardExitOK, true
}

func cardFail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
	return cardExitFail
}

func cardID(args []string, stdout, stderr io.Writer) int {
	f := newCardFlags("onecode card id", "--school 35001 --student 2024000123 --random 07",
		"Prints the 22-character personal ID code (with its CRC check digits).", stderr)
	school := f.requiredString("school", "school code, 5 digits")
	student := f.requiredString("student", "student number, 10 digits")
	random := f.requiredString("random", "random field (card generation), 2 digits")
	if code, ok := f.parse(args); !ok {
		return code
	}
	id, err := card.BuildID(*school, *student, *random)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	fmt.Fprintln(stdout, id)
	return cardExitOK
}

func cardQR(args []string, stdout, stderr io.Writer) int {
	f := newCardFlags("onecode card qr",
		"--keys DIR --school 35001 --student 2024000123 --random 07 --expiry 20270831 --out card.png",
		"Seals the pupil's card QR code with the keyring's current key, writes it as a PNG\nand prints the QR text.", stderr)
	keys := f.requiredString("keys", "keys directory (keyring.json, kek.pem)")
	school := f.requiredString("school", "school code, 5 digits")
	student := f.requiredString("student", "student number, 10 digits")
	random := f.requiredString("random", "random field (card generation), 2 digits")
	expiry := f.requiredString("expiry", "last valid day, YYYYMMDD (Asia/Shanghai)")
	out := f.requiredString("out", "PNG file to write")
	px := f.Int("px", cardQRPixels, "PNG width and height in pixels")
	if code, ok := f.parse(args); !ok {
		return code
	}
	id, err := card.BuildID(*school, *student, *random)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	exp, err := cardParseExpiry(*expiry, stderr)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	kr, err := cardLoadKeyring(*keys)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	text, err := kr.Seal(id, exp, rand.Reader)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	png, err := cardprint.QRPNG(text, *px)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	if err := os.WriteFile(*out, png, 0o644); err != nil {
		return cardFail(stderr, f.name, err)
	}
	fmt.Fprintln(stdout, text)
	return cardExitOK
}

func cardOpen(args []string, stdout, stderr io.Writer) int {
	f := newCardFlags("onecode card open", "--keys DIR --text 'OC1:…'",
		"Checks a scanned card QR text (format, key, authenticity, check digits, expiry)\nand prints the card it carries. School, generation and loss checks need the\naccount and are not made here.", stderr)
	keys := f.requiredString("keys", "keys directory (keyring.json, kek.pem)")
	text := f.requiredString("text", "the scanned QR text")
	if code, ok := f.parse(args); !ok {
		return code
	}
	kr, err := cardLoadKeyring(*keys)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	c, err := kr.Open(*text, time.Now())
	if err != nil && !errors.Is(err, card.ErrExpired) {
		fmt.Fprintf(stderr, "%s: rejected: %s\n  (%v)\n", f.name, cardExplain(err), err)
		return cardExitFail
	}
	fmt.Fprintf(stdout, "id       %s\nschool   %s\nstudent  %s\nrandom   %s\nexpiry   %s\n",
		c.ID, c.ID.School(), c.ID.StudentNo(), c.ID.Random(), c.Expiry.Format("2006-01-02"))
	if err != nil {
		fmt.Fprintf(stderr, "%s: rejected: %s\n", f.name, cardExplain(err))
		return cardExitFail
	}
	return cardExitOK
}

// cardExplain says in operator's words why a QR text was rejected.
func cardExplain(err error) string {
	switch {
	case errors.Is(err, card.ErrExpired):
		return "the card has expired; re-issue it"
	case errors.Is(err, card.ErrUnknownKey):
		return "sealed with a key that is not in this keyring (another keyring or a removed key)"
	case errors.Is(err, card.ErrTampered):
		return "authentication failed: the text was altered or forged"
	case errors.Is(err, card.ErrBadCheck):
		return "the personal ID code's check digits are wrong"
	case errors.Is(err, card.ErrUnsupportedVersion):
		return "QR format version not supported by this build"
	case errors.Is(err, card.ErrMalformed):
		return "not a well-formed OneCode card QR text"
	default:
		return "cannot open"
	}
}

func cardSheet(args []string, stdout, stderr io.Writer) int {
	f := newCardFlags("onecode card sheet",
		"--keys DIR --class 3-2 --expiry 20270831 --in pupils.csv --out sheet.pdf",
		"Seals a card QR code for every pupil of the CSV and renders an A4 PDF sheet of\n"+
			"labels to print and cut. CSV columns: school,student,random,name (an optional\n"+
			"header line starting with \"school\" is skipped). The name is printed as given:\n"+
			"Latin text with the PDF core font, Chinese with a CJK font (--font, by default\n"+
			defaultSheetFonts[0]+" when installed: apt-get install fonts-droid-fallback).", stderr)
	keys := f.requiredString("keys", "keys directory (keyring.json, kek.pem)")
	class := f.requiredString("class", "class printed on the labels, e.g. 3-2")
	expiry := f.requiredString("expiry", "last valid day, YYYYMMDD (Asia/Shanghai)")
	in := f.requiredString("in", "CSV file: school,student,random,name")
	out := f.requiredString("out", "PDF file to write")
	title := f.String("title", "", "optional page heading, e.g. the school's name")
	font := f.String("font", "", "TrueType font for Chinese names (default: the CJK font above when installed)")
	if code, ok := f.parse(args); !ok {
		return code
	}
	exp, err := cardParseExpiry(*expiry, stderr)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	kr, err := cardLoadKeyring(*keys)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	rows, err := cardReadPupils(*in)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	sheet := cardprint.Sheet{Title: *title, Class: *class, Expiry: exp.Format("2006-01-02"), Created: time.Now()}
	if sheet.FontTTF, err = readCJKFont(*font); err != nil {
		return cardFail(stderr, f.name, err)
	}
	for _, r := range rows {
		label, err := cardLabel(kr, r, exp)
		if err != nil {
			return cardFail(stderr, f.name, fmt.Errorf("%s line %d: %w", *in, r.line, err))
		}
		sheet.Labels = append(sheet.Labels, label)
	}
	pdf, err := cardprint.ClassSheetPDF(sheet)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	if err := os.WriteFile(*out, pdf, 0o644); err != nil {
		return cardFail(stderr, f.name, err)
	}
	fmt.Fprintf(stdout, "%s: %d labels for class %s\n", *out, len(sheet.Labels), *class)
	return cardExitOK
}

type cardPupil struct {
	line                          int
	school, student, random, name string
}

func cardLabel(kr *card.Keyring, p cardPupil, exp time.Time) (cardprint.Label, error) {
	id, err := card.BuildID(p.school, p.student, p.random)
	if err != nil {
		return cardprint.Label{}, err
	}
	text, err := kr.Seal(id, exp, rand.Reader)
	if err != nil {
		return cardprint.Label{}, err
	}
	return cardprint.Label{QRText: text, Name: p.name, StudentNo: p.student}, nil
}

// cardReadPupils reads school,student,random,name rows (at most
// cardprint.MaxLabels), skipping a header line.
func cardReadPupils(path string) ([]cardPupil, error) {
	b, err := cardReadFile(path, cardMaxFile)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\uFEFF")))
	r.FieldsPerRecord = 4
	r.TrimLeadingSpace = true
	var rows []cardPupil
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		if len(rows) == 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "school") {
			continue
		}
		if len(rows) == cardprint.MaxLabels {
			return nil, fmt.Errorf("%s: more than %d pupils", path, cardprint.MaxLabels)
		}
		rows = append(rows, cardPupil{line: line, school: strings.TrimSpace(rec[0]), student: strings.TrimSpace(rec[1]),
			random: strings.TrimSpace(rec[2]), name: strings.TrimSpace(rec[3])})
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no pupils", path)
	}
	return rows, nil
}

// cardParseExpiry parses YYYYMMDD as a day in Asia/Shanghai and warns when
// that day is already over.
func cardParseExpiry(s string, stderr io.Writer) (time.Time, error) {
	t, err := time.ParseInLocation("20060102", s, card.Zone())
	if err != nil || t.Format("20060102") != s {
		return time.Time{}, fmt.Errorf("--expiry %q is not a date YYYYMMDD", s)
	}
	if !(card.Card{Expiry: t}).ValidAt(time.Now()) {
		fmt.Fprintf(stderr, "warning: expiry %s is already past; such cards will not open\n", t.Format("2006-01-02"))
	}
	return t, nil
}

func cardLoadKeyring(dir string) (*card.Keyring, error) {
	js, err := cardReadFile(filepath.Join(dir, cardKeyringFile), cardMaxFile)
	if err != nil {
		return nil, err
	}
	kek, err := cardReadFile(filepath.Join(dir, cardKEKFile), cardMaxFile)
	if err != nil {
		return nil, err
	}
	kr, err := card.LoadKeyring(js, kek)
	if err != nil {
		return nil, fmt.Errorf("keys in %s: %w", dir, err)
	}
	return kr, nil
}

// cardReadFile reads at most limit bytes of path.
func cardReadFile(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return b, nil
}

// cardWriteNew creates path with mode 0600, refusing to overwrite.
func cardWriteNew(path string, data []byte) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return err
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// cardReplaceFile atomically replaces path with data (mode 0600).
func cardReplaceFile(path string, data []byte) error {
	tmp := path + ".tmp"
	_ = os.Remove(tmp)
	if err := cardWriteNew(tmp, data); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}
