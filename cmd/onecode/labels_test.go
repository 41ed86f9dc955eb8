package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
