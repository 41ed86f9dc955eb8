package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"
)

// BreakerSettings are passed explicitly to each channel's gobreaker breaker.
type BreakerSettings struct {
	MaxRequests         uint32        // probes a half-open breaker lets through; that many successes close it
	Interval            time.Duration // the closed state's counts are cleared this often
	Timeout             time.Duration // how long the breaker stays open before half-open
	ConsecutiveFailures uint32        // transient failures in a row that open it (≥ 1)
}

// Limits bound every call of a guarded channel.
type Limits struct {
	CallTimeout time.Duration // deadline of one attempt (a shorter caller deadline wins)
	Attempts    int           // attempts per delivery, first included (1..10)
	Backoff     time.Duration // pause before the second attempt; doubles after each
	MaxBackoff  time.Duration // the longest pause
	// Rate is the channel's sustained sends per second (golang.org/x/time/rate: a
	// token bucket in this process, as providers limit each account), Burst its bucket.
	Rate    float64
	Burst   int
	Breaker BreakerSettings
}

// DefaultLimits are production defaults: a provider answering within 5 s,
// three attempts 200 ms then 400 ms apart, 50 sends/s, a breaker that opens after
// 5 transient failures in a row and probes again after 30 s.
func DefaultLimits() Limits {
	return Limits{CallTimeout: 5 * time.Second, Attempts: 3, Backoff: 200 * time.Millisecond, MaxBackoff: 2 * time.Second,
		Rate: 50, Burst: 10,
		Breaker: BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: 30 * time.Second, ConsecutiveFailures: 5}}
}

func (l Limits) validate() error {
	b := l.Breaker
	if l.CallTimeout <= 0 || l.CallTimeout > time.Minute || l.Attempts < 1 || l.Attempts > 10 ||
		l.Backoff < 0 || l.MaxBackoff < l.Backoff || l.MaxBackoff > time.Minute || l.Rate <= 0 || l.Burst < 1 ||
		b.MaxRequests == 0 || b.Interval <= 0 || b.Timeout <= 0 || b.ConsecutiveFailures == 0 {
		return fmt.Errorf("notify: limits %+v: timeout in (0, 1m], attempts 1..10, 0 ≤ backoff ≤ max backoff ≤ 1m, rate and burst and every breaker setting positive", l)
	}
	return nil
}

// Guarded is a Channel behind its own breaker, rate limit, per-call timeout and
// bounded retries. A permanent failure is neither retried nor counted against
// the breaker (the provider answered); an open breaker fails at once, transiently.
type Guarded struct {
	ch      Channel
	limits  Limits
	breaker *gobreaker.CircuitBreaker[Receipt]
	limiter *rate.Limiter
	stats   *Stats
	sleep   func(ctx context.Context, d time.Duration) error
}

// Guard wraps ch. onState, when set, observes breaker transitions; stats may be nil.
func Guard(ch Channel, l Limits, stats *Stats, onState func(ch ChannelName, from, to gobreaker.State)) (*Guarded, error) {
	if err := l.validate(); err != nil {
		return nil, err
	}
	name := ch.Name()
	b := l.Breaker
	g := &Guarded{ch: ch, limits: l, stats: stats, limiter: rate.NewLimiter(rate.Limit(l.Rate), l.Burst), sleep: sleepCtx}
	g.breaker = gobreaker.NewCircuitBreaker[Receipt](gobreaker.Settings{
		Name:         string(name),
		MaxRequests:  b.MaxRequests,
		Interval:     b.Interval,
		BucketPeriod: 0, // one bucket: counts clear every Interval
		Timeout:      b.Timeout,
		ReadyToTrip:  func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= b.ConsecutiveFailures },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if onState != nil {
				onState(name, from, to)
			}
		},
		IsSuccessful: func(err error) bool { return err == nil || IsPermanent(err) },
		// The caller's own deadline or cancellation says nothing of the provider.
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
	})
	return g, nil
}

// Name implements Channel.
func (g *Guarded) Name() ChannelName { return g.ch.Name() }

// State is the breaker's state.
func (g *Guarded) State() gobreaker.State { return g.breaker.State() }

// Send implements Channel: up to Limits.Attempts attempts, each after a rate
// token and under CallTimeout, with exponential backoff between them.
func (g *Guarded) Send(ctx context.Context, d Delivery) (Receipt, error) {
	name := g.ch.Name()
	pause := g.limits.Backoff
	var err error
	for attempt := 1; attempt <= g.limits.Attempts; attempt++ {
		if attempt > 1 {
			g.stats.add(name, OutcomeRetried)
			if serr := g.sleep(ctx, pause); serr != nil {
				break
			}
			pause = min(2*pause, g.limits.MaxBackoff)
		}
		var r Receipt
		r, err = g.once(ctx, d)
		if err == nil {
			g.stats.add(name, OutcomeSent)
			return r, nil
		}
		if IsPermanent(err) || errors.Is(err, ErrBreakerOpen) || ctx.Err() != nil {
			break
		}
	}
	g.stats.add(name, OutcomeFailed)
	return Receipt{}, err
}

// once is one attempt through the limiter and the breaker.
func (g *Guarded) once(ctx context.Context, d Delivery) (Receipt, error) {
	name := g.ch.Name()
	if err := g.limiter.Wait(ctx); err != nil {
		return Receipt{}, &Failure{Channel: name, Code: "rate_wait", Err: err}
	}
	r, err := g.breaker.Execute(func() (Receipt, error) {
		cctx, cancel := context.WithTimeout(ctx, g.limits.CallTimeout)
		defer cancel()
		r, err := g.ch.Send(cctx, d)
		if err != nil {
			return Receipt{}, withChannel(name, err)
		}
		return r, nil
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return Receipt{}, &Failure{Channel: name, Code: "breaker_open", Err: fmt.Errorf("%w (%v)", ErrBreakerOpen, err)}
	}
	return r, err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
