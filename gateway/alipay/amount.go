package alipay

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxFen bounds amounts: Alipay accepts up to 100000000.00 yuan.
const maxFen = 100_000_000 * 100

// Yuan renders fen as Alipay's total_amount: yuan with exactly two decimals.
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// errAmount: not an Alipay amount.
var errAmount = errors.New("alipay: not an amount in yuan")

// ParseYuan reads an Alipay amount ("0.01", "88.8", "100") into fen exactly, with no
// floats: digits, then at most two decimals; no sign, no exponent, no spaces.
func ParseYuan(s string) (int64, error) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 9 || len(frac) > 2 || (dot && frac == "") || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("%w: %q", errAmount, s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", errAmount, s)
	}
	frac += "00"[len(frac):]
	f, _ := strconv.ParseInt(frac, 10, 64)
	fen := w*100 + f
	if fen > maxFen {
		return 0, fmt.Errorf("%w: %q is too large", errAmount, s)
	}
	return fen, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// yuanText is an amount in an answer: Alipay sends strings ("88.88"); its
// documentation's examples show bare numbers (88.88). Both are read as their text,
// never through a float.
type yuanText string

// UnmarshalJSON implements json.Unmarshaler.
func (y *yuanText) UnmarshalJSON(b []byte) error {
	s := string(b)
	if u, err := strconv.Unquote(s); err == nil {
		s = u
	}
	*y = yuanText(s)
	return nil
}
