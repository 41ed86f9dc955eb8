package cardprint

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// TestReceiptPDF: a Latin receipt renders; Chinese text without a CJK font, an
// empty field and a zero amount are ErrInvalidInput.
func TestReceiptPDF(t *testing.T) {
	ok := Receipt{School: "School 35001", Item: "FI1", Pupil: "acc_1", PaidFen: 12050, Reference: "FI1/acc_1",
		Paid: time.Date(2026, 9, 1, 13, 0, 0, 0, time.UTC)}
	pdf, err := ReceiptPDF(ok)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("ReceiptPDF: %v", err)
	}
	for name, mut := range map[string]func(*Receipt){
		"chinese without font": func(r *Receipt) { r.Pupil = "张*明" },
		"empty school":         func(r *Receipt) { r.School = "" },
		"zero amount":          func(r *Receipt) { r.PaidFen = 0 },
	} {
		r := ok
		mut(&r)
		if _, err := ReceiptPDF(r); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: got %v, want ErrInvalidInput", name, err)
		}
	}
}
