package cardprint

import (
	"bytes"
	"fmt"
	"time"
)

// Receipt is the electronic receipt of a paid fee bill (电子收据).
type Receipt struct {
	School    string // name (or id)
	Item      string // the fee item's title (or id)
	Pupil     string // the masked name (张*明), never the full one
	PaidFen   int64
	Reference string // the bill's reference: item and account, order or voucher
	// Paid is when the receipt was issued; printed in Asia/Shanghai.
	Paid time.Time
	// Payments are the payments on the bill, oldest first; at most
	// MaxReceiptPayments are listed (the rest as a count).
	Payments []ReceiptPayment
	// FontTTF as in Sheet: Chinese text needs it (Latin is drawn with Helvetica).
	FontTTF []byte
}

// ReceiptPayment is one payment listed on a receipt.
type ReceiptPayment struct {
	At        time.Time
	AmountFen int64
	// How: "online", "cash" or "balance"; Reference: the order number, the
	// voucher, or empty.
	How, Reference string
}

// MaxReceiptPayments bounds the payments one receipt lists.
const MaxReceiptPayments = 20

// shanghai is China Standard Time without the tz database.
var shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// ReceiptPDF renders the receipt as a one-page A4 PDF.
func ReceiptPDF(r Receipt) ([]byte, error) {
	fields := []string{r.School, r.Item, r.Pupil, r.Reference}
	for _, f := range fields {
		if f == "" || len(f) > MaxFieldLen {
			return nil, fmt.Errorf("%w: a receipt field is empty or longer than %d bytes", ErrInvalidInput, MaxFieldLen)
		}
		if r.FontTTF == nil && !coreText(f) {
			return nil, fmt.Errorf("%w: %q is not Latin text; give a CJK font (Receipt.FontTTF)", ErrInvalidInput, f)
		}
	}
	if r.PaidFen <= 0 || r.Paid.IsZero() {
		return nil, fmt.Errorf("%w: a receipt needs an amount and a time", ErrInvalidInput)
	}
	payments := paymentLines(r.Payments)
	for _, p := range payments {
		if len(p) > 2*MaxFieldLen || r.FontTTF == nil && !coreText(p) {
			return nil, fmt.Errorf("%w: payment line %q is too long or not Latin text", ErrInvalidInput, p)
		}
	}
	pdf, tw := newA4("OneCode receipt, "+r.Reference, r.Paid, r.FontTTF)
	pdf.AddPage()
	const x, w, h = margin + 10, pageW - 2*margin - 20, 10.0
	title := "Receipt"
	if r.FontTTF != nil {
		title = "电子收据 Receipt"
	}
	tw.line(x, 30, w, 14, "C", "B", 20, title)
	rows := [][2]string{
		{"School", r.School}, {"Item", r.Item}, {"Pupil", r.Pupil},
		{"Amount", yuan(r.PaidFen)}, {"Reference", r.Reference},
		{"Time", r.Paid.In(shanghai).Format("2006-01-02 15:04:05") + " (Asia/Shanghai)"},
	}
	for i, row := range rows {
		y := 60 + float64(i)*h
		tw.line(x, y, 40, h, "L", "B", 12, row[0])
		tw.line(x+40, y, w-40, h, "L", "", 12, row[1])
	}
	if len(payments) > 0 {
		y := 60 + float64(len(rows))*h + 4
		tw.line(x, y, w, h, "L", "B", 12, "Payments")
		for i, p := range payments {
			tw.line(x+4, y+float64(i+1)*8, w-4, 8, "L", "", 10, p)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("cardprint: receipt: %w", err)
	}
	return buf.Bytes(), nil
}

// paymentLines are the receipt's payment lines: time (Asia/Shanghai), amount, how
// and reference; beyond MaxReceiptPayments one line counts the rest.
func paymentLines(ps []ReceiptPayment) []string {
	out := make([]string, 0, min(len(ps), MaxReceiptPayments+1))
	for i, p := range ps {
		if i == MaxReceiptPayments {
			out = append(out, fmt.Sprintf("... and %d more", len(ps)-MaxReceiptPayments))
			break
		}
		line := p.At.In(shanghai).Format("2006-01-02 15:04:05") + "  " + yuan(p.AmountFen) + "  " + p.How
		if p.Reference != "" {
			line += "  " + p.Reference
		}
		out = append(out, line)
	}
	return out
}
