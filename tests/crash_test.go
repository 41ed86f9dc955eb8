package tests

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/onecode/onecode/internal/loaddriver"
	"github.com/onecode/onecode/internal/switchproc"
	"github.com/onecode/onecode/persistence/pgtest"
)

// Sizes of the crash tests: few pupils, so that terminals collide on accounts.
const (
	crashPupils    = 40
	crashTerminals = 8
	// killAfter is the acknowledged payments before the kill; finishCount the new
	// payments after the restart.
	killAfter   = 400
	finishCount = 400
	crashBudget = 100 * time.Second
)

func newDriver(t *testing.T, school *loaddriver.School) *loaddriver.Driver {
	t.Helper()
	d, err := loaddriver.New(school, loaddriver.Options{PayTimeout: 20 * time.Second, Backoff: 20 * time.Millisecond, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// TestCrashSwitchKill9 kills the switch with SIGKILL while terminals pay, restarts it
// on the same database, re-sends every unanswered payment (same terminal, seq and
// lines), pays some more, and checks the journal against every acknowledgement.
func TestCrashSwitchKill9(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), crashBudget)
	defer cancel()
	dsn := pgtest.DSN(t)
	proc := startSwitch(t, ctx, dsn)
	cleanupSwitch(t, &proc)
	conn := dial(t, proc.GRPCAddr())
	school := seed(t, ctx, proc, conn, crashPupils, crashTerminals)
	d := newDriver(t, school)

	// Pay until killAfter payments are acknowledged, then SIGKILL mid-run.
	wait := runAsync(t, ctx, d, conn, loaddriver.Plan{Duration: time.Minute})
	waitFor(t, ctx, 30*time.Second, "acknowledged payments before the kill", func() bool { return d.Acked() >= killAfter })
	ackedBefore := d.Acked()
	if err := proc.Kill(); err != nil {
		t.Fatal(err)
	}
	r1 := wait(30 * time.Second)
	pending := d.Pending()
	t.Logf("SIGKILL of the switch (pid %d) after %d acknowledged payments (%d by the time every terminal saw the kill); in flight without an answer: %d [%s]",
		proc.Pid(), ackedBefore, d.Acked(), len(pending), pendingKeys(pending))
	t.Logf("before the kill: %s", describe(r1))

	// Restart on the same database and data dir; the terminals reconnect, re-send
	// what was not answered, then pay finishCount more.
	restarted, err := proc.Restart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	proc = restarted
	conn2 := dial(t, proc.GRPCAddr())
	r2, err := d.Run(ctx, conn2, loaddriver.Plan{Count: finishCount, Reconnect: true, Drain: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after the restart: %s", describe(r2))
	if r2.Pending != 0 || len(d.Pending()) != 0 {
		t.Fatalf("payments still unanswered after the restart: %s", pendingKeys(d.Pending()))
	}
	if n := d.DroppedRecords(); n != 0 {
		t.Fatalf("%d records dropped", n)
	}
	replayedResends := 0
	for _, rec := range d.Records() {
		if rec.Replayed {
			replayedResends++
		}
	}
	t.Logf("re-sent payments answered as replays (committed before the kill): %d of %d", replayedResends, len(pending))
	d.Close() // a graceful stop waits for the terminal streams
	if err := proc.Stop(15 * time.Second); err != nil {
		t.Errorf("switch did not stop cleanly: %v", err)
	}
	logServerReplays(t, d)
	verifyJournal(t, ctx, dsn, school, d.Records())
}

// TestCrashPostgresKill9 kills PostgreSQL (a throwaway server of this test) with
// SIGKILL while terminals pay: the switch answers errors while it is down, and
// payments succeed again once it is back; then the journal is checked against every
// acknowledgement.
func TestCrashPostgresKill9(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), crashBudget)
	defer cancel()
	pg := startPostgres(t, ctx)
	dsn := pg.createDatabase(t, ctx, "onecode")
	proc := startSwitch(t, ctx, dsn)
	cleanupSwitch(t, &proc)
	conn := dial(t, proc.GRPCAddr())
	school := seed(t, ctx, proc, conn, crashPupils, crashTerminals)
	d := newDriver(t, school)

	stop := make(chan struct{})
	wait := runAsync(t, ctx, d, conn, loaddriver.Plan{Duration: time.Minute, Stop: stop})
	waitFor(t, ctx, 30*time.Second, "acknowledged payments before the kill", func() bool { return d.Acked() >= killAfter })
	ackedBefore := d.Acked()
	pg.kill(t)
	close(stop)
	r1 := wait(30 * time.Second)
	pending := d.Pending()
	t.Logf("SIGKILL of PostgreSQL after %d acknowledged payments (%d once every terminal had its answer); unanswered: %d [%s]",
		ackedBefore, d.Acked(), len(pending), pendingKeys(pending))
	t.Logf("before the kill: %s", describe(r1))

	// While PostgreSQL is down, every terminal sends one payment (its unanswered one,
	// or a new one): the switch answers errors, never an acknowledgement.
	down, err := d.Run(ctx, conn, loaddriver.Plan{Probe: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("while PostgreSQL is down: %s", describe(down))
	if down.Acked != 0 {
		t.Fatalf("the switch acknowledged %d payments while PostgreSQL was down", down.Acked)
	}
	if down.Errors != int64(crashTerminals) {
		t.Fatalf("%d error answers while PostgreSQL was down, want %d", down.Errors, crashTerminals)
	}
	if code := readyz(proc); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz answered %d while PostgreSQL was down, want 503", code)
	}

	pg.restart(t, ctx)
	waitFor(t, ctx, 30*time.Second, "switch ready again", func() bool { return readyz(proc) == http.StatusOK })
	r2, err := d.Run(ctx, conn, loaddriver.Plan{Count: finishCount, Reconnect: true, Drain: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after PostgreSQL is back: %s", describe(r2))
	if r2.Pending != 0 || len(d.Pending()) != 0 {
		t.Fatalf("payments still unanswered after PostgreSQL came back: %s", pendingKeys(d.Pending()))
	}
	if r2.Approved < finishCount {
		t.Fatalf("%d payments approved after PostgreSQL came back, want at least %d", r2.Approved, finishCount)
	}
	d.Close() // a graceful stop waits for the terminal streams
	if err := proc.Stop(15 * time.Second); err != nil {
		t.Errorf("switch did not stop cleanly: %v", err)
	}
	logServerReplays(t, d)
	verifyJournal(t, ctx, dsn, school, d.Records())
}

func readyz(p *switchproc.Process) int {
	c := &http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get("http://" + p.HTTPAddr() + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
