package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/onecode/onecode/internal/loaddriver"
	"github.com/onecode/onecode/internal/switchproc"
)

// loadSwitch is the switch a load run pays against: one loadgen started (on a
// fresh database, dropped at the end) or --target.
type loadSwitch struct {
	dsn     string // the fresh database ("" with --target)
	dataDir string // the started switch's --data-dir
	conns   []*grpc.ClientConn
	token   string
	school  *loaddriver.School
	pid     int // the started switch's process (0 with --target)
	closers []func()
}

func (s *loadSwitch) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// startOptions tune the switch a load run starts.
type startOptions struct {
	// config is the --config file of the switch ("" : cfg.serveConfig).
	config string
	// grpcAddr, httpAddr are its addresses ("" : free loopback ports).
	grpcAddr, httpAddr string
}

// startLoadSwitch starts (or targets) a switch, dials it and seeds a school.
func startLoadSwitch(ctx context.Context, cfg loadgenConfig, so startOptions, stdout io.Writer) (_ *loadSwitch, err error) {
	s := &loadSwitch{token: cfg.operatorToken}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	target := cfg.target
	if target == "" {
		if target, err = s.start(ctx, cfg, so, stdout); err != nil {
			return nil, err
		}
	}
	s.conns = make([]*grpc.ClientConn, cfg.conns)
	for i := range s.conns {
		c, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", target, err)
		}
		s.closers = append(s.closers, func() { c.Close() })
		s.conns[i] = c
	}
	sctx, cancel := context.WithTimeout(ctx, loadgenSetupTimeout)
	defer cancel()
	seedStart := time.Now()
	if s.school, err = loaddriver.Seed(sctx, s.conns[0], s.token, loaddriver.SeedConfig{Pupils: cfg.pupils, Terminals: cfg.terminals}); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "seeded school %s: %d pupils, %d terminals in %.1fs\n", s.school.SchoolID, len(s.school.Pupils), len(s.school.Terminals), time.Since(seedStart).Seconds())
	return s, nil
}

// start runs "onecode serve" on a fresh database and answers its gRPC address.
func (s *loadSwitch) start(ctx context.Context, cfg loadgenConfig, so startOptions, stdout io.Writer) (string, error) {
	dsn, drop, err := freshDatabase(ctx, cfg.postgresDSN, cfg.keep)
	if err != nil {
		return "", err
	}
	s.dsn = dsn
	s.closers = append(s.closers, drop)
	bin := cfg.binary
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return "", fmt.Errorf("this executable: %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "onecode-loadgen-")
	if err != nil {
		return "", err
	}
	if cfg.keep {
		fmt.Fprintf(stdout, "switch data dir and log: %s\n", dir)
	} else {
		s.closers = append(s.closers, func() { os.RemoveAll(dir) })
	}
	conf := so.config
	if conf == "" {
		conf = cfg.serveConfig
	}
	var args []string
	if conf != "" {
		args = []string{"--config", conf}
	}
	s.dataDir = dir + "/data"
	proc, err := switchproc.Start(ctx, switchproc.Options{Binary: bin, PostgresDSN: dsn, DataDir: s.dataDir, LogLevel: cfg.logLevel,
		Args: args, GRPCAddr: so.grpcAddr, HTTPAddr: so.httpAddr})
	if err != nil {
		return "", err
	}
	s.closers = append(s.closers, func() {
		if err := proc.Stop(0); err != nil {
			fmt.Fprintf(stdout, "switch stop: %v\n", err)
		}
	})
	if s.token, err = proc.OperatorToken(); err != nil {
		return "", err
	}
	s.pid = proc.Pid()
	fmt.Fprintf(stdout, "switch: pid %d, gRPC %s, database %s\n", proc.Pid(), proc.GRPCAddr(), dbName(dsn))
	return proc.GRPCAddr(), nil
}

// loadgenOnecode starts (or targets) a switch, seeds it and pays.
func loadgenOnecode(ctx context.Context, cfg loadgenConfig, stdout io.Writer) (loadgenOutcome, error) {
	s, err := startLoadSwitch(ctx, cfg, startOptions{}, stdout)
	if err != nil {
		return loadgenOutcome{}, err
	}
	defer s.Close()
	return s.pay(ctx, loaddriver.Plan{Duration: cfg.duration, Rate: cfg.rate}, 0)
}

// pay runs plan (its Rate over all terminals) with the terminals spread over the
// connections; seed varies the drivers' choices between phases.
func (s *loadSwitch) pay(ctx context.Context, plan loaddriver.Plan, seed uint64) (loadgenOutcome, error) {
	var (
		mu      sync.Mutex
		results []*loaddriver.Result
		runErr  error
		wg      sync.WaitGroup
	)
	school, conns := s.school, s.conns
	for i, c := range conns {
		sub := *school
		lo, hi := i*len(school.Terminals)/len(conns), (i+1)*len(school.Terminals)/len(conns)
		if lo == hi {
			continue
		}
		sub.Terminals = school.Terminals[lo:hi]
		d, err := loaddriver.New(&sub, loaddriver.Options{Seed: seed*1000 + uint64(i)})
		if err != nil {
			return loadgenOutcome{}, err
		}
		p := plan
		p.Rate = plan.Rate * float64(hi-lo) / float64(len(school.Terminals))
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer d.Close()
			r, err := d.Run(ctx, c, p)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				runErr = err
				return
			}
			results = append(results, r)
		}()
	}
	wg.Wait()
	if runErr != nil {
		return loadgenOutcome{}, runErr
	}
	if err := ctx.Err(); err != nil {
		return loadgenOutcome{}, err
	}
	return mergeResults(results), nil
}

func mergeResults(results []*loaddriver.Result) loadgenOutcome {
	var all loaddriver.Result
	all.ErrorKinds = map[string]int64{}
	for _, r := range results {
		all.Acked += r.Acked
		all.Approved += r.Approved
		all.Declined += r.Declined
		all.Errors += r.Errors
		all.Missed += r.Missed
		all.Pending += r.Pending
		all.Untimed += r.Untimed
		all.Elapsed = max(all.Elapsed, r.Elapsed)
		all.Latency.Merge(&r.Latency)
		for k, v := range r.ErrorKinds {
			all.ErrorKinds[k] += v
		}
	}
	o := outcomeOf(all.Acked, all.Errors, all.Elapsed, &all.Latency)
	o.detail = fmt.Sprintf("approved %d, declined %d, unanswered at the end %d", all.Approved, all.Declined, all.Pending)
	if all.Untimed > 0 {
		o.detail += fmt.Sprintf(", untimed while the run settled %d", all.Untimed)
	}
	if all.Missed > 0 {
		o.detail += fmt.Sprintf(", open-loop tickets missed (all terminals busy) %d", all.Missed)
	}
	if len(all.ErrorKinds) > 0 {
		o.detail += ", errors by kind " + kinds(all.ErrorKinds)
	}
	return o
}

func outcomeOf(acked, errs int64, elapsed time.Duration, h *loaddriver.Histogram) loadgenOutcome {
	o := loadgenOutcome{acked: acked, errors: errs, elapsed: elapsed,
		p50: h.Quantile(0.50), p99: h.Quantile(0.99), p999: h.Quantile(0.999), max: h.Max()}
	if elapsed > 0 {
		o.perSec = float64(acked) / elapsed.Seconds()
	}
	return o
}

func kinds(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}
