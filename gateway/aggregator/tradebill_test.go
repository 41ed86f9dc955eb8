package aggregator_test

import (
	"crypto/sha1" //nolint:gosec // the bill API's documented hash
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/onecode/onecode/gateway/aggregator"
)

// TestParseTradeBillGolden: a daily trade bill (bill_type ALL) in WeChat Pay's
// published layout (backtick-prefixed fields, the summary rows at the end) gives one
// payment and one refund; a revoked order moves no money; the SHA1 of the file is
// checked as the bill API answers it.
func TestParseTradeBillGolden(t *testing.T) {
	body, err := os.ReadFile("testdata/tradebill_all.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := aggregator.ParseTradeBill(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(lines)
	want := "[{payment 1415640626  1 1001690740201411100005734289} {refund 1415640626 1415640626R1 1 1001690740201411100005734289}]"
	if got != want {
		t.Fatalf("lines\n got %s\nwant %s", got, want)
	}
	sum := sha1.Sum(body) //nolint:gosec
	if err := aggregator.CheckBillHash(body, "SHA1", hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	if err := aggregator.CheckBillHash(append(body, ' '), "SHA1", hex.EncodeToString(sum[:])); !errors.Is(err, aggregator.ErrBadBill) {
		t.Fatalf("a tampered bill: %v", err)
	}
	for _, bad := range []string{"", "a,b\n1,2\n", strings.Replace(string(body), "`0.01,`0.00,`0,`0", "`x,`0.00,`0,`0", 1)} {
		if _, err := aggregator.ParseTradeBill(strings.NewReader(bad)); !errors.Is(err, aggregator.ErrBadBill) {
			t.Errorf("bad bill %.30q: %v", bad, err)
		}
	}
}
