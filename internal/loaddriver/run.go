package loaddriver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onecode/onecode/domain/reason"

	"google.golang.org/grpc"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	"github.com/onecode/onecode/terminalclient"
)

// run is the shared state of one Run.
type run struct {
	d       *Driver
	conn    grpc.ClientConnInterface
	plan    Plan
	stop    chan struct{} // closed when issuing stops
	tickets chan struct{} // open loop
	issued  atomic.Int64
	timed   time.Time // sends from then on are timed (Plan.Settle)
}

func (r *run) stopped() bool {
	select {
	case <-r.stop:
		return true
	default:
		return false
	}
}

// worker is the per-terminal result of a Run.
type worker struct {
	acked, approved, declined, replayed, errors, untimed int64
	kinds                                                map[string]int64
	lat                                                  Histogram
}

// Run drives the terminals over conn (one session per terminal, sharing conn) as
// plan says, and returns when every terminal has stopped.
func (d *Driver) Run(ctx context.Context, conn grpc.ClientConnInterface, plan Plan) (*Result, error) {
	if plan.Duration <= 0 && plan.Count <= 0 && !plan.Probe && plan.Stop == nil && ctx.Done() == nil {
		return nil, errors.New("loaddriver: a Run needs a Duration, a Count, Probe, Stop or a context that ends")
	}
	if plan.Rate < 0 || plan.Count < 0 || plan.Duration < 0 || plan.Settle < 0 {
		return nil, errors.New("loaddriver: negative rate, count, duration or settle")
	}
	r := &run{d: d, conn: conn, plan: plan, stop: make(chan struct{})}
	var stopOnce sync.Once
	stop := func() { stopOnce.Do(func() { close(r.stop) }) }
	start := time.Now()
	r.timed = start.Add(plan.Settle)
	var bg sync.WaitGroup
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	bg.Add(1)
	go func() {
		defer bg.Done()
		var timeout <-chan time.Time
		if plan.Duration > 0 {
			t := time.NewTimer(plan.Duration)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-timeout:
		case <-plan.Stop:
		case <-runCtx.Done():
		case <-r.stop:
		}
		stop()
	}()
	var missed atomic.Int64
	if plan.Rate > 0 && !plan.Probe {
		r.tickets = make(chan struct{}, min(maxTicketQueue, 2*len(d.terms)))
		bg.Add(1)
		go func() {
			defer bg.Done()
			r.emitTickets(start, &missed)
		}()
	}
	workers := make([]*worker, len(d.terms))
	var wg sync.WaitGroup
	for i, t := range d.terms {
		workers[i] = &worker{kinds: map[string]int64{}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(ctx, t, workers[i])
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	stop()
	cancel()
	bg.Wait()

	return d.result(elapsed, r.issued.Load(), missed.Load(), workers), nil
}

// result sums the workers of a Run that took elapsed and issued payments.
func (d *Driver) result(elapsed time.Duration, issued, missed int64, workers []*worker) *Result {
	res := &Result{Elapsed: elapsed, Issued: issued, Missed: missed, ErrorKinds: map[string]int64{}}
	for _, w := range workers {
		res.Acked += w.acked
		res.Approved += w.approved
		res.Declined += w.declined
		res.Replayed += w.replayed
		res.Errors += w.errors
		res.Untimed += w.untimed
		for k, v := range w.kinds {
			res.ErrorKinds[k] += v
		}
		res.Latency.Merge(&w.lat)
	}
	for _, t := range d.terms {
		if t.pending != nil {
			res.Pending++
		}
	}
	return res
}

// emitTickets issues open-loop tickets at plan.Rate until the Run stops issuing.
func (r *run) emitTickets(start time.Time, missed *atomic.Int64) {
	interval := time.Duration(float64(time.Second) / r.plan.Rate)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for n := int64(0); ; {
		select {
		case <-r.stop:
			return
		case <-timer.C:
		}
		due := int64(time.Since(start)/interval) + 1
		for ; n < due; n++ {
			if r.plan.Count > 0 && n >= int64(r.plan.Count) {
				<-r.stop
				return
			}
			select {
			case r.tickets <- struct{}{}:
			default:
				missed.Add(1)
			}
		}
		timer.Reset(time.Until(start.Add(time.Duration(n) * interval)))
	}
}

// next returns the payment the terminal sends now, or nil when it is done.
func (r *run) next(t *terminal, first bool) *Payment {
	if t.pending != nil {
		if r.plan.Probe && !first {
			return nil
		}
		if r.stopped() && !r.plan.Drain && !first {
			return nil
		}
		return t.pending
	}
	if r.plan.Probe {
		if !first {
			return nil
		}
	} else if r.tickets != nil {
		select {
		case <-r.tickets:
		case <-r.stop:
			return nil
		}
	} else if r.stopped() {
		return nil
	}
	if n := r.issued.Add(1); r.plan.Count > 0 && n > int64(r.plan.Count) {
		r.issued.Add(-1)
		return nil
	}
	t.pending = t.newPayment(r.d.school)
	t.sends = 0
	return t.pending
}

func (t *terminal) newPayment(s *School) *Payment {
	pupil := s.Pupils[t.rng.IntN(len(s.Pupils))]
	n := 1 + t.rng.IntN(maxLines)
	picked := t.rng.Perm(len(Dishes))[:n]
	p := &Payment{Terminal: t.cred.ID, Seq: t.nextSeq, Account: pupil.AccountID, CardQR: pupil.CardQR}
	for _, i := range picked {
		p.Lines = append(p.Lines, &apiv1.LineRef{Barcode: Dishes[i].Barcode, Qty: 1})
		p.TotalFen += Dishes[i].PriceFen
	}
	t.nextSeq++
	return p
}

// work runs one terminal until it is done.
func (r *run) work(ctx context.Context, t *terminal, w *worker) {
	opts := r.d.opts
	for first := true; ctx.Err() == nil; first = false {
		p := r.next(t, first)
		if p == nil {
			return
		}
		if t.sess == nil {
			if err := r.open(ctx, t); err != nil {
				w.fail("OPEN_FAILED")
				if !r.plan.Reconnect || r.plan.Probe || !r.wait(ctx, p) {
					return
				}
				continue
			}
		}
		pctx, cancel := context.WithTimeout(ctx, opts.PayTimeout)
		sent := time.Now()
		res, err := t.sess.Pay(pctx, p.pay())
		lat := time.Since(sent)
		cancel()
		t.sends++
		if err == nil && res.GetSeq() != p.Seq {
			err = fmt.Errorf("%w: answer for seq %d to pay %d", terminalclient.ErrProtocol, res.GetSeq(), p.Seq)
		}
		if err == nil {
			r.d.acked.Add(1)
			w.acked++
			if sent.Before(r.timed) {
				w.untimed++
			} else {
				w.lat.Add(lat)
			}
			switch res.GetOutcome() {
			case apiv1.PayResult_OUTCOME_APPROVED:
				w.approved++
			default:
				w.declined++
			}
			if res.GetReplayed() {
				w.replayed++
			}
			r.d.keep(t, Record{
				Terminal: t.cred.ID, Seq: p.Seq, Account: p.Account, TotalFen: p.TotalFen,
				Outcome: res.GetOutcome(), AmountFen: res.GetAmountFen(), BalanceAfterFen: res.GetBalanceAfterFen(),
				Reason: res.GetReason(), Replayed: res.GetReplayed(), Sends: t.sends, Latency: lat, At: sent.Add(lat),
			})
			t.pending = nil
			continue
		}
		w.fail(errKind(err))
		if t.sess.Err() != nil || errors.Is(err, terminalclient.ErrProtocol) {
			t.sess.Close()
			t.sess = nil
			if !r.plan.Reconnect {
				return
			}
		}
		if r.plan.Probe || !r.wait(ctx, p) {
			return
		}
	}
}

// wait backs off after an error; false when the terminal should stop instead.
func (r *run) wait(ctx context.Context, p *Payment) bool {
	if r.stopped() && !r.plan.Drain {
		return false
	}
	t := time.NewTimer(r.d.opts.Backoff)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (r *run) open(ctx context.Context, t *terminal) error {
	octx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	s, err := terminalclient.Open(octx, r.conn, t.cred.ID, t.cred.Secret)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	// Continue above what the switch has committed for this terminal.
	if last := s.Welcome().GetLastSeq(); last >= t.nextSeq {
		t.nextSeq = last + 1
	}
	t.sess = s
	return nil
}

func (d *Driver) keep(t *terminal, rec Record) {
	if d.kept.Add(1) > int64(d.opts.MaxRecords) {
		d.kept.Add(-1)
		d.dropped.Add(1)
		return
	}
	d.recMu.Lock()
	t.records = append(t.records, rec)
	d.recMu.Unlock()
}

func (w *worker) fail(kind string) {
	w.errors++
	w.kinds[kind]++
}

// errKind names the cause of an unanswered send, from a fixed small set.
func errKind(err error) string {
	var se *terminalclient.SessionError
	switch {
	case errors.As(err, &se):
		switch reason.Code(se.Reason) {
		case reason.OutcomeUnknown, reason.Unavailable, reason.Internal, reason.InvalidSeq, reason.UnexpectedMessage:
			return se.Reason
		}
		return "SESSION_ERROR"
	case errors.Is(err, context.DeadlineExceeded):
		return "TIMEOUT"
	case errors.Is(err, context.Canceled):
		return "CANCELED"
	case errors.Is(err, terminalclient.ErrProtocol):
		return "PROTOCOL"
	case errors.Is(err, terminalclient.ErrClosed):
		return "SESSION_CLOSED"
	}
	return "STREAM_ERROR"
}
