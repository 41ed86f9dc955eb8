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

// TestReceiptPaymentLines: each payment is a line with its time in China, amount,
// way and reference; a long list ends with a count.
func TestReceiptPaymentLines(t *testing.T) {
	at := time.Date(2026, 9, 1, 13, 0, 0, 0, time.UTC)
	ps := []ReceiptPayment{{At: at, AmountFen: 3000, How: "cash", Reference: "NO.1"}, {At: at.Add(time.Hour), AmountFen: 2050, How: "balance"}}
	got := paymentLines(ps)
	if len(got) != 2 || got[0] != "2026-09-01 21:00:00  "+yuan(3000)+"  cash  NO.1" || got[1] != "2026-09-01 22:00:00  "+yuan(2050)+"  balance" {
		t.Fatalf("lines %q", got)
	}
	many := make([]ReceiptPayment, MaxReceiptPayments+5)
	for i := range many {
		many[i] = ReceiptPayment{At: at, AmountFen: 1, How: "online", Reference: "P1"}
	}
	if got := paymentLines(many); len(got) != MaxReceiptPayments+1 || got[MaxReceiptPayments] != "... and 5 more" {
		t.Fatalf("%d lines, last %q", len(got), got[len(got)-1])
	}
	r := Receipt{School: "School 35001", Item: "FI1", Pupil: "acc_1", PaidFen: 5050, Reference: "FI1/acc_1", Paid: at, Payments: ps}
	if pdf, err := ReceiptPDF(r); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("ReceiptPDF with payments: %v", err)
	}
	r.Payments = []ReceiptPayment{{At: at, AmountFen: 1, How: "cash", Reference: "收据1"}}
	if _, err := ReceiptPDF(r); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("Chinese voucher without a font: %v", err)
	}
}
