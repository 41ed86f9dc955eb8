package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// PerMille is a probability in thousandths (0…1000).
type PerMille uint16

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

// Faults are the injected misbehaviours.
type Faults struct {
	// Latency delays every API answer (a latency beyond the client's deadline is a
	// timeout).
	Latency Duration `json:"latency"`
	// FailRate: calls answered 503 before anything is done.
	FailRate PerMille `json:"fail_rate"`
	// LoseRate: calls processed, then answered 502 (the outcome is not known).
	LoseRate PerMille `json:"lose_rate"`
	// SystemErrorRate: calls answered a signed 40004 ACQ.SYSTEM_ERROR, not processed.
	SystemErrorRate PerMille `json:"system_error_rate"`
	// DropNotify: notifications never sent.
	DropNotify PerMille `json:"drop_notify"`
	// DupNotify: copies of each notification sent (default 1).
	DupNotify int `json:"dup_notify"`
	// RetryLadder: delays before each delivery attempt of a copy (default Alipay's
	// 0, 4m, 10m, 10m, 1h, 2h, 6h, 15h).
	RetryLadder []Duration `json:"retry_ladder"`
}

// DefaultRetryLadder is Alipay's documented notification schedule.
func DefaultRetryLadder() []Duration {
	m := func(n int) Duration { return Duration(time.Duration(n) * time.Minute) }
	return []Duration{0, m(4), m(10), m(10), m(60), m(120), m(360), m(900)}
}

func (f Faults) normalize() (Faults, error) {
	if f.DupNotify == 0 {
		f.DupNotify = 1
	}
	if len(f.RetryLadder) == 0 {
		f.RetryLadder = DefaultRetryLadder()
	}
	switch {
	case f.Latency < 0 || time.Duration(f.Latency) > time.Minute:
		return f, errors.New("sandbox: latency must be within 0…1m")
	case f.FailRate > 1000 || f.LoseRate > 1000 || f.SystemErrorRate > 1000 || f.DropNotify > 1000:
		return f, errors.New("sandbox: rates are per mille, 0…1000")
	case f.DupNotify < 1 || f.DupNotify > 100:
		return f, errors.New("sandbox: dup_notify must be within 1…100")
	case len(f.RetryLadder) > 16:
		return f, errors.New("sandbox: retry ladder has more than 16 steps")
	}
	for _, d := range f.RetryLadder {
		if d < 0 || time.Duration(d) > 24*time.Hour {
			return f, fmt.Errorf("sandbox: retry ladder step %s out of 0…24h", time.Duration(d))
		}
	}
	f.RetryLadder = append([]Duration(nil), f.RetryLadder...)
	return f, nil
}
