package loaddriver

import (
	"math"
	"time"
)

// Histogram is a bounded latency histogram: log buckets 1% wide from 1 µs to ~100 s
// (quantiles are exact to 1%); longer latencies land in the last bucket.
type Histogram struct {
	counts []int64
	n      int64
	sum    time.Duration
	max    time.Duration
}

const (
	histBuckets = 1900
	histBase    = 1.01
	histMin     = time.Microsecond
)

var histLogBase = math.Log(histBase)

func bucketOf(d time.Duration) int {
	if d <= histMin {
		return 0
	}
	i := int(math.Log(float64(d)/float64(histMin))/histLogBase) + 1
	return min(i, histBuckets-1)
}

// upper is the upper bound of bucket i.
func upper(i int) time.Duration {
	return time.Duration(float64(histMin) * math.Pow(histBase, float64(i)))
}

// Add records one latency.
func (h *Histogram) Add(d time.Duration) {
	if h.counts == nil {
		h.counts = make([]int64, histBuckets)
	}
	h.counts[bucketOf(d)]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

// Merge adds o into h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	if h.counts == nil {
		h.counts = make([]int64, histBuckets)
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// Count is the latencies recorded.
func (h *Histogram) Count() int64 { return h.n }

// Max is the largest latency recorded.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean is the mean latency.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Quantile returns the latency at quantile q (0..1), within 1% (never above Max).
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			if i == histBuckets-1 {
				return h.max // the overflow bucket has no upper bound
			}
			return min(upper(i), h.max)
		}
	}
	return h.max
}
