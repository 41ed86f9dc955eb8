package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/onecode/onecode/app/cardprint"
	"github.com/onecode/onecode/domain/money"
)

// maxLabelsCSV bounds the dish CSV read by "onecode labels".
const maxLabelsCSV = 1 << 20

const labelsAbout = `Renders a canteen's dish labels (a Code 128 barcode, the name, and the price as
¥12.50 with the energy) as a printable A4 PDF. CSV columns: barcode,name,price[,kcal]
with the price in yuan (12.50); or a header row naming the columns, in any order:
barcode, name, price (yuan, 12.50) or price_fen (fen, 1250), and optionally kcal.`

// runLabels renders a canteen's dish barcode labels (Code 128) as a printable PDF.
func runLabels(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("labels", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: onecode labels --in dishes.csv --out labels.pdf\n\n%s\n\nFlags:\n", labelsAbout)
		fs.PrintDefaults()
	}
	in := fs.String("in", "", "CSV of barcode,name,price[,kcal], or with a header: barcode,name,price_fen[,kcal]")
	out := fs.String("out", "labels.pdf", "PDF to write")
	canteen := fs.String("canteen", "Canteen", "canteen name printed in the page header")
	font := fs.String("font", "", "TrueType font for Chinese names (default: "+defaultSheetFonts[0]+" when installed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *in == "" {
		fmt.Fprintln(stderr, "labels: --in is required")
		return 2
	}
	labels, err := readDishCSV(*in)
	if err != nil {
		fmt.Fprintln(stderr, "labels:", err)
		return 1
	}
	sheet := cardprint.DishSheet{Canteen: *canteen, Labels: labels}
	if sheet.FontTTF, err = readCJKFont(*font); err != nil {
		fmt.Fprintln(stderr, "labels:", err)
		return 1
	}
	pdf, err := cardprint.DishLabelsPDF(sheet)
	if err != nil {
		fmt.Fprintln(stderr, "labels:", err)
		return 1
	}
	if err := os.WriteFile(*out, pdf, 0o644); err != nil {
		fmt.Fprintln(stderr, "labels:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %d labels to %s\n", len(labels), *out)
	return 0
}

// readCJKFont reads path, or when path is empty the first installed default CJK
// font (none: nil, and Chinese text is refused by cardprint).
func readCJKFont(path string) ([]byte, error) {
	if path != "" {
		return cardReadFile(path, 64<<20)
	}
	for _, p := range defaultSheetFonts {
		if b, err := cardReadFile(p, 64<<20); err == nil {
			return b, nil
		}
	}
	return nil, nil
}

// dishColumns are the column indexes of a dish CSV; -1 when absent.
type dishColumns struct {
	barcode, name, price, priceFen, kcal int
}

// positionalDish is a CSV without a header: barcode,name,price[,kcal].
var positionalDish = dishColumns{barcode: 0, name: 1, price: 2, priceFen: -1, kcal: 3}

// dishHeader reads the columns a header row names; ok is false when rec is data.
func dishHeader(rec []string) (dishColumns, bool, error) {
	if len(rec) == 0 || !strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(rec[0]), "\ufeff"), "barcode") {
		return dishColumns{}, false, nil
	}
	c := dishColumns{-1, -1, -1, -1, -1}
	for i, h := range rec {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		var dst *int
		switch h {
		case "barcode":
			dst = &c.barcode
		case "name":
			dst = &c.name
		case "price":
			dst = &c.price
		case "price_fen":
			dst = &c.priceFen
		case "kcal":
			dst = &c.kcal
		default:
			return c, true, fmt.Errorf("unknown column %q (want barcode, name, price or price_fen, kcal)", h)
		}
		if *dst >= 0 {
			return c, true, fmt.Errorf("column %q twice", h)
		}
		*dst = i
	}
	switch {
	case c.name < 0:
		return c, true, errors.New("no name column")
	case (c.price < 0) == (c.priceFen < 0):
		return c, true, errors.New("want exactly one of the columns price (yuan) and price_fen (fen)")
	}
	return c, true, nil
}

func readDishCSV(path string) ([]cardprint.DishLabel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, maxLabelsCSV))
	r.FieldsPerRecord = -1
	cols := positionalDish
	var out []cardprint.DishLabel
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if line == 1 {
			c, header, err := dishHeader(rec)
			if err != nil {
				return nil, fmt.Errorf("%s line 1: %w", path, err)
			}
			if header {
				cols = c
				continue
			}
		}
		l, err := dishRow(rec, cols)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// dishRow reads one dish; a price in yuan is exact (money.Parse), never a float.
func dishRow(rec []string, c dishColumns) (cardprint.DishLabel, error) {
	field := func(i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	if c == positionalDish && (len(rec) < 3 || len(rec) > 4) {
		return cardprint.DishLabel{}, errors.New("want barcode,name,price[,kcal]")
	}
	l := cardprint.DishLabel{Barcode: field(c.barcode), Name: field(c.name)}
	if c.priceFen >= 0 {
		fen, err := strconv.ParseInt(field(c.priceFen), 10, 64)
		if err != nil || fen <= 0 {
			return l, fmt.Errorf("price_fen %q is not a whole number of fen like 1250", field(c.priceFen))
		}
		l.PriceFen = fen
	} else {
		price, err := money.Parse(field(c.price))
		if err != nil || !price.Positive() {
			return l, fmt.Errorf("price %q is not an amount in yuan like 12.50", field(c.price))
		}
		l.PriceFen = int64(price)
	}
	if k := field(c.kcal); k != "" {
		n, err := strconv.ParseInt(k, 10, 32)
		if err != nil || n < 0 {
			return l, fmt.Errorf("kcal %q is not a whole number", k)
		}
		l.Kcal = int32(n)
	}
	return l, nil
}
