package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fraction is a probability in per mille (0…1000).
type Fraction uint16

// ParseFraction reads "0.25", ".5", "1", "25%" or "12.5%" without floats.
func ParseFraction(s string) (Fraction, error) {
	s = strings.TrimSpace(s)
	scale := 1000 // per mille per unit
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, scale = t, 10
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("sandbox: fraction %q", s)
	}
	w := 0
	if strings.Trim(whole, "0123456789") != "" {
		return 0, fmt.Errorf("sandbox: fraction %q", s)
	}
	if whole != "" {
		var err error
		if w, err = strconv.Atoi(whole); err != nil || w < 0 || w > 1000 {
			return 0, fmt.Errorf("sandbox: fraction %q", s)
		}
	}
	pm := w * scale
	// Fractional digits: each one is worth scale/10, scale/100, … per mille.
	unit := scale * 1000 // in millionths of a per mille step to stay integral
	acc := 0
	for i, r := range frac {
		if r < '0' || r > '9' || i >= 6 {
			return 0, fmt.Errorf("sandbox: fraction %q", s)
		}
		unit /= 10
		acc += int(r-'0') * unit
	}
	pm += acc / 1000
	if pm > 1000 {
		return 0, fmt.Errorf("sandbox: fraction %q is more than 1", s)
	}
	return Fraction(pm), nil
}

// String renders the fraction as a decimal ("0.25").
func (f Fraction) String() string {
	s := strings.TrimRight(fmt.Sprintf("%d.%03d", f/1000, f%1000), "0")
	return strings.TrimSuffix(s, ".")
}

// MarshalJSON writes the fraction as a JSON number.
func (f Fraction) MarshalJSON() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalJSON reads a JSON number or string.
func (f *Fraction) UnmarshalJSON(b []byte) error {
	s := string(b)
	if u, err := strconv.Unquote(s); err == nil {
		s = u
	}
	v, err := ParseFraction(s)
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Duration is a time.Duration written as "250ms" in JSON.
type Duration time.Duration

// MarshalJSON writes "250ms".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "250ms".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Faults are the injected misbehaviours (see the package doc).
type Faults struct {
	Latency     Duration   `json:"latency"`
	FailRate    Fraction   `json:"fail_rate"`
	DropNotify  Fraction   `json:"drop_notify"`
	DupNotify   int        `json:"dup_notify"`
	Reorder     bool       `json:"reorder"`
	RetryLadder []Duration `json:"retry_ladder"`
}

// Bounds of the faults.
const (
	maxLatency     = time.Minute
	maxDup         = 100
	maxLadder      = 16
	maxLadderDelay = time.Hour
)

// DefaultRetryLadder is the delivery ladder when none is configured.
func DefaultRetryLadder() []Duration {
	return []Duration{0, Duration(time.Second), Duration(2 * time.Second), Duration(5 * time.Second),
		Duration(10 * time.Second), Duration(30 * time.Second), Duration(time.Minute), Duration(5 * time.Minute)}
}

// ParseLadder reads "0s,1s,2s".
func ParseLadder(s string) ([]Duration, error) {
	var out []Duration
	for part := range strings.SplitSeq(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("sandbox: retry ladder %q: %w", s, err)
		}
		out = append(out, Duration(d))
	}
	return out, nil
}

// normalize fills defaults and checks bounds.
func (f Faults) normalize() (Faults, error) {
	if f.DupNotify == 0 {
		f.DupNotify = 1
	}
	if len(f.RetryLadder) == 0 {
		f.RetryLadder = DefaultRetryLadder()
	}
	switch {
	case f.Latency < 0 || time.Duration(f.Latency) > maxLatency:
		return f, fmt.Errorf("sandbox: latency must be within 0…%s", maxLatency)
	case f.FailRate > 1000 || f.DropNotify > 1000:
		return f, errors.New("sandbox: fractions must be within 0…1")
	case f.DupNotify < 1 || f.DupNotify > maxDup:
		return f, fmt.Errorf("sandbox: dup_notify must be within 1…%d", maxDup)
	case len(f.RetryLadder) > maxLadder:
		return f, fmt.Errorf("sandbox: retry ladder has more than %d steps", maxLadder)
	}
	for _, d := range f.RetryLadder {
		if d < 0 || time.Duration(d) > maxLadderDelay {
			return f, fmt.Errorf("sandbox: retry ladder steps must be within 0…%s", maxLadderDelay)
		}
	}
	f.RetryLadder = append([]Duration(nil), f.RetryLadder...)
	return f, nil
}
