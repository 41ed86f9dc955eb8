package aggregator

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // WeChat Pay names SHA1 as the bill's hash_type
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/onecode/onecode/app/recharge"
)

// ErrBadBill: a trade bill that is not WeChat Pay's documented format, or whose
// hash does not match the one the bill API answered.
var ErrBadBill = errors.New("aggregator: bad trade bill")

// maxBillBytes bounds a downloaded daily bill.
const maxBillBytes = 64 << 20

// CheckBillHash checks a downloaded bill against the hash_type and hash_value that
// GET /v3/bill/tradebill answered with its download_url (SHA1, hex).
func CheckBillHash(body []byte, hashType, hashValue string) error {
	if !strings.EqualFold(hashType, "SHA1") {
		return fmt.Errorf("%w: hash_type %q", ErrBadBill, hashType)
	}
	sum := sha1.Sum(body) //nolint:gosec // the documented hash of the bill
	if !strings.EqualFold(hex.EncodeToString(sum[:]), hashValue) {
		return fmt.Errorf("%w: the hash does not match", ErrBadBill)
	}
	return nil
}

// The tradebill columns OneCode reads (bill_type ALL), by their documented headers.
const (
	colOutTradeNo   = "商户订单号"
	colTxID         = "微信订单号"
	colState        = "交易状态"
	colSettled      = "应结订单金额"
	colOutRefundNo  = "商户退款单号"
	colRefundAmount = "退款金额"
)

// ParseTradeBill reads a WeChat Pay daily trade bill (bill_type ALL): the header
// row, one row per payment (交易状态 SUCCESS) or refund (REFUND), every field
// prefixed with a backtick, then the summary rows (总交易单数…), which are skipped.
// Amounts are yuan with two decimals.
func ParseTradeBill(r io.Reader) ([]recharge.StatementLine, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxBillBytes))
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: no header: %v", ErrBadBill, err)
	}
	col, err := recharge.StatementColumns(header, colOutTradeNo, colTxID, colState, colSettled, colOutRefundNo, colRefundAmount)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadBill, err)
	}
	var out []recharge.StatementLine
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: row %d: %v", ErrBadBill, row, err)
		}
		if len(rec) > 0 && strings.HasPrefix(rec[0], "总") {
			return out, nil // the summary
		}
		if len(rec) != len(header) {
			return nil, fmt.Errorf("%w: row %d has %d fields, want %d", ErrBadBill, row, len(rec), len(header))
		}
		f := func(name string) string { return strings.TrimPrefix(strings.TrimSpace(rec[col[name]]), "`") }
		l := recharge.StatementLine{OrderID: f(colOutTradeNo), TransactionID: f(colTxID)}
		amount := colSettled
		switch f(colState) {
		case "SUCCESS":
			l.Kind = recharge.LinePayment
		case "REFUND":
			l.Kind, l.RefundNo, amount = recharge.LineRefund, f(colOutRefundNo), colRefundAmount
		default:
			continue // REVOKED and the like move no money
		}
		if l.AmountFen, err = parseBillYuan(f(amount)); err != nil || l.OrderID == "" {
			return nil, fmt.Errorf("%w: row %d: amount %q, order %q", ErrBadBill, row, f(amount), l.OrderID)
		}
		out = append(out, l)
	}
}

// parseBillYuan reads "12.30" (at most two decimals, no sign) into fen.
func parseBillYuan(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" || len(whole) > 9 {
		return 0, ErrBadBill
	}
	frac += "00"[len(frac):]
	w, err1 := strconv.ParseUint(whole, 10, 63)
	f, err2 := strconv.ParseUint(frac, 10, 63)
	if err1 != nil || err2 != nil {
		return 0, ErrBadBill
	}
	return int64(w*100 + f), nil
}

// billAnswer is GET /v3/bill/tradebill's answer.
type billAnswer struct {
	HashType    string `json:"hash_type"`
	HashValue   string `json:"hash_value"`
	DownloadURL string `json:"download_url"`
}

// TradeBill downloads the merchant's trade bill (bill_type ALL) of a China day
// (YYYY-MM-DD; the sub-merchant's in partner mode), checks its SHA1 and parses it.
func (c *Client) TradeBill(ctx context.Context, m Merchant, day string) ([]recharge.StatementLine, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return nil, fmt.Errorf("%w: bill_date %q", ErrBadBill, day)
	}
	q := url.Values{"bill_date": {day}, "bill_type": {"ALL"}}
	if m.Mode == ModePartner {
		q.Set("sub_mchid", m.SubMchID)
	}
	var ans billAnswer
	if err := c.call(ctx, OpStatement, http.MethodGet, "/v3/bill/tradebill?"+encodeOrdered(q, "bill_date", "sub_mchid", "bill_type"), nil, &ans); err != nil {
		return nil, err
	}
	u, err := url.Parse(ans.DownloadURL)
	if err != nil || u.Path != "/v3/billdownload/file" {
		return nil, fmt.Errorf("%w: download_url %q", ErrBadBill, ans.DownloadURL)
	}
	rep, err := c.exchange(ctx, OpStatement, http.MethodGet, u.RequestURI(), nil)
	if err != nil {
		return nil, err
	}
	if err := CheckBillHash(rep.body, ans.HashType, ans.HashValue); err != nil {
		return nil, err
	}
	return ParseTradeBill(bytes.NewReader(rep.body))
}
