package money

import (
	"errors"
	"math"
	"strconv"
)

// Amount is a sum of money in fen (0.01 CNY). It is signed: a negative
// amount is a debt or a debit, depending on where it is used.
type Amount int64

// Errors returned by this package.
var (
	// ErrFormat reports text that is not a decimal amount of the form
	// [-]digits[.d[d]] (no sign "+", no spaces, no exponent, at most two
	// decimals).
	ErrFormat = errors.New("money: malformed amount")
	// ErrOverflow reports a result outside the int64 range of fen.
	ErrOverflow = errors.New("money: amount overflow")
	// ErrNegative reports a negative amount where only zero or more is allowed.
	ErrNegative = errors.New("money: negative amount")
)

// Parse reads a decimal amount of CNY such as "12.34", "12", "12.3" or
// "-0.05" and returns it in fen. It rejects (ErrFormat) empty text, a
// leading "+", spaces, exponents, more than two decimals and a lone "."
// at either end; well-formed values outside the int64 range of fen report
// ErrOverflow.
func Parse(s string) (Amount, error) {
	if !isDecimal(s) {
		return 0, ErrFormat
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	whole, frac, _ := cut(s)
	var mag uint64
	for _, part := range []string{whole, pad(frac)} {
		for i := 0; i < len(part); i++ {
			if mag > (math.MaxUint64-9)/10 {
				return 0, ErrOverflow
			}
			mag = mag*10 + uint64(part[i]-'0')
		}
	}
	return fromMagnitude(mag, neg)
}

// ParseNonNegative is Parse that also rejects negative amounts with
// ErrNegative; it is meant for amounts typed by people (recharges, fees).
func ParseNonNegative(s string) (Amount, error) {
	a, err := Parse(s)
	if err != nil {
		return 0, err
	}
	if a < 0 {
		return 0, ErrNegative
	}
	return a, nil
}

func fromMagnitude(mag uint64, neg bool) (Amount, error) {
	switch {
	case !neg && mag <= math.MaxInt64:
		return Amount(mag), nil
	case neg && mag <= math.MaxInt64:
		return -Amount(mag), nil
	case neg && mag == math.MaxInt64+1:
		return math.MinInt64, nil
	default:
		return 0, ErrOverflow
	}
}

// cut splits s at its first '.'.
func cut(s string) (whole, frac string, hasDot bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// pad returns the fraction as exactly two digits.
func pad(frac string) string {
	return (frac + "00")[:2]
}

// isDecimal reports whether s has the form [-]digits[.d[d]].
func isDecimal(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	whole, frac, hasDot := cut(s)
	if whole == "" || (hasDot && (frac == "" || len(frac) > 2)) {
		return false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

// String formats a as CNY with exactly two decimals: "12.34", "-0.05",
// "0.00". Parse(a.String()) == a for every Amount.
func (a Amount) String() string {
	mag := uint64(a)
	if a < 0 {
		mag = -mag // two's complement: also right for math.MinInt64
	}
	digits := strconv.FormatUint(mag, 10)
	for len(digits) < 3 {
		digits = "0" + digits
	}
	n := len(digits)
	out := digits[:n-2] + "." + digits[n-2:]
	if a < 0 {
		return "-" + out
	}
	return out
}

// Positive reports whether a > 0.
func (a Amount) Positive() bool { return a > 0 }

// Negative reports whether a < 0.
func (a Amount) Negative() bool { return a < 0 }

// Add returns a + b, or ErrOverflow.
func (a Amount) Add(b Amount) (Amount, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, ErrOverflow
	}
	return s, nil
}

// Sub returns a - b, or ErrOverflow.
func (a Amount) Sub(b Amount) (Amount, error) {
	d := a - b
	if (b > 0 && d > a) || (b < 0 && d < a) {
		return 0, ErrOverflow
	}
	return d, nil
}

// Neg returns -a, or ErrOverflow for the most negative Amount.
func (a Amount) Neg() (Amount, error) {
	if a == math.MinInt64 {
		return 0, ErrOverflow
	}
	return -a, nil
}

// Mul returns a * n, or ErrOverflow.
func (a Amount) Mul(n int64) (Amount, error) {
	if a == 0 || n == 0 {
		return 0, nil
	}
	p := a * Amount(n)
	if p/Amount(n) != a || (a == -1 && n == math.MinInt64) || (n == -1 && a == math.MinInt64) {
		return 0, ErrOverflow
	}
	return p, nil
}
