package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc/metadata"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/gateway/aggregator"
	aggsandbox "github.com/onecode/onecode/gateway/aggregator/sandbox"
	"github.com/onecode/onecode/internal/loaddriver"
	"github.com/onecode/onecode/persistence/cache"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// Fee-rush mode bounds.
const (
	rushFeeFen        = 12_000                 // the item's amount per pupil
	rushPayAgain      = 250 * time.Millisecond // a parent whose pay page did not open taps pay again after this
	rushSettleLimit   = 2 * time.Minute        // one bill's order create → settled gives up after this
	rushTries         = 3                      // a parent's tries at paying the bill
	rushNotifyWorkers = 256                    // the sandbox's notification workers (WeChat Pay notifies from many servers at once)
)

// rushRun is the state of a fee-rush run: the aggregator sandbox in this
// process (its notifications timed), the switch, the sessions loadgen minted.
type rushRun struct {
	cfg      loadgenConfig
	sb       *aggsandbox.Server
	s        *loadSwitch
	sessions *access.Sessions
	staff    string   // a finance session of the seeded school
	parents  []string // parent i's session, guardian of pupil i
	notifyMu sync.Mutex
	notify   loaddriver.Histogram // the switch answering a notification
	lastAck  time.Time            // the last notification answered 2xx
	replaced atomic.Int64         // orders asked for again because the prepay answer was lost
	polls    atomic.Int64         // GetBillOrder calls of the waiting parents
	pay      *http.Client         // the payers' phones on the sandbox (kept-alive connections)
}

// rushOutcome is what the rush measured.
type rushOutcome struct {
	settled, failed int
	retried         int           // a parent's tries after an error (the first is kept in firstErr)
	elapsed         time.Duration // first order placed → last bill settled
	perSec          float64
	settle          loaddriver.Histogram // order placed → bill settled (as the parent polls it)
	notify          loaddriver.Histogram
	during          loadgenOutcome
	firstErr        error
	payAgain        int64   // pay tapped again after a lost prepay answer
	polls           int64   // GetBillOrder calls of the waiting parents
	byAck           float64 // bills/s, first order placed → last notification acknowledged
	cpu             string  // CPU per settled bill by process, over the rush ("" off Linux)
}

// loadgenRush is `onecode loadgen --fee-rush N`: a switch paying fees through an
// aggregator sandbox in this process; N pupils with a guardian each get one
// published fee item, then N parents (--fee-rush-workers at once) place the
// bill's order, pay it on the sandbox and wait for the bill to settle.
func loadgenRush(ctx context.Context, cfg loadgenConfig, stdout io.Writer) error {
	cfg.pupils = max(cfg.pupils, cfg.feeRush)
	arrival := fmt.Sprintf("%d parents at once", cfg.rushWorkers)
	if cfg.rushOver > 0 {
		arrival = fmt.Sprintf("parents arriving evenly over %s (%.1f/s), at most %d paying at once", cfg.rushOver, float64(cfg.feeRush)/cfg.rushOver.Seconds(), cfg.rushWorkers)
	}
	if cfg.rushBits != 2048 {
		arrival += fmt.Sprintf(" (an experiment: the sandbox's platform keys RSA-%d)", cfg.rushBits)
	}
	printHeader(stdout, cfg, fmt.Sprintf("fee rush of %d bills, %s, through the aggregator sandbox", cfg.feeRush, arrival))
	r := &rushRun{cfg: cfg}
	stop, err := r.start(ctx, stdout)
	if err != nil {
		return err
	}
	defer stop()
	d := &drainRun{cfg: cfg, s: r.s}
	if err := d.bindGuardians(ctx, cfg.feeRush, stdout); err != nil {
		return err
	}
	if err := r.mint(ctx); err != nil {
		return err
	}
	item, err := r.publish(ctx, stdout)
	if err != nil {
		return err
	}
	var alone loadgenOutcome
	if cfg.rate > 0 {
		if alone, err = r.s.payAlone(ctx, cfg.rate, cfg.duration, 1); err != nil {
			return err
		}
	}
	out, err := r.rush(ctx, item)
	if err != nil {
		return err
	}
	return printRush(stdout, cfg, alone, out)
}

// start generates merchant keys, serves the aggregator sandbox and starts the
// switch on it (sessions in Redis, where loadgen mints them).
func (r *rushRun) start(ctx context.Context, stdout io.Writer) (func(), error) {
	var cl closers
	fail := func(err error) (func(), error) { cl.run(); return nil, err }
	dir, err := os.MkdirTemp("", "onecode-loadgen-rush-")
	if err != nil {
		return fail(err)
	}
	cl.add(func() { os.RemoveAll(dir) })
	keysDir := filepath.Join(dir, "wechatpay-keys")
	set, err := rushKeySet(r.cfg.rushBits)
	if err != nil {
		return fail(err)
	}
	if err := set.Write(keysDir); err != nil {
		return fail(err)
	}
	keys, err := aggsandbox.LoadKeys(keysDir)
	if err != nil {
		return fail(err)
	}
	room := 2*r.cfg.feeRush + 1000
	// Kept-alive connections: http.DefaultTransport keeps 2 idle per host, so the
	// notification workers and the payers would open (and close) one per request.
	r.sb, err = aggsandbox.New(aggsandbox.Config{Keys: keys, MaxOrders: room, MaxPending: room, Workers: rushNotifyWorkers,
		HTTPClient: &http.Client{Transport: timedTransport{base: keepAlive(rushNotifyWorkers), r: r}}})
	r.pay = &http.Client{Transport: keepAlive(r.cfg.rushWorkers)}
	if err != nil {
		return fail(err)
	}
	cl.add(r.sb.Close)
	url, closeSB, err := serveLoopback(r.sb.Handler())
	if err != nil {
		return fail(err)
	}
	cl.add(closeSB)
	prefix := make([]byte, 6)
	if _, err := rand.Read(prefix); err != nil {
		return fail(err)
	}
	redisPrefix := "lgrush" + hex.EncodeToString(prefix) + ":"
	conf, err := r.serveConfig(dir, url, keysDir, redisPrefix)
	if err != nil {
		return fail(err)
	}
	if r.s, err = startLoadSwitch(ctx, r.cfg, startOptions{config: conf}, stdout); err != nil {
		return fail(err)
	}
	cl.add(r.s.Close)
	rdb := redis.NewClient(&redis.Options{Addr: r.cfg.redisAddr})
	cl.add(func() { rdb.Close() })
	kv, err := cache.NewRedis(rdb, cache.RedisOptions{Prefix: redisPrefix})
	if err != nil {
		return fail(err)
	}
	if r.sessions, err = access.NewSessions(kv, access.SessionOptions{}); err != nil {
		return fail(err)
	}
	return cl.run, nil
}

// rushKeySet is the run's merchant and platform keys, the platform's of bits.
func rushKeySet(bits int) (aggregator.KeySet, error) {
	set, err := aggregator.GenerateKeySet(rand.Reader, "1900000001", "wx8888888888888888")
	if err != nil || bits == 2048 {
		return set, err
	}
	if set.PlatformKey, set.PlatformCert, err = aggregator.NewCertificateBits(rand.Reader, "Tenpay.com", time.Now(), bits); err != nil {
		return set, err
	}
	set.PublicKeyPrivate, err = rsa.GenerateKey(rand.Reader, bits)
	return set, err
}

// serveConfig writes --serve-config (which must hold no server or aggregator
// section) with the sandbox as the aggregator and Redis for the cache.
func (r *rushRun) serveConfig(dir, url, keysDir, prefix string) (string, error) {
	base, err := baseServeConfig(r.cfg.serveConfig, "fee-rush", "server", "aggregator")
	if err != nil {
		return "", err
	}
	more := fmt.Sprintf("\nserver:\n  redis_addr: %q\n  redis_prefix: %q\naggregator:\n  url: %q\n  keys_dir: %q\n", r.cfg.redisAddr, prefix, url, keysDir)
	path := filepath.Join(dir, "serve.yaml")
	return path, os.WriteFile(path, append(base, more...), 0o600)
}

// timedTransport times the switch answering each notification of the sandbox.
type timedTransport struct {
	base http.RoundTripper
	r    *rushRun
}

func (t timedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t0 := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	// The answer is read to its end before the time is taken.
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr == nil && resp.StatusCode/100 == 2 {
		lat := time.Since(t0)
		t.r.notifyMu.Lock()
		t.r.notify.Add(lat)
		t.r.lastAck = time.Now()
		t.r.notifyMu.Unlock()
	}
	return resp, rerr
}

// mint opens a finance session of the school and one session per bound parent
// straight in the cache (thousands of SMS logins would time the wrong thing).
func (r *rushRun) mint(ctx context.Context) error {
	tok, _, err := r.sessions.Open(ctx, access.Principal{Kind: access.KindStaff, SubjectID: "lgfinance", SchoolID: r.s.school.SchoolID, Role: access.RoleFinance})
	if err != nil {
		return fmt.Errorf("staff session: %w", err)
	}
	r.staff = tok
	r.parents = make([]string, r.cfg.feeRush)
	return parallel(ctx, r.cfg.feeRush, func(i int) error {
		tok, _, err := r.sessions.Open(ctx, access.Principal{Kind: access.KindParent, SubjectID: fmt.Sprintf("lgp%07d", i+1), MaskedPhone: "139****0001"})
		r.parents[i] = tok
		return err
	})
}

func bearer(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// publish creates the item for the whole school and publishes it, timed.
func (r *rushRun) publish(ctx context.Context, stdout io.Writer) (string, error) {
	fees := apiv1.NewFeeStaffServiceClient(r.s.conns[0])
	sctx := bearer(ctx, r.staff)
	due := schoolday.Of(time.Now().AddDate(0, 0, 30))
	it, err := fees.CreateFeeItem(sctx, &apiv1.CreateFeeItemRequest{Definition: &apiv1.FeeItemDefinition{Title: "2026秋季校服费", Category: "uniform",
		AmountFen: rushFeeFen, TargetKind: "school", DueDay: fmt.Sprint(int32(due))}})
	if err != nil {
		return "", fmt.Errorf("create fee item: %w", err)
	}
	t0 := time.Now()
	pub, err := fees.PublishFeeItem(sctx, &apiv1.PublishFeeItemRequest{ItemId: it.GetItem().GetItemId()})
	if err != nil {
		return "", fmt.Errorf("publish fee item: %w", err)
	}
	fmt.Fprintf(stdout, "published fee item %s: %d bills in %.2fs\n", it.GetItem().GetItemId(), pub.GetBills(), time.Since(t0).Seconds())
	if int(pub.GetBills()) < r.cfg.feeRush {
		return "", fmt.Errorf("published %d bills, want %d", pub.GetBills(), r.cfg.feeRush)
	}
	return it.GetItem().GetItemId(), nil
}

// rush runs the parents (and the canteen at --rate meanwhile) until every bill
// is settled or failed. --fee-rush-workers parents place and pay at once; a
// parent who paid leaves its place to the next and waits on the result page,
// polling the order every --fee-rush-poll as the H5 page does. With
// --fee-rush-over the parents arrive evenly over that time instead (open loop:
// a parent's times run from its arrival, even when it waits for a place).
func (r *rushRun) rush(ctx context.Context, item string) (rushOutcome, error) {
	var out rushOutcome
	stopPay := r.s.payMeanwhile(ctx, r.cfg.rate, 2) // before the parents come
	parents := apiv1.NewFeeParentServiceClient(r.s.conns[0])
	var (
		waiting sync.WaitGroup
		t       rushTally
	)
	// parent i, arrived at t0, places and pays its order, then waits for it.
	parent := func(i int, t0 time.Time) {
		o, err := r.payOne(ctx, parents, item, i)
		for try := 1; err != nil && try < rushTries && ctx.Err() == nil; try++ {
			// A parent tries again (same request id: the same order).
			t.retry(err)
			o, err = r.payOne(ctx, parents, item, i)
		}
		if err != nil {
			t.fail(err)
			return
		}
		waiting.Add(1)
		go func() {
			defer waiting.Done()
			t.settled(r.await(ctx, parents, i, o, t0))
		}()
	}
	roles := cpuRoles{switchPID: r.s.pid, loadgenPID: os.Getpid()}
	cpu0 := roles.sample()
	start := time.Now()
	if r.cfg.rushOver > 0 {
		r.arrive(ctx, start, parent)
	} else {
		r.closedLoop(ctx, parent)
	}
	waiting.Wait()
	cpu1 := roles.sample()
	var err error
	if out.during, err = stopPay(); err != nil {
		return out, err
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}
	t.into(&out, start)
	alongside := ""
	if r.cfg.rate > 0 {
		alongside = fmt.Sprintf("the canteen's %.0f payments/s", r.cfg.rate)
	}
	out.cpu = cpuPer(cpu0, cpu1, out.settled, "settled bill", alongside)
	out.payAgain, out.polls = r.replaced.Load(), r.polls.Load()
	r.notifyMu.Lock()
	out.notify.Merge(&r.notify)
	if d := r.lastAck.Sub(start); d > 0 {
		out.byAck = float64(out.settled) / d.Seconds()
	}
	r.notifyMu.Unlock()
	return out, nil
}

// closedLoop: --fee-rush-workers parents at a time, each next one as soon as a
// place is free.
func (r *rushRun) closedLoop(ctx context.Context, parent func(int, time.Time)) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range r.cfg.rushWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < r.cfg.feeRush && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				parent(i, time.Now())
			}
		}()
	}
	wg.Wait()
}

// arrive: parent i arrives at start + i×(--fee-rush-over)/N and pays when one of
// the --fee-rush-workers places is free.
func (r *rushRun) arrive(ctx context.Context, start time.Time, parent func(int, time.Time)) {
	var wg sync.WaitGroup
	places := make(chan struct{}, r.cfg.rushWorkers)
	gap := r.cfg.rushOver / time.Duration(r.cfg.feeRush)
	for i := 0; i < r.cfg.feeRush; i++ {
		at := start.Add(time.Duration(i) * gap)
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-time.After(time.Until(at)):
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case places <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-places }()
			parent(i, at)
		}()
	}
	wg.Wait()
}

// rushTally gathers the parents' outcomes.
type rushTally struct {
	mu                     sync.Mutex
	settle                 loaddriver.Histogram
	settledN, bad, retried int
	firstErr               error
	lastEnd                time.Time
}

func (t *rushTally) retry(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.retried++
	t.firstErr = cmpErr(t.firstErr, err)
}

func (t *rushTally) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.bad++
	t.firstErr = cmpErr(t.firstErr, err)
}

func (t *rushTally) settled(lat time.Duration, err error) {
	if err != nil {
		t.fail(err)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.settledN++
	t.settle.Add(lat)
	if now := time.Now(); now.After(t.lastEnd) {
		t.lastEnd = now
	}
}

func (t *rushTally) into(out *rushOutcome, start time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out.settled, out.failed, out.retried, out.firstErr = t.settledN, t.bad, t.retried, t.firstErr
	out.settle.Merge(&t.settle)
	out.elapsed = t.lastEnd.Sub(start)
	if out.elapsed > 0 {
		out.perSec = float64(out.settled) / out.elapsed.Seconds()
	}
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func printRush(w io.Writer, cfg loadgenConfig, alone loadgenOutcome, o rushOutcome) error {
	fmt.Fprintf(w, "rush: %d bills settled in %.2fs = %.1f/s (first order placed → last bill settled), failed %d, tries again after an error %d, pay tapped again (prepay answer lost) %d\n",
		o.settled, o.elapsed.Seconds(), o.perSec, o.failed, o.retried, o.payAgain)
	fmt.Fprintf(w, "      notification handling (sandbox post → switch's 2xx answer, %d): p50 %s p99 %s max %s\n",
		o.notify.Count(), ms(o.notify.Quantile(0.5)), ms(o.notify.Quantile(0.99)), ms(o.notify.Max()))
	fmt.Fprintf(w, "      order placed → bill settled (parent polling every %s, %.1f polls a bill): p50 %s p99 %s max %s; by the last notification acknowledged %.1f/s\n",
		cfg.rushPoll, float64(o.polls)/float64(max(o.settled, 1)), ms(o.settle.Quantile(0.5)), ms(o.settle.Quantile(0.99)), ms(o.settle.Max()), o.byAck)
	if o.cpu != "" {
		fmt.Fprintf(w, "      %s\n", o.cpu)
	}
	if o.firstErr != nil {
		fmt.Fprintf(w, "      first error: %v\n", o.firstErr)
	}
	if cfg.rate > 0 {
		printOutcome(w, "alone", alone)
		printOutcome(w, "rush", o.during)
	}
	fmt.Fprintf(w, "load average %s\n", loadAverage())
	fmt.Fprintf(w, "result rush_settled_per_s=%.1f notify_p50_ms=%.2f notify_p99_ms=%.2f settle_p99_ms=%.2f canteen_p99_alone_ms=%.2f canteen_p99_rush_ms=%.2f settled=%d errors=%d\n",
		o.perSec, msOf(o.notify.Quantile(0.5)), msOf(o.notify.Quantile(0.99)), msOf(o.settle.Quantile(0.99)),
		msOf(alone.p99), msOf(o.during.p99), o.settled, int64(o.failed)+alone.errors+o.during.errors)
	if o.settled == 0 {
		return errors.New("no bill settled")
	}
	return nil
}
