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

// TestServedSince: the first answer at or after a time, per account, over the
// terminals' kept records; the school's accounts in its order.
func TestServedSince(t *testing.T) {
	d, err := New(&School{Pupils: []Pupil{{AccountID: "a"}, {AccountID: "b"}, {AccountID: "c"}},
		Terminals: []TerminalCred{{ID: "T1"}, {ID: "T2"}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for _, r := range []struct {
		term    int
		account string
		s       int
	}{{0, "a", 1}, {0, "b", 3}, {0, "a", 5}, {1, "c", 2}, {1, "a", 4}, {1, "b", 6}} { // in time order per terminal
		d.keep(d.terms[r.term], Record{Terminal: d.terms[r.term].cred.ID, Account: r.account, At: at(r.s)})
	}
	got := d.ServedSince(at(3))
	want := map[string]time.Time{"a": at(4), "b": at(3)}
	if len(got) != len(want) || !got["a"].Equal(want["a"]) || !got["b"].Equal(want["b"]) {
		t.Errorf("ServedSince(+3s) = %v, want %v", got, want)
	}
	if got := d.ServedSince(at(7)); len(got) != 0 {
		t.Errorf("ServedSince(+7s) = %v, want none", got)
	}
	if got := d.Accounts(); len(got) != 3 || got[0] != "a" || got[2] != "c" {
		t.Errorf("Accounts = %v", got)
	}
}
