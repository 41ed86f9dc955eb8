package journal

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// BatchSizeBuckets are the upper bounds (appends) of the batch-size histogram of
// WriterStats; a last, implicit bucket holds larger batches.
var BatchSizeBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}

// FlushBuckets are the upper bounds (seconds) of the flush-latency histogram of
// WriterStats (one AppendBatch: write and commit).
var FlushBuckets = []float64{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// WriterStats are a Writer's running totals and present state, for metrics and the
// ops API.
type WriterStats struct {
	Batches   int64         // AppendBatch calls
	Appends   int64         // appends in them
	FlushTime time.Duration // time spent in AppendBatch
	// FailedBatches are batches the store failed as a whole (their appends answered
	// ErrUnknownOutcome); Rejected are appends refused because the queue stayed full.
	FailedBatches int64
	Rejected      int64
	// QueueDepth is the appends waiting for a flusher now, of QueueCapacity.
	QueueDepth    int
	QueueCapacity int
	// BatchSizes and FlushLatency count batches per bucket (not cumulative):
	// BatchSizes[i] ≤ BatchSizeBuckets[i], FlushLatency[i] ≤ FlushBuckets[i], and one
	// more bucket each for the rest.
	BatchSizes   []int64
	FlushLatency []int64
	// LastError is the last batch failure, at LastErrorAt (empty: none yet).
	LastError   string
	LastErrorAt time.Time
}

// writerStats is the Writer's bookkeeping behind WriterStats.
type writerStats struct {
	batches, appends, flushNanos, failed, rejected atomic.Int64
	sizes                                          [14]atomic.Int64 // len(BatchSizeBuckets)+1
	latency                                        [15]atomic.Int64 // len(FlushBuckets)+1

	mu        sync.Mutex
	lastErr   string
	lastErrAt time.Time
}

// observe records one flushed batch of n appends that took d; failure is the
// batch's store failure, if any.
func (s *writerStats) observe(n int, d time.Duration, failure error, now time.Time) {
	s.flushNanos.Add(int64(d))
	s.batches.Add(1)
	s.appends.Add(int64(n))
	s.sizes[bucket(BatchSizeBuckets, float64(n))].Add(1)
	s.latency[bucket(FlushBuckets, d.Seconds())].Add(1)
	if failure != nil {
		s.failed.Add(1)
		s.mu.Lock()
		s.lastErr, s.lastErrAt = failure.Error(), now
		s.mu.Unlock()
	}
}

// bucket is the index of the first bound ≥ v, or len(bounds).
func bucket(bounds []float64, v float64) int {
	for i, b := range bounds {
		if v <= b {
			return i
		}
	}
	return len(bounds)
}

// batchFailure is the first error of errs that is not a definite per-append outcome
// (a store failure of the whole transaction), or nil.
func batchFailure(errs []error) error {
	for _, err := range errs {
		switch {
		case err == nil, errors.Is(err, ErrSeqConflict), errors.Is(err, ErrDuplicateKey), errors.Is(err, ErrInvalid):
		default:
			return err
		}
	}
	return nil
}

// Stats returns the running totals and the queue's present depth.
func (w *Writer) Stats() WriterStats {
	s := &w.stats
	out := WriterStats{
		Batches: s.batches.Load(), Appends: s.appends.Load(), FlushTime: time.Duration(s.flushNanos.Load()),
		FailedBatches: s.failed.Load(), Rejected: s.rejected.Load(),
		QueueDepth: len(w.queue), QueueCapacity: cap(w.queue),
		BatchSizes: make([]int64, len(s.sizes)), FlushLatency: make([]int64, len(s.latency)),
	}
	for i := range s.sizes {
		out.BatchSizes[i] = s.sizes[i].Load()
	}
	for i := range s.latency {
		out.FlushLatency[i] = s.latency[i].Load()
	}
	s.mu.Lock()
	out.LastError, out.LastErrorAt = s.lastErr, s.lastErrAt
	s.mu.Unlock()
	return out
}
