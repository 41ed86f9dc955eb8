package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/onecode/onecode/app/cardprint"
)

func TestLabelsCLI(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "dishes.csv")
	os.WriteFile(in, []byte("barcode,name,price,kcal\nD1001,Rice,1.00,230\nD1003,Braised pork,12.00,\n"), 0o600)
	out := filepath.Join(dir, "labels.pdf")
	var stdout, stderr bytes.Buffer
	if code := runLabels([]string{"--in", in, "--out", out, "--canteen", "Canteen 1"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("output: %v", err)
	}
	if !strings.Contains(stdout.String(), "wrote 2 labels") {
		t.Fatalf("stdout %q", stdout.String())
	}

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("D1,Rice,1.234\n"), 0o600)
	stderr.Reset()
	if code := runLabels([]string{"--in", bad, "--out", out}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "line 1: price") {
		t.Fatalf("bad price: exit %d, %q", code, stderr.String())
	}
}

// TestReadDishCSV: a header names the columns; price_fen is fen (issue 10, defect 7:
// it was skipped as a header and its values read as yuan).
func TestReadDishCSV(t *testing.T) {
	tests := []struct {
		name    string
		csv     string
		want    []cardprint.DishLabel
		wantErr string
	}{
		{"positional yuan", "D1001,Rice,1.00,230\n",
			[]cardprint.DishLabel{{Barcode: "D1001", Name: "Rice", PriceFen: 100, Kcal: 230}}, ""},
		{"header price_fen", "barcode,name,price_fen,kcal\nD1003,Braised pork,1234,450\n",
			[]cardprint.DishLabel{{Barcode: "D1003", Name: "Braised pork", PriceFen: 1234, Kcal: 450}}, ""},
		{"header in another order", "\ufeffBarcode,kcal,price_fen,name\nD1006,160,350,Milk\n",
			[]cardprint.DishLabel{{Barcode: "D1006", Name: "Milk", PriceFen: 350, Kcal: 160}}, ""},
		{"header price yuan", "barcode,name,price\nD1004,Greens,4.00\n",
			[]cardprint.DishLabel{{Barcode: "D1004", Name: "Greens", PriceFen: 400}}, ""},
		{"price_fen in yuan", "barcode,name,price_fen\nD1,Rice,1.00\n", nil, "line 2: price_fen"},
		{"both prices", "barcode,name,price,price_fen\nD1,Rice,1.00,100\n", nil, "exactly one of"},
		{"unknown column", "barcode,name,price_fen,colour\nD1,Rice,100,red\n", nil, `unknown column "colour"`},
		{"no price", "barcode,name\nD1,Rice\n", nil, "exactly one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dishes.csv")
			if err := os.WriteFile(path, []byte(tt.csv), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := readDishCSV(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("readDishCSV = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
