package alipay

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

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
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, h := range []string{billTradeNo, billOutTrade, billType, billAmount, billRequestNo} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("%w: no column %s", ErrBadBill, h)
		}
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
