package loaddriver

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	"github.com/onecode/onecode/terminalclient"
)

// Driver bounds and defaults.
const (
	// DefaultPayTimeout bounds one Pay send (the switch gives up on an account command
	// after 15 s and answers OUTCOME_UNKNOWN).
	DefaultPayTimeout = 20 * time.Second
	// DefaultMaxRecords bounds the acknowledged payments kept (about 100 bytes each);
	// beyond it they are counted, not kept.
	DefaultMaxRecords = 4 << 20
	// DefaultBackoff is the wait after an unanswered send or a failed session open.
	DefaultBackoff = 50 * time.Millisecond
	// openTimeout bounds one session handshake.
	openTimeout = 10 * time.Second
	// maxLines is the most dishes of one payment.
	maxLines = 3
	// maxTicketQueue bounds the open-loop tickets waiting for a free terminal.
	maxTicketQueue = 4096
)

// Payment is one Pay of a terminal; its key is Terminal:Seq.
type Payment struct {
	Terminal string
	Seq      uint64
	Account  string
	CardQR   string
	Lines    []*apiv1.LineRef
	TotalFen int64
}

// Key is the payment's idempotency key in the journal.
func (p *Payment) Key() string { return fmt.Sprintf("%s:%d", p.Terminal, p.Seq) }

func (p *Payment) pay() *apiv1.Pay {
	return &apiv1.Pay{Seq: p.Seq, CardQr: p.CardQR, Lines: p.Lines, ExpectedTotalFen: p.TotalFen}
}

// Record is one acknowledged payment: the switch answered a PayResult.
type Record struct {
	Terminal        string
	Seq             uint64
	Account         string
	TotalFen        int64 // what the terminal asked
	Outcome         apiv1.PayResult_Outcome
	AmountFen       int64 // what the switch charged (approved)
	BalanceAfterFen int64
	Reason          string // decline reason
	Replayed        bool
	Sends           int           // sends of this payment until it was answered
	Latency         time.Duration // of the answered send
	At              time.Time     // when the answer came
}

// Key is the payment's idempotency key in the journal.
func (r Record) Key() string { return fmt.Sprintf("%s:%d", r.Terminal, r.Seq) }

// Options configure a Driver.
type Options struct {
	// Terminals is how many of the school's terminals pay (0: all).
	Terminals int
	// PayTimeout bounds one send (default DefaultPayTimeout).
	PayTimeout time.Duration
	// MaxRecords bounds the kept records (default DefaultMaxRecords).
	MaxRecords int
	// Backoff is the wait after an error (default DefaultBackoff).
	Backoff time.Duration
	// Seed makes the choice of pupils and dishes reproducible.
	Seed uint64
}

// Driver drives a school's terminals. Its terminals keep their sequence numbers and
// unanswered payments across Runs, so a Run after a crash re-sends what was not
// answered before paying anything new. Run calls must not overlap.
type Driver struct {
	school  *School
	opts    Options
	terms   []*terminal
	kept    atomic.Int64
	dropped atomic.Int64
	acked   atomic.Int64
	// recMu guards the terminals' records against ServedSince during a Run.
	recMu sync.Mutex
}

type terminal struct {
	cred    TerminalCred
	rng     *rand.Rand
	nextSeq uint64
	pending *Payment
	sends   int
	records []Record
	sess    *terminalclient.Session
}

// New returns a Driver of school.
func New(school *School, opts Options) (*Driver, error) {
	if len(school.Pupils) == 0 || len(school.Terminals) == 0 {
		return nil, errors.New("loaddriver: the school has no pupils or no terminals")
	}
	if opts.Terminals <= 0 || opts.Terminals > len(school.Terminals) {
		opts.Terminals = len(school.Terminals)
	}
	if opts.PayTimeout <= 0 {
		opts.PayTimeout = DefaultPayTimeout
	}
	if opts.MaxRecords <= 0 {
		opts.MaxRecords = DefaultMaxRecords
	}
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultBackoff
	}
	d := &Driver{school: school, opts: opts}
	for i := range opts.Terminals {
		d.terms = append(d.terms, &terminal{
			cred: school.Terminals[i], nextSeq: 1,
			rng: rand.New(rand.NewPCG(opts.Seed, uint64(i)+1)),
		})
	}
	return d, nil
}

// Plan says how one Run pays. A Run issues new payments until Duration has passed,
// Count payments were issued, or ctx ends; at least one of them must be set, or Probe.
type Plan struct {
	// Duration stops issuing new payments after this long (0: no limit).
	Duration time.Duration
	// Count is the new payments issued in all (0: no limit).
	Count int
	// Rate is the open-loop rate in payments/s over all terminals; 0 is closed loop
	// (each terminal pays again as soon as it has its answer).
	Rate float64
	// Reconnect re-opens broken sessions (retrying while the Run lasts); without it a
	// terminal whose session broke stops for this Run, keeping its payment pending.
	Reconnect bool
	// Drain keeps re-sending unanswered payments after the issuing stopped, until they
	// are answered or ctx ends.
	Drain bool
	// Stop, when closed, stops issuing new payments (as the end of Duration does).
	Stop <-chan struct{}
	// Probe makes each terminal send one Pay (its pending one, or a new one) once,
	// with no retry, and stop.
	Probe bool
	// Settle leaves out of Latency the answers to sends started within this long
	// of the Run's start (they count in Untimed): the sessions opening at once
	// and the first grains activating are not the steady state being timed.
	Settle time.Duration
}

// Result is what one Run did.
type Result struct {
	Elapsed  time.Duration
	Issued   int64 // new payments
	Acked    int64 // payments answered with a PayResult
	Approved int64
	Declined int64
	Replayed int64 // answers that were the stored outcome of an earlier send
	// Errors counts sends and session opens that got no PayResult; ErrorKinds splits
	// them by cause.
	Errors     int64
	ErrorKinds map[string]int64
	// Missed is the open-loop tickets dropped because every terminal was busy and the
	// queue was full.
	Missed int64
	// Pending is the payments left unanswered at the end.
	Pending int
	// Latency is of answered sends, from Pay sent to PayResult received, but
	// those of Plan.Settle.
	Latency Histogram
	// Untimed is the answered sends left out of Latency (Plan.Settle).
	Untimed int64
}

// PerSecond is the answered payments per second of the Run.
func (r *Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Acked) / r.Elapsed.Seconds()
}

// Acked is the payments answered over all Runs so far (safe during a Run).
func (d *Driver) Acked() int64 { return d.acked.Load() }

// DroppedRecords is the answered payments not kept (beyond MaxRecords).
func (d *Driver) DroppedRecords() int64 { return d.dropped.Load() }

// Records returns the kept answered payments of every Run, by terminal and seq. Not
// during a Run.
func (d *Driver) Records() []Record {
	var out []Record
	for _, t := range d.terms {
		out = append(out, t.records...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Terminal != out[j].Terminal {
			return out[i].Terminal < out[j].Terminal
		}
		return out[i].Seq < out[j].Seq
	})
	return out
}

// Accounts are the school's accounts, one per pupil, in the school's order.
func (d *Driver) Accounts() []string {
	out := make([]string, len(d.school.Pupils))
	for i, p := range d.school.Pupils {
		out[i] = p.AccountID
	}
	return out
}

// ServedSince returns, for each account with a payment answered at or after
// since, when the first of them was answered (among the kept records: see
// Options.MaxRecords). Safe during a Run: a failover test polls it until every
// account is served again after a kill.
func (d *Driver) ServedSince(since time.Time) map[string]time.Time {
	out := map[string]time.Time{}
	d.recMu.Lock()
	defer d.recMu.Unlock()
	for _, t := range d.terms {
		for i := len(t.records) - 1; i >= 0 && !t.records[i].At.Before(since); i-- {
			r := t.records[i]
			if first, ok := out[r.Account]; !ok || r.At.Before(first) {
				out[r.Account] = r.At
			}
		}
	}
	return out
}

// Pending returns the unanswered payments (at most one per terminal). Not during a Run.
func (d *Driver) Pending() []Payment {
	var out []Payment
	for _, t := range d.terms {
		if t.pending != nil {
			out = append(out, *t.pending)
		}
	}
	return out
}

// Close ends the sessions. Not during a Run.
func (d *Driver) Close() {
	for _, t := range d.terms {
		if t.sess != nil {
			t.sess.Close()
			t.sess = nil
		}
	}
}
