package recharge

import (
	"fmt"
	"sort"
	"time"

	"github.com/onecode/onecode/persistence/orders"
)

// LineKind says what a statement line records.
type LineKind string

const (
	// LinePayment is a paid order (out_trade_no).
	LinePayment LineKind = "payment"
	// LineRefund is a refund paid back (out_refund_no).
	LineRefund LineKind = "refund"
)

// StatementLine is one row of a provider's daily statement (WeChat Pay tradebill,
// Alipay trade bill), as the adapters parse it.
type StatementLine struct {
	Kind          LineKind
	OrderID       string // our order id (out_trade_no)
	RefundNo      string // our refund number (out_refund_no), refunds only
	AmountFen     int64  // the order's or the refund's amount, > 0
	TransactionID string // the provider's
}

// DiffKind is one kind of difference between a statement and our books.
type DiffKind string

const (
	// MissingAtUs: the provider took or paid back money we have no settled record of.
	MissingAtUs DiffKind = "missing_at_us"
	// MissingAtProvider: we settled what the provider's statement does not show.
	MissingAtProvider DiffKind = "missing_at_provider"
	// AmountMismatch: both have it, with different amounts.
	AmountMismatch DiffKind = "amount_mismatch"
)

// Difference is one line of a reconciliation report.
type Difference struct {
	Kind      DiffKind
	LineKind  LineKind
	OrderID   string
	RefundNo  string
	OursFen   int64
	TheirsFen int64
}

func (d Difference) String() string {
	id := d.OrderID
	if d.LineKind == LineRefund {
		id = d.RefundNo
	}
	return fmt.Sprintf("%s %s %s ours=%d provider=%d", d.Kind, d.LineKind, id, d.OursFen, d.TheirsFen)
}

// chinaZone is the zone providers cut their daily statements in (UTC+8).
var chinaZone = time.FixedZone("CST", 8*3600)

// ChinaDay is the [from, to) of a day (YYYY-MM-DD) in China time, the day a
// provider's statement covers.
func ChinaDay(day string) (from, to time.Time, err error) {
	from, err = time.ParseInLocation("2006-01-02", day, chinaZone)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("day %q: want YYYY-MM-DD", day)
	}
	return from, from.AddDate(0, 0, 1), nil
}

// Reconcile compares a provider's statement of a day with our orders credited and
// refunds succeeded that day (at that provider): what one side has and the other
// lacks, and amounts that differ. The report is ordered (kind, then id).
func Reconcile(lines []StatementLine, credited []orders.Order, refunds []orders.Refund) []Difference {
	type key struct {
		kind LineKind
		id   string
	}
	theirs := map[key]StatementLine{}
	for _, l := range lines {
		k := key{l.Kind, l.OrderID}
		if l.Kind == LineRefund {
			k.id = l.RefundNo
		}
		theirs[k] = l
	}
	var out []Difference
	seen := map[key]bool{}
	check := func(k key, orderID, refundNo string, ours int64) {
		seen[k] = true
		l, ok := theirs[k]
		switch {
		case !ok:
			out = append(out, Difference{Kind: MissingAtProvider, LineKind: k.kind, OrderID: orderID, RefundNo: refundNo, OursFen: ours})
		case l.AmountFen != ours:
			out = append(out, Difference{Kind: AmountMismatch, LineKind: k.kind, OrderID: orderID, RefundNo: refundNo,
				OursFen: ours, TheirsFen: l.AmountFen})
		}
	}
	for _, o := range credited {
		check(key{LinePayment, o.OrderID}, o.OrderID, "", o.AmountFen)
	}
	for _, r := range refunds {
		check(key{LineRefund, r.RefundNo}, r.OrderID, r.RefundNo, r.AmountFen)
	}
	for k, l := range theirs {
		if !seen[k] {
			out = append(out, Difference{Kind: MissingAtUs, LineKind: l.Kind, OrderID: l.OrderID, RefundNo: l.RefundNo, TheirsFen: l.AmountFen})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].OrderID+out[i].RefundNo < out[j].OrderID+out[j].RefundNo
	})
	return out
}
