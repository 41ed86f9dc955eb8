package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onecode/onecode/internal/loaddriver"
)

// What the drain and fee-rush modes share: a sandbox served in this process
// beside the switch, --serve-config with the sections a mode writes itself
// left out, the canteen paying meanwhile, the seeding workers and the figures'
// printing.

// closers is a stack of clean-ups; run calls them last first.
type closers []func()

func (c *closers) add(f func()) { *c = append(*c, f) }

func (c closers) run() {
	for i := len(c) - 1; i >= 0; i-- {
		c[i]()
	}
}

// serveLoopback serves h on a free loopback port until the close it answers,
// and answers the server's base URL.
func serveLoopback(h http.Handler) (string, func(), error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(lis)
	return "http://" + lis.Addr().String(), func() { srv.Close() }, nil
}

// baseServeConfig reads --serve-config (none when path is empty), which must hold
// none of the sections the mode writes itself.
func baseServeConfig(path, mode string, sections ...string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	base, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--serve-config: %w", err)
	}
	for _, s := range sections {
		if strings.Contains("\n"+string(base), "\n"+s+":") {
			return nil, fmt.Errorf("--serve-config: %s mode writes the %s section itself; leave it out", mode, s)
		}
	}
	return base, nil
}

// payMeanwhile starts the canteen paying at rate (nothing when rate ≤ 0) and lets
// it pay drainWarmup at its pace, untimed (its sessions opening), before it
// returns; the stop it answers ends the payments and answers what they measured.
func (s *loadSwitch) payMeanwhile(ctx context.Context, rate float64, seed uint64) (stop func() (loadgenOutcome, error)) {
	if rate <= 0 {
		return func() (loadgenOutcome, error) { return loadgenOutcome{}, nil }
	}
	end := make(chan struct{})
	var during loadgenOutcome
	paid := make(chan error, 1)
	go func() {
		var err error
		during, err = s.pay(ctx, loaddriver.Plan{Rate: rate, Stop: end, Settle: drainWarmup}, seed)
		paid <- err
	}()
	time.Sleep(drainWarmup) // the canteen at its pace before the load under test comes
	return func() (loadgenOutcome, error) {
		close(end)
		err := <-paid
		return during, err
	}
}

// payAlone is the canteen paying alone at rate for d, after canteenSettle
// untimed (the terminals' sessions opening at once, grains activating: not the
// steady state of a canteen at lunch, nor of the phase it is compared with).
func (s *loadSwitch) payAlone(ctx context.Context, rate float64, d time.Duration, seed uint64) (loadgenOutcome, error) {
	return s.pay(ctx, loaddriver.Plan{Duration: canteenSettle + d, Rate: rate, Settle: canteenSettle}, seed)
}

// canteenSettle is how long the canteen pays untimed before the alone phase.
const canteenSettle = time.Second

// parallel runs f(0..n-1) on drainSeedWorkers goroutines; the first error wins.
func parallel(ctx context.Context, n int, f func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, drainSeedWorkers)
	for w := range drainSeedWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				if err := f(i); err != nil {
					errs[w] = err
					next.Store(int64(n)) // stop the others
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(append(errs, ctx.Err())...)
}

// printHeader prints a mode's first line: what it runs, the canteen beside it
// and the load average.
func printHeader(w io.Writer, cfg loadgenConfig, what string) {
	fmt.Fprintf(w, "onecode loadgen: %s; canteen %s; load average %s\n", what, canteenMode(cfg), loadAverage())
}

func canteenMode(cfg loadgenConfig) string {
	if cfg.rate <= 0 {
		return "off (no --rate)"
	}
	return fmt.Sprintf("%g payments/s open loop, %d terminals, alone for %s", cfg.rate, cfg.terminals, cfg.duration)
}

// msOf is d in milliseconds, for the result lines.
func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loadAverage is /proc/loadavg's first three figures ("?" elsewhere): the
// machine is shared, so every figure is printed with it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
