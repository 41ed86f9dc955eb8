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

// runLabels renders a canteen's dish barcode labels (Code 128) as a printable PDF from
// a CSV of barcode,name,price[,kcal] (price in yuan, e.g. 12.50; a header row is
// allowed).
func runLabels(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("labels", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "CSV of barcode,name,price[,kcal]")
	out := fs.String("out", "labels.pdf", "PDF to write")
	canteen := fs.String("canteen", "Canteen", "canteen name printed in the page header")
	font := fs.String("font", "", "TrueType font with the glyphs of the names (needed for Chinese names)")
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
	if *font != "" {
		if sheet.FontTTF, err = os.ReadFile(*font); err != nil {
			fmt.Fprintln(stderr, "labels:", err)
			return 1
		}
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

func readDishCSV(path string) ([]cardprint.DishLabel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, maxLabelsCSV))
	r.FieldsPerRecord = -1
	var out []cardprint.DishLabel
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if line == 1 && strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(rec[0]), "\ufeff"), "barcode") {
			continue
		}
		if len(rec) < 3 || len(rec) > 4 {
			return nil, fmt.Errorf("%s line %d: want barcode,name,price[,kcal]", path, line)
		}
		price, err := money.Parse(strings.TrimSpace(rec[2]))
		if err != nil || !price.Positive() {
			return nil, fmt.Errorf("%s line %d: price %q is not an amount in yuan like 12.50", path, line, rec[2])
		}
		l := cardprint.DishLabel{Barcode: strings.TrimSpace(rec[0]), Name: strings.TrimSpace(rec[1]), PriceFen: int64(price)}
		if len(rec) == 4 && strings.TrimSpace(rec[3]) != "" {
			k, err := strconv.ParseInt(strings.TrimSpace(rec[3]), 10, 32)
			if err != nil || k < 0 {
				return nil, fmt.Errorf("%s line %d: kcal %q is not a whole number", path, line, rec[3])
			}
			l.Kcal = int32(k)
		}
		out = append(out, l)
	}
	return out, nil
}
