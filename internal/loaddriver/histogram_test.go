package loaddriver

import (
	"context"
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	var h, other Histogram
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i) * time.Millisecond
		if i%2 == 0 {
			h.Add(d)
		} else {
			other.Add(d)
		}
	}
	h.Merge(&other)
	if h.Count() != 1000 || h.Max() != time.Second {
		t.Fatalf("count %d max %s", h.Count(), h.Max())
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {0.999, 999 * time.Millisecond}, {1, time.Second}} {
		got := h.Quantile(c.q)
		if got < c.want || float64(got) > float64(c.want)*1.011 {
			t.Errorf("q%.3f = %s, want %s within 1%%", c.q, got, c.want)
		}
	}
	var empty Histogram
	if empty.Quantile(0.99) != 0 || empty.Mean() != 0 {
		t.Fatal("empty histogram is not zero")
	}
	// Out of range values land in the end buckets and never exceed Max.
	var edge Histogram
	edge.Add(0)
	edge.Add(time.Hour)
	if edge.Quantile(1) != time.Hour || edge.Quantile(0.5) > time.Microsecond {
		t.Fatalf("edge quantiles %s %s", edge.Quantile(0.5), edge.Quantile(1))
	}
}

func TestRunNeedsAnEnd(t *testing.T) {
	d, err := New(&School{Pupils: []Pupil{{AccountID: "a"}}, Terminals: []TerminalCred{{ID: "T"}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(context.Background(), nil, Plan{}); err == nil {
		t.Fatal("a Run without an end was accepted")
	}
	if _, err := New(&School{}, Options{}); err == nil {
		t.Fatal("a school without pupils was accepted")
	}
}
