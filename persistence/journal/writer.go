package journal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Writer bounds and defaults.
const (
	DefaultMaxBatch     = 256
	DefaultMaxDelay     = time.Millisecond
	MaxWriterDelay      = 50 * time.Millisecond
	MaxQueueSize        = 1 << 16
	DefaultFlushTimeout = 10 * time.Second
	DefaultFlushers     = 2
	MaxFlushers         = 16
	MaxFlushTimeout     = time.Minute
	// NoDelay as MaxDelay: a batch is what is queued when a flusher is free.
	NoDelay = time.Duration(-1)
)

// WriterOptions configure a Writer. Zero values take the defaults.
type WriterOptions struct {
	MaxBatch     int           // appends per transaction: default 256, at most 4096
	MaxDelay     time.Duration // wait after the first queued append: default 1ms, at most 50ms; NoDelay: none
	QueueSize    int           // queued appends: default 4×MaxBatch, at most 65536
	FlushTimeout time.Duration // deadline of one AppendBatch: default 10s, at most 1m
	// Flushers is how many batches may commit at once (default 2, at most 16): while
	// one waits for its COMMIT (fsync), the next fills. A grain has one append in
	// flight at a time, so concurrent batches never hold dependent appends; two
	// activations of one account meet at the (account, seq) key as always.
	Flushers int
}

func (o WriterOptions) withDefaults() (WriterOptions, error) {
	if o.MaxBatch == 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.MaxDelay == 0 {
		o.MaxDelay = DefaultMaxDelay
	}
	if o.QueueSize == 0 {
		o.QueueSize = 4 * o.MaxBatch
	}
	if o.FlushTimeout == 0 {
		o.FlushTimeout = DefaultFlushTimeout
	}
	if o.Flushers == 0 {
		o.Flushers = DefaultFlushers
	}
	switch {
	case o.MaxBatch < 1 || o.MaxBatch > MaxBatch:
		return o, invalid("writer MaxBatch %d, want 1..%d", o.MaxBatch, MaxBatch)
	case o.MaxDelay < NoDelay || o.MaxDelay > MaxWriterDelay:
		return o, invalid("writer MaxDelay %v, want NoDelay or 0..%v", o.MaxDelay, MaxWriterDelay)
	case o.QueueSize < 1 || o.QueueSize > MaxQueueSize:
		return o, invalid("writer QueueSize %d, want 1..%d", o.QueueSize, MaxQueueSize)
	case o.Flushers < 1 || o.Flushers > MaxFlushers:
		return o, invalid("writer Flushers %d, want 1..%d", o.Flushers, MaxFlushers)
	case o.FlushTimeout < 0 || o.FlushTimeout > MaxFlushTimeout:
		return o, invalid("writer FlushTimeout %v, want 0..%v", o.FlushTimeout, MaxFlushTimeout)
	}
	return o, nil
}

// Writer is the group-commit front of a Store: flusher goroutines (Flushers of
// them) collect appends from many callers into AppendBatch calls and hand each
// caller its own result.
type Writer struct {
	store Store
	opts  WriterOptions
	queue chan *request
	done  chan struct{} // closed when every flusher has exited

	mu     sync.RWMutex // guards closed against sends on a closed queue
	closed bool

	stats writerStats
}

type request struct {
	append Append
	result chan error // buffered 1: the flusher never blocks on a caller
}

// NewWriter starts a Writer over store. Close it to stop the flusher; it
// does not close the store.
func NewWriter(store Store, opts WriterOptions) (*Writer, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	w := &Writer{
		store: store,
		opts:  opts,
		queue: make(chan *request, opts.QueueSize),
		done:  make(chan struct{}),
	}
	var wg sync.WaitGroup
	for range opts.Flushers {
		wg.Add(1)
		go func() { defer wg.Done(); w.run() }()
	}
	go func() { wg.Wait(); close(w.done) }()
	return w, nil
}

// Append queues a and blocks until its transaction committed (nil) or
// failed. Failures are ErrSeqConflict, ErrDuplicateKey (*DuplicateError),
// ErrInvalid (nothing written), ErrQueueFull or ErrClosed (not queued), or
// ErrUnknownOutcome (the transaction may or may not have committed,
// including when ctx ends while the append is in flight).
func (w *Writer) Append(ctx context.Context, a Append) error {
	req := &request{append: a, result: make(chan error, 1)}
	if err := w.enqueue(ctx, req); err != nil {
		return err
	}
	select {
	case err := <-req.result:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrUnknownOutcome, ctx.Err())
	}
}

func (w *Writer) enqueue(ctx context.Context, req *request) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return ErrClosed
	}
	select {
	case w.queue <- req:
		return nil
	default:
	}
	select {
	case w.queue <- req:
		return nil
	case <-ctx.Done():
		w.stats.rejected.Add(1)
		return fmt.Errorf("%w: %w", ErrQueueFull, ctx.Err())
	}
}

// Close stops accepting appends, commits those already queued and waits for
// the flusher to exit. It is safe to call more than once.
func (w *Writer) Close() error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	<-w.done
	return nil
}

func (w *Writer) run() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	batch := make([]*request, 0, w.opts.MaxBatch)
	for {
		first, ok := <-w.queue
		if !ok {
			return
		}
		batch = append(batch[:0], first)
		open := w.collect(&batch, timer)
		w.flush(batch)
		clear(batch) // drop references to finished requests
		if !open {
			return
		}
	}
}

// collect adds the requests already queued to batch, then waits for more
// until it is full or MaxDelay has passed since the first. It reports whether
// the queue is still open.
func (w *Writer) collect(batch *[]*request, timer *time.Timer) bool {
drain:
	for len(*batch) < w.opts.MaxBatch {
		select {
		case r, ok := <-w.queue:
			if !ok {
				return false
			}
			*batch = append(*batch, r)
		default:
			break drain
		}
	}
	if w.opts.MaxDelay <= 0 || len(*batch) >= w.opts.MaxBatch {
		return true
	}
	timer.Reset(w.opts.MaxDelay)
	defer timer.Stop()
	for len(*batch) < w.opts.MaxBatch {
		select {
		case r, ok := <-w.queue:
			if !ok {
				return false
			}
			*batch = append(*batch, r)
		case <-timer.C:
			return true
		}
	}
	return true
}

func (w *Writer) flush(batch []*request) {
	appends := make([]Append, len(batch))
	for i, r := range batch {
		appends[i] = r.append
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.FlushTimeout)
	start := time.Now()
	errs := w.store.AppendBatch(ctx, appends)
	cancel()
	took := time.Since(start)
	if len(errs) != len(batch) {
		errs = Fill(len(batch), fmt.Errorf("%w: store returned %d results for %d appends",
			ErrUnknownOutcome, len(errs), len(batch)))
	}
	w.stats.observe(len(appends), took, batchFailure(errs), start.Add(took))
	for i, r := range batch {
		r.result <- classify(errs[i])
	}
}

// classify keeps definite outcomes and turns everything else into
// ErrUnknownOutcome wrapping the cause.
func classify(err error) error {
	switch {
	case err == nil,
		errors.Is(err, ErrSeqConflict),
		errors.Is(err, ErrDuplicateKey),
		errors.Is(err, ErrInvalid),
		errors.Is(err, ErrUnknownOutcome):
		return err
	default:
		return fmt.Errorf("%w: %w", ErrUnknownOutcome, err)
	}
}
