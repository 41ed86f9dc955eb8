package alipay_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/onecode/onecode/gateway/alipay"
)

// gbkZip zips files (name → UTF-8 text) encoded in GBK, as Alipay serves its bills.
func gbkZip(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, text := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParseTradeBillGolden: the trade bill zip in Alipay's published layout (GBK CSV,
// "#" comment lines, tab-padded fields, a 汇总 file beside the 业务明细 one) gives one
// payment and one refund (its negative amount read as paid back).
func TestParseTradeBillGolden(t *testing.T) {
	detail, err := os.ReadFile("testdata/trade_bill_detail.csv")
	if err != nil {
		t.Fatal(err)
	}
	zipped := gbkZip(t, map[string]string{
		"20881234567890120156_20261204_业务明细(汇总).csv": "#支付宝业务汇总查询\n门店编号,门店名称,交易订单总笔数\n",
		"20881234567890120156_20261204_业务明细.csv":     string(detail),
	})
	lines, err := alipay.ParseTradeBill(zipped)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(lines)
	want := "[{payment R20261204000000001  5000 2026120422001404430500000001} {refund R20261204000000001 F20261204000000001 1000 2026120422001404430500000001}]"
	if got != want {
		t.Fatalf("lines\n got %s\nwant %s", got, want)
	}
	for _, bad := range [][]byte{nil, []byte("not a zip"), gbkZip(t, map[string]string{"x.csv": "a,b\n"})} {
		if _, err := alipay.ParseTradeBill(bad); !errors.Is(err, alipay.ErrBadBill) {
			t.Errorf("bad bill: %v", err)
		}
	}
}
