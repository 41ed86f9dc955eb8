package money

import (
	"errors"
	"math"
	"testing"

	"pgregory.net/rapid"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Amount
		wantErr error
	}{
		{"12.34", 1234, nil},
		{"12", 1200, nil},
		{"12.3", 1230, nil},
		{"-0.05", -5, nil},
		{"0", 0, nil},
		{"-0", 0, nil},
		{"0.00", 0, nil},
		{"007.10", 710, nil},
		{"92233720368547758.07", math.MaxInt64, nil},
		{"-92233720368547758.08", math.MinInt64, nil},
		{"92233720368547758.08", 0, ErrOverflow},
		{"-92233720368547758.09", 0, ErrOverflow},
		{"99999999999999999999999999", 0, ErrOverflow},
		{"1.234", 0, ErrFormat},
		{"", 0, ErrFormat},
		{"-", 0, ErrFormat},
		{"abc", 0, ErrFormat},
		{"1e3", 0, ErrFormat},
		{"+1", 0, ErrFormat},
		{" 1", 0, ErrFormat},
		{"1 ", 0, ErrFormat},
		{"1.", 0, ErrFormat},
		{".5", 0, ErrFormat},
		{"1.2.3", 0, ErrFormat},
		{"--1", 0, ErrFormat},
		{"1,00", 0, ErrFormat},
		{"１", 0, ErrFormat},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("Parse(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseNonNegative(t *testing.T) {
	tests := []struct {
		in      string
		want    Amount
		wantErr error
	}{
		{"1.00", 100, nil},
		{"0", 0, nil},
		{"-0.01", 0, ErrNegative},
		{"x", 0, ErrFormat},
	}
	for _, tt := range tests {
		got, err := ParseNonNegative(tt.in)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("ParseNonNegative(%q) = %d, %v, want %d, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		in   Amount
		want string
	}{
		{1234, "12.34"},
		{-5, "-0.05"},
		{0, "0.00"},
		{1, "0.01"},
		{-100, "-1.00"},
		{120, "1.20"},
		{math.MaxInt64, "92233720368547758.07"},
		{math.MinInt64, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Amount(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}

func TestArithmetic(t *testing.T) {
	const max, min = Amount(math.MaxInt64), Amount(math.MinInt64)
	tests := []struct {
		name    string
		op      func() (Amount, error)
		want    Amount
		wantErr error
	}{
		{"add", func() (Amount, error) { return Amount(5).Add(7) }, 12, nil},
		{"add negative", func() (Amount, error) { return Amount(5).Add(-7) }, -2, nil},
		{"add overflow", func() (Amount, error) { return max.Add(1) }, 0, ErrOverflow},
		{"add underflow", func() (Amount, error) { return min.Add(-1) }, 0, ErrOverflow},
		{"add edge", func() (Amount, error) { return max.Add(min) }, -1, nil},
		{"sub", func() (Amount, error) { return Amount(5).Sub(7) }, -2, nil},
		{"sub overflow", func() (Amount, error) { return max.Sub(-1) }, 0, ErrOverflow},
		{"sub underflow", func() (Amount, error) { return min.Sub(1) }, 0, ErrOverflow},
		{"sub zero minus min", func() (Amount, error) { return Amount(0).Sub(min) }, 0, ErrOverflow},
		{"neg", func() (Amount, error) { return Amount(5).Neg() }, -5, nil},
		{"neg max", func() (Amount, error) { return max.Neg() }, -max, nil},
		{"neg min", func() (Amount, error) { return min.Neg() }, 0, ErrOverflow},
		{"mul", func() (Amount, error) { return Amount(250).Mul(3) }, 750, nil},
		{"mul zero", func() (Amount, error) { return min.Mul(0) }, 0, nil},
		{"mul negative", func() (Amount, error) { return Amount(250).Mul(-3) }, -750, nil},
		{"mul overflow", func() (Amount, error) { return max.Mul(2) }, 0, ErrOverflow},
		{"mul min by -1", func() (Amount, error) { return min.Mul(-1) }, 0, ErrOverflow},
		{"mul -1 by min", func() (Amount, error) { return Amount(-1).Mul(math.MinInt64) }, 0, ErrOverflow},
		{"mul min by 1", func() (Amount, error) { return min.Mul(1) }, min, nil},
	}
	for _, tt := range tests {
		got, err := tt.op()
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("%s = %d, %v, want %d, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPositiveNegative(t *testing.T) {
	tests := []struct {
		in           Amount
		wantPositive bool
		wantNegative bool
	}{
		{1, true, false},
		{0, false, false},
		{-1, false, true},
	}
	for _, tt := range tests {
		if got := tt.in.Positive(); got != tt.wantPositive {
			t.Errorf("Amount(%d).Positive() = %v, want %v", int64(tt.in), got, tt.wantPositive)
		}
		if got := tt.in.Negative(); got != tt.wantNegative {
			t.Errorf("Amount(%d).Negative() = %v, want %v", int64(tt.in), got, tt.wantNegative)
		}
	}
}

// TestArithmeticProperties checks that a checked operation returns a result
// exactly when it fits, and that String and Parse are inverses.
func TestArithmeticProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := Amount(rapid.Int64().Draw(t, "a"))
		b := Amount(rapid.Int64().Draw(t, "b"))
		if s, err := a.Add(b); err == nil {
			if back, err := s.Sub(b); err != nil || back != a {
				t.Fatalf("(%d+%d)-%d = %d, %v", a, b, b, back, err)
			}
		} else if fits := (b > 0 && a <= math.MaxInt64-b) || (b <= 0 && a >= math.MinInt64-b); fits {
			t.Fatalf("%d+%d reported overflow", a, b)
		}
		n := rapid.Int64Range(-1000, 1000).Draw(t, "n")
		if p, err := a.Mul(n); err == nil && n != 0 && p/Amount(n) != a {
			t.Fatalf("%d*%d = %d", a, n, p)
		}
		if got, err := Parse(a.String()); err != nil || got != a {
			t.Fatalf("Parse(%q) = %d, %v", a.String(), got, err)
		}
	})
}

func FuzzParseString(f *testing.F) {
	for _, seed := range []int64{0, 1, -1, 5, -5, 1234, math.MaxInt64, math.MinInt64} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		a := Amount(n)
		got, err := Parse(a.String())
		if err != nil || got != a {
			t.Fatalf("Parse(%q) = %d, %v, want %d", a.String(), got, err, a)
		}
	})
}

// FuzzParse checks that whatever Parse accepts formats back to a canonical
// text that parses to the same amount, and that it never panics.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"12.34", "12", "12.3", "-0.05", "1.234", "", "abc", "1e3", "+1", " 1", "-92233720368547758.08"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrOverflow) {
				t.Fatalf("Parse(%q) unexpected error %v", s, err)
			}
			return
		}
		got, err := Parse(a.String())
		if err != nil || got != a {
			t.Fatalf("Parse(%q) = %d; reparse of %q = %d, %v", s, a, a.String(), got, err)
		}
	})
}
