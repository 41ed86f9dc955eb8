package alipay

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/onecode/onecode/app/recharge"
)

// ErrBadBill: not Alipay's documented trade bill (a zip of GBK CSV files).
var ErrBadBill = errors.New("alipay: bad trade bill")

// maxBillBytes bounds a downloaded bill and each file in it.
const maxBillBytes = 64 << 20

// The 业务明细 columns OneCode reads, by their documented headers.
const (
	billTradeNo   = "支付宝交易号"
	billOutTrade  = "商户订单号"
	billType      = "业务类型"
	billAmount    = "订单金额（元）"
	billRequestNo = "退款批次号/请求号"
)

// ParseTradeBill reads the zip that alipay.data.dataservice.bill.downloadurl.query's
// bill_download_url serves (bill_type trade): of its GBK CSV files, the detail one
// (业务明细, not 汇总), whose "#" lines are comments; 业务类型 交易 is a payment and
// 退款 a refund (its amount negative, its out_request_no in 退款批次号/请求号).
func ParseTradeBill(zipped []byte) ([]recharge.StatementLine, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadBill, err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadBill, err)
		}
		raw, err := io.ReadAll(io.LimitReader(rc, maxBillBytes))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadBill, err)
		}
		text, err := simplifiedchinese.GBK.NewDecoder().Bytes(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: not GBK: %v", ErrBadBill, err)
		}
		if bytes.Contains(text, []byte(billTradeNo+",")) && bytes.Contains(text, []byte(billType)) {
			return parseBillDetail(text)
		}
	}
	return nil, fmt.Errorf("%w: no 业务明细 file in the zip", ErrBadBill)
}

func parseBillDetail(text []byte) ([]recharge.StatementLine, error) {
	var data bytes.Buffer
	for _, line := range strings.Split(string(text), "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			data.WriteString(t + "\n")
		}
	}
	cr := csv.NewReader(&data)
	cr.FieldsPerRecord, cr.LazyQuotes = -1, true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: no header", ErrBadBill)
	}
	col, err := recharge.StatementColumns(header, billTradeNo, billOutTrade, billType, billAmount, billRequestNo)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadBill, err)
	}
	var out []recharge.StatementLine
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil || len(rec) != len(header) {
			return nil, fmt.Errorf("%w: row %d", ErrBadBill, row)
		}
		f := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
		l := recharge.StatementLine{OrderID: f(billOutTrade), TransactionID: f(billTradeNo)}
		switch f(billType) {
		case "交易":
			l.Kind = recharge.LinePayment
		case "退款":
			l.Kind, l.RefundNo = recharge.LineRefund, f(billRequestNo)
		default:
			continue
		}
		if l.AmountFen, err = ParseYuan(strings.TrimPrefix(f(billAmount), "-")); err != nil || l.OrderID == "" {
			return nil, fmt.Errorf("%w: row %d: amount %q", ErrBadBill, row, f(billAmount))
		}
		out = append(out, l)
	}
}

// Statement implements recharge.Statements: the trade bill of a China day
// (YYYY-MM-DD), its download URL asked with alipay.data.dataservice.bill.downloadurl.query,
// the zip downloaded and parsed.
func (c *Client) Statement(ctx context.Context, day string) ([]recharge.StatementLine, error) {
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return nil, fmt.Errorf("%w: bill_date %q", ErrBadBill, day)
	}
	raw, err := c.call(ctx, OpStatement, MethodBillURL, map[string]string{"bill_type": "trade", "bill_date": day})
	if err != nil {
		return nil, err
	}
	var ans struct {
		URL string `json:"bill_download_url"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil || !strings.HasPrefix(ans.URL, "http") {
		return nil, fmt.Errorf("%w: bill_download_url %q", ErrBadBill, ans.URL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ans.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadBill, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: bill download: %w", ErrTemporary, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: bill download: HTTP %d", ErrTemporary, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBillBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: bill download: %w", ErrTemporary, err)
	}
	return ParseTradeBill(body)
}
