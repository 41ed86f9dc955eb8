package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	appaccess "github.com/onecode/onecode/app/access"
	appnotify "github.com/onecode/onecode/app/notify"
	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/internal/switchproc"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/pgdirectory"
	"github.com/onecode/onecode/persistence/outbox/pgoutbox"
)

// Drain mode bounds.
const (
	drainWarmup      = time.Second // the canteen pays alone this long before the notices are released
	drainPoll        = 5 * time.Millisecond
	drainMinTimeout  = 2 * time.Minute // a round's drain gives up after max(this, 20 ms a notice)
	drainSeedWorkers = 8
)

// drainKindOK: a notice kind to an account's guardians with a template
// (arrears, urgent, drains at any hour; the fee kinds wait out quiet hours).
func drainKindOK(k string) bool {
	kind := appnotify.Kind(k)
	return slices.Contains(appnotify.AllKinds(), kind) && !kind.ToParent()
}

// drainParams fill every placeholder of a kind (masked name, no ID number).
func drainParams(k appnotify.Kind) map[string]string {
	all := map[string]string{"name": "张*明", "canteen": "一食堂", "amount": "120.00", "balance": "35.00", "threshold": "10.00",
		"relation": "母亲", "student_no": "2026****01", "item": "春季校服", "due": "3月1日"}
	out := map[string]string{}
	for _, p := range appnotify.Placeholders(k) {
		out[p] = all[p]
	}
	return out
}

// drainRound is what one round measured.
type drainRound struct {
	perSec        float64       // notices accepted by the sandbox per second, from their release
	accepted      time.Duration // release → the last notice accepted by the sandbox
	marked        time.Duration // release → no notice of the round left queued
	enqueue       time.Duration // queueing the round's notices (held, not yet due)
	alone, during loadgenOutcome
	duplicates    int    // SMS repeats the sandbox answered from their out id
	receipts      int    // delivery receipts posted back to the switch
	cpuAlone      string // cores busy by process while the canteen paid alone
	cpuDrain      string // cores busy by process from the release until the drain's end
}

// drainRun is the state of a drain-mode run.
type drainRun struct {
	cfg        loadgenConfig
	sb         pushBox
	s          *loadSwitch
	db         *pgx.Conn
	notices    appnotify.Notices
	recipients []string // accounts with a guardian whose phone is sealed
}

// loadgenDrain is `onecode loadgen --drain-notices N`: a switch wired to a push
// sandbox in this process, N notices per round released at once, their drain
// through the SMS channel timed, the canteen paying at --rate alone and during it.
func loadgenDrain(ctx context.Context, cfg loadgenConfig, stdout io.Writer) error {
	kind := appnotify.Kind(cfg.drainKind)
	if at := appnotify.SendAt(kind, time.Now()); at.After(time.Now()) {
		return fmt.Errorf("--drain-kind %s waits out China quiet hours until %s UTC: run it after then, or drain --drain-kind arrears (urgent, sent at any hour)", kind, at.Format("15:04"))
	}
	where := "its own process"
	if cfg.sandboxMode == sandboxInline {
		where = "in this process"
	} else if cfg.sandboxNice > 0 {
		where += fmt.Sprintf(" at nice %d", cfg.sandboxNice)
	}
	printHeader(stdout, cfg, fmt.Sprintf("drain %d %s notices × %d rounds through the push sandbox (%s; push.rate %g/s)",
		cfg.drainNotices, kind, cfg.drainRounds, where, cfg.pushRate))
	d := &drainRun{cfg: cfg}
	s, stop, err := d.start(ctx, stdout)
	if err != nil {
		return err
	}
	defer stop()
	d.s = s
	box, err := pgoutbox.Open(ctx, s.dsn, pgoutbox.Options{MaxConns: drainSeedWorkers})
	if err != nil {
		return err
	}
	defer box.Close()
	d.notices = appnotify.Notices{Store: box}
	if d.db, err = pgx.Connect(ctx, s.dsn); err != nil {
		return err
	}
	defer d.db.Close(context.Background())
	if err := d.bindGuardians(ctx, min(cfg.pupils, cfg.drainNotices), stdout); err != nil {
		return err
	}
	var rounds []drainRound
	for r := range cfg.drainRounds {
		dr, err := d.round(ctx, r)
		if err != nil {
			return err
		}
		printDrainRound(stdout, r+1, dr)
		rounds = append(rounds, dr)
	}
	return printDrainSummary(stdout, cfg, rounds)
}

// start serves the push sandbox and starts the switch with its SMS channel on it.
func (d *drainRun) start(ctx context.Context, stdout io.Writer) (*loadSwitch, func(), error) {
	var cl closers
	fail := func(err error) (*loadSwitch, func(), error) { cl.run(); return nil, nil, err }
	ports := make([]string, 2)
	for i := range ports {
		p, err := switchproc.FreePort()
		if err != nil {
			return fail(err)
		}
		ports[i] = fmt.Sprintf("127.0.0.1:%d", p)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return fail(err)
	}
	creds := sms.Credentials{KeyID: "loadgen", Secret: []byte(fmt.Sprintf("%x", secret))}
	dir, err := os.MkdirTemp("", "onecode-loadgen-push-")
	if err != nil {
		return fail(err)
	}
	cl.add(func() { os.RemoveAll(dir) })
	box, url, err := startPushBox(ctx, d.cfg, creds, "http://"+ports[1]+sms.ReceiptPath, dir, &cl)
	if err != nil {
		return fail(err)
	}
	d.sb = box
	conf, err := d.serveConfig(dir, url, creds)
	if err != nil {
		return fail(err)
	}
	s, err := startLoadSwitch(ctx, d.cfg, startOptions{config: conf, grpcAddr: ports[0], httpAddr: ports[1]}, stdout)
	if err != nil {
		return fail(err)
	}
	cl.add(s.Close)
	return s, cl.run, nil
}

// serveConfig writes the switch's config: --serve-config (which must hold no
// push section) and the push section of the sandbox.
func (d *drainRun) serveConfig(dir, url string, creds sms.Credentials) (string, error) {
	base, err := baseServeConfig(d.cfg.serveConfig, "drain", "push")
	if err != nil {
		return "", err
	}
	secretFile := filepath.Join(dir, "sms.secret")
	if err := os.WriteFile(secretFile, creds.Secret, 0o600); err != nil {
		return "", err
	}
	push := fmt.Sprintf("\npush:\n  sms_url: %s\n  sms_key_id: %s\n  sms_secret_file: %s\n  sms_sign_name: 一码通\n  rate: %g\n",
		url, creds.KeyID, secretFile, d.cfg.pushRate)
	if d.cfg.pushWorkers > 0 {
		push += fmt.Sprintf("  send_workers: %d\n", d.cfg.pushWorkers)
	}
	if d.cfg.pushBatch > 0 {
		push += fmt.Sprintf("  notice_batch: %d\n", d.cfg.pushBatch)
	}
	path := filepath.Join(dir, "serve.yaml")
	return path, os.WriteFile(path, append(base, push...), 0o600)
}

// bindGuardians gives the first n pupils one guardian each, their phone sealed
// under the switch's phone seal key, as a login would (straight into the
// directory: thousands of logins through SMS codes would time the wrong thing).
func (d *drainRun) bindGuardians(ctx context.Context, n int, stdout io.Writer) error {
	keys := filepath.Join(d.s.dataDir, "keys")
	hashKey, err := os.ReadFile(filepath.Join(keys, phoneHashKeyFile))
	if err != nil {
		return err
	}
	sealKey, err := os.ReadFile(filepath.Join(keys, phoneSealKeyFile))
	if err != nil {
		return err
	}
	dir, err := pgdirectory.Open(ctx, d.s.dsn, pgdirectory.Options{MaxConns: drainSeedWorkers})
	if err != nil {
		return err
	}
	defer dir.Close()
	start := time.Now()
	pupils := d.s.school.Pupils[:n]
	err = parallel(ctx, len(pupils), func(i int) error {
		phone := fmt.Sprintf("139%08d", i+1)
		sealed, err := policy.SealPhone(sealKey, phone, rand.Reader)
		if err != nil {
			return err
		}
		p, err := dir.PutParent(ctx, directory.Parent{ID: fmt.Sprintf("lgp%07d", i+1), PhoneHash: appaccess.PhoneHash(hashKey, phone),
			PhoneMasked: policy.MaskPhone(phone), PhoneSealed: sealed})
		if err != nil {
			return err
		}
		return dir.Bind(ctx, directory.Guardianship{ParentID: p.ID, AccountID: pupils[i].AccountID, Relation: "mother"})
	})
	if err != nil {
		return fmt.Errorf("guardians: %w", err)
	}
	for _, p := range pupils {
		d.recipients = append(d.recipients, p.AccountID)
	}
	fmt.Fprintf(stdout, "bound %d guardians (sealed phones) in %.1fs\n", n, time.Since(start).Seconds())
	return nil
}

// round: the canteen alone, then N notices queued (held), released at once
// while the canteen pays, timed until the sandbox accepted them all and the
// outbox holds none of them queued.
func (d *drainRun) round(ctx context.Context, r int) (drainRound, error) {
	var out drainRound
	var err error
	roles := cpuRoles{switchPID: d.s.pid, loadgenPID: os.Getpid(), sandboxPID: d.sb.pid()}
	if d.cfg.rate > 0 {
		c0 := roles.sample()
		if out.alone, err = d.s.payAlone(ctx, d.cfg.rate, d.cfg.duration, uint64(2*r+1)); err != nil {
			return out, err
		}
		out.cpuAlone = cpuCores(c0, roles.sample())
	}
	hold := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
	kind := appnotify.Kind(d.cfg.drainKind)
	params := drainParams(kind)
	t0 := time.Now()
	err = parallel(ctx, d.cfg.drainNotices, func(i int) error {
		_, _, err := d.notices.Enqueue(ctx, appnotify.Notice{Kind: kind, Cause: fmt.Sprintf("loadgen-r%d-%d", r, i), SchoolID: d.s.school.SchoolID,
			Recipient: d.recipients[i%len(d.recipients)], Params: params, NotBefore: hold})
		return err
	})
	if err != nil {
		return out, fmt.Errorf("queue notices: %w", err)
	}
	out.enqueue = time.Since(t0)
	before, err := d.sb.Stats(ctx)
	if err != nil {
		return out, err
	}
	stopPay := d.s.payMeanwhile(ctx, d.cfg.rate, uint64(2*r+2)) // before the notices fall due
	c0 := roles.sample()
	released := time.Now()
	tag, err := d.db.Exec(ctx, `UPDATE notices SET not_before = $1 WHERE state = 'queued' AND not_before = $2`, released.UTC(), hold)
	if err == nil && tag.RowsAffected() != int64(d.cfg.drainNotices) {
		err = fmt.Errorf("released %d notices, queued %d", tag.RowsAffected(), d.cfg.drainNotices)
	}
	if err == nil {
		err = d.waitDrained(ctx, before, released, &out)
	}
	out.cpuDrain = cpuCores(c0, roles.sample())
	var perr error
	if out.during, perr = stopPay(); err == nil {
		err = perr
	}
	after, serr := d.sb.Stats(ctx)
	if err == nil {
		err = serr
	}
	out.duplicates, out.receipts = after.SMSDuplicates-before.SMSDuplicates, after.ReceiptsPosted-before.ReceiptsPosted
	return out, err
}

// waitDrained polls the sandbox until it accepted the round's notices, then the
// outbox until none is left queued.
func (d *drainRun) waitDrained(ctx context.Context, before sandbox.Stats, released time.Time, out *drainRound) error {
	deadline := released.Add(max(drainMinTimeout, time.Duration(d.cfg.drainNotices)*20*time.Millisecond))
	n := d.cfg.drainNotices
	for {
		st, err := d.sb.Stats(ctx)
		if err != nil {
			return err
		}
		if got := st.SMSAccepted - before.SMSAccepted; got >= n {
			break
		} else if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("drain: %d of %d notices accepted by the sandbox before the deadline", got, n)
		}
		time.Sleep(d.sb.poll()) // polling the figure
	}
	out.accepted = time.Since(released)
	out.perSec = float64(n) / out.accepted.Seconds()
	for {
		var queued int
		if err := d.db.QueryRow(ctx, `SELECT count(*) FROM notices WHERE state = 'queued'`).Scan(&queued); err != nil {
			return err
		}
		if queued == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("drain: %d notices still queued at the deadline", queued)
		}
		time.Sleep(drainPoll)
	}
	out.marked = time.Since(released)
	return nil
}

func printDrainRound(w io.Writer, r int, dr drainRound) {
	fmt.Fprintf(w, "round %d: queued in %.1fs; drained %.0f notices/s (all accepted by the sandbox %.2fs after the release, all marked sent %.2fs), repeats %d, receipts posted %d\n",
		r, dr.enqueue.Seconds(), dr.perSec, dr.accepted.Seconds(), dr.marked.Seconds(), dr.duplicates, dr.receipts)
	if dr.alone.acked > 0 || dr.during.acked > 0 {
		printOutcome(w, "alone", dr.alone)
		printOutcome(w, "drain", dr.during)
	}
	if dr.cpuAlone != "" {
		fmt.Fprintf(w, "         CPU while the canteen paid alone: %s\n", dr.cpuAlone)
	}
	if dr.cpuDrain != "" {
		fmt.Fprintf(w, "         CPU from the release to the drain's end: %s\n", dr.cpuDrain)
	}
}

// printDrainSummary prints the medians over the rounds and the result line.
func printDrainSummary(w io.Writer, cfg loadgenConfig, rounds []drainRound) error {
	med := func(f func(drainRound) float64) float64 {
		v := make([]float64, len(rounds))
		for i, r := range rounds {
			v[i] = f(r)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	rate := med(func(r drainRound) float64 { return r.perSec })
	alone := med(func(r drainRound) float64 { return msOf(r.alone.p99) })
	during := med(func(r drainRound) float64 { return msOf(r.during.p99) })
	var errs int64
	var perRound []string
	for _, r := range rounds {
		errs += r.alone.errors + r.during.errors
		perRound = append(perRound, fmt.Sprintf("%.0f", r.perSec))
	}
	fmt.Fprintf(w, "median of %d rounds: drain %.0f notices/s (rounds %s); canteen p99 alone %.2fms, during the drain %.2fms; load average %s\n",
		len(rounds), rate, strings.Join(perRound, ", "), alone, during, loadAverage())
	fmt.Fprintf(w, "result drain_per_s=%.0f canteen_p99_alone_ms=%.2f canteen_p99_drain_ms=%.2f rounds=%d errors=%d\n",
		rate, alone, during, len(rounds), errs)
	return nil
}
