package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/internal/loaddriver"
	"github.com/onecode/onecode/internal/switchproc"
	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/journal/pgjournal"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

func TestMain(m *testing.M) {
	code := m.Run()
	switchproc.RemoveBuild()
	os.Exit(code)
}

// pollInterval is how often the tests poll a condition (never sleeping to synchronise).
const pollInterval = 20 * time.Millisecond

// waitFor polls cond until it holds, or fails the test after timeout.
func waitFor(t *testing.T, ctx context.Context, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not within %s", what, timeout)
		case <-tick.C:
		}
	}
}

// startSwitch builds onecode (once) and starts "onecode serve" on dsn; the test's
// cleanup kills it and, when the test failed, logs its stderr tail.
func startSwitch(t *testing.T, ctx context.Context, dsn string) *switchproc.Process {
	t.Helper()
	bin, err := switchproc.Build()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, err := switchproc.Start(ctx, switchproc.Options{Binary: bin, PostgresDSN: dsn, DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("switch started: pid %d, gRPC %s, log %s", p.Pid(), p.GRPCAddr(), p.StderrPath())
	return p
}

// cleanupSwitch kills the last process of a switch at the end of the test.
func cleanupSwitch(t *testing.T, p **switchproc.Process) {
	t.Cleanup(func() {
		if *p == nil {
			return
		}
		(*p).Kill()
		if t.Failed() {
			t.Logf("switch stderr tail (%s):\n%s", (*p).StderrPath(), (*p).StderrTail(40))
		}
	})
}

// dial is a gRPC client connection that reconnects quickly after a restart.
func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 20 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 500 * time.Millisecond},
			MinConnectTimeout: 2 * time.Second,
		}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// seed seeds a small school on the switch.
func seed(t *testing.T, ctx context.Context, p *switchproc.Process, conn grpc.ClientConnInterface, pupils, terminals int) *loaddriver.School {
	t.Helper()
	tok, err := p.OperatorToken()
	if err != nil {
		t.Fatal(err)
	}
	s, err := loaddriver.Seed(ctx, conn, tok, loaddriver.SeedConfig{Pupils: pupils, Terminals: terminals})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runAsync runs d in the background; the returned function waits (bounded) for it.
func runAsync(t *testing.T, ctx context.Context, d *loaddriver.Driver, conn grpc.ClientConnInterface, plan loaddriver.Plan) func(timeout time.Duration) *loaddriver.Result {
	type out struct {
		r   *loaddriver.Result
		err error
	}
	ch := make(chan out, 1)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r, err := d.Run(runCtx, conn, plan)
		ch <- out{r, err}
	}()
	// A test that ends early (t.Fatal) stops the run and waits for it before the
	// driver's sessions are closed (cleanups run last-in first-out), so that the
	// failure is reported rather than a worker finding its session gone.
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Errorf("the terminals did not stop within 30 s of the test's end")
		}
	})
	return func(timeout time.Duration) *loaddriver.Result {
		t.Helper()
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		select {
		case o := <-ch:
			if o.err != nil {
				t.Fatal(o.err)
			}
			return o.r
		case <-timer.C:
			t.Fatalf("the terminals did not stop within %s", timeout)
			return nil
		}
	}
}

func describe(r *loaddriver.Result) string {
	return fmt.Sprintf("issued %d, answered %d (approved %d, declined %d, replayed %d), unanswered sends %d %v, pending at end %d, in %.1fs",
		r.Issued, r.Acked, r.Approved, r.Declined, r.Replayed, r.Errors, r.ErrorKinds, r.Pending, r.Elapsed.Seconds())
}

// logServerReplays logs payments answered as replays on their first send: the switch
// retried the account command itself and found it committed.
func logServerReplays(t *testing.T, d *loaddriver.Driver) {
	t.Helper()
	var keys []string
	for _, r := range d.Records() {
		if r.Replayed && r.Sends == 1 {
			keys = append(keys, r.Key())
		}
	}
	if len(keys) > 0 {
		t.Logf("answered as replays on their first send (the switch retried internally): %d [%s]", len(keys), strings.Join(keys, " "))
	}
}

func pendingKeys(ps []loaddriver.Payment) string {
	keys := make([]string, len(ps))
	for i := range ps {
		keys[i] = ps[i].Key()
	}
	return strings.Join(keys, " ")
}

// verifyJournal checks the database behind dsn against what the terminals were told:
// every acknowledged approval's key is journaled exactly once with the acknowledged
// outcome, declines and nothing else are not; per account the balance of a fresh Load
// equals the fold of all events (History pages) and the WalletBalance read model, and
// equals the opening balance less the approved amounts, which also equal the
// account's purchase debits; the ledger sums to zero.
func verifyJournal(t *testing.T, ctx context.Context, dsn string, school *loaddriver.School, recs []loaddriver.Record) {
	t.Helper()
	store, err := pgjournal.Open(ctx, dsn, pgjournal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	approved := map[string]loaddriver.Record{}
	spent := map[string]int64{}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.Key()] {
			t.Fatalf("payment %s acknowledged twice in the records", r.Key())
		}
		seen[r.Key()] = true
		fp, raw, found, err := store.Command(ctx, r.Account, r.Key())
		if err != nil {
			t.Fatalf("command %s: %v", r.Key(), err)
		}
		if r.Outcome != apiv1.PayResult_OUTCOME_APPROVED {
			if found {
				t.Fatalf("declined payment %s (%s) is journaled", r.Key(), r.Reason)
			}
			continue
		}
		if !found || fp == "" {
			t.Fatalf("acknowledged payment %s is not in the journal", r.Key())
		}
		o, err := codec.DecodeOutcome(raw)
		if err != nil {
			t.Fatalf("outcome of %s: %v", r.Key(), err)
		}
		if o.Event != "Purchased" || int64(o.Amount) != r.AmountFen || int64(o.Balance) != r.BalanceAfterFen || r.AmountFen != r.TotalFen {
			t.Fatalf("payment %s: journaled outcome %+v, acknowledged amount %d (asked %d) balance %d",
				r.Key(), o, r.AmountFen, r.TotalFen, r.BalanceAfterFen)
		}
		approved[r.Key()] = r
		spent[r.Account] += r.AmountFen
	}

	// Exactly once by key in the commands (view), and no payment the terminals were
	// not told about.
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `SELECT idem_key, count(*) FROM commands WHERE idem_key LIKE $1 GROUP BY idem_key`, "LG"+school.SchoolID+"-%")
	if err != nil {
		t.Fatal(err)
	}
	journaled := 0
	for rows.Next() {
		var key string
		var n int64
		if err := rows.Scan(&key, &n); err != nil {
			t.Fatal(err)
		}
		journaled++
		if n != 1 {
			t.Fatalf("payment %s is in the commands table %d times", key, n)
		}
		if _, ok := approved[key]; !ok {
			t.Fatalf("payment %s is journaled but no terminal was told it was approved", key)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if journaled != len(approved) {
		t.Fatalf("%d payments journaled, %d acknowledged as approved", journaled, len(approved))
	}

	for _, p := range school.Pupils {
		loaded := load(t, ctx, store, p.AccountID)
		folded, debits, purchaseKeys := fold(t, ctx, store, p.AccountID)
		wallet, err := store.WalletBalance(ctx, p.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Balance != folded.Balance || loaded.Seq != folded.Seq || int64(loaded.Balance) != wallet {
			t.Fatalf("account %s: Load balance %d seq %d, fold of events balance %d seq %d, wallet read model %d",
				p.AccountID, loaded.Balance, loaded.Seq, folded.Balance, folded.Seq, wallet)
		}
		if want := school.SubsidyFen - spent[p.AccountID]; int64(loaded.Balance) != want {
			t.Fatalf("account %s: balance %d, want opening %d less approved %d = %d",
				p.AccountID, loaded.Balance, school.SubsidyFen, spent[p.AccountID], want)
		}
		if debits != spent[p.AccountID] {
			t.Fatalf("account %s: purchase debits %d, approved amounts %d", p.AccountID, debits, spent[p.AccountID])
		}
		for _, k := range purchaseKeys {
			if r, ok := approved[k]; !ok || r.Account != p.AccountID {
				t.Fatalf("account %s: purchase %s was not acknowledged to this account", p.AccountID, k)
			}
		}
	}
	sum, err := store.LedgerSum(ctx)
	if err != nil || sum != 0 {
		t.Fatalf("ledger sum %d (%v), want 0", sum, err)
	}
	t.Logf("journal verified: %d acknowledged payments (%d approved), %d accounts, ledger sums to 0", len(recs), len(approved), len(school.Pupils))
}

// load is an account's state from its latest snapshot and the events after it.
func load(t *testing.T, ctx context.Context, store journal.Store, id string) account.State {
	t.Helper()
	snap, tail, err := store.Load(ctx, id)
	if err != nil {
		t.Fatalf("load %s: %v", id, err)
	}
	var s account.State
	if snap != nil {
		if s, err = codec.DecodeState(snap.Data); err != nil {
			t.Fatalf("snapshot of %s: %v", id, err)
		}
	}
	for _, e := range tail {
		ev, err := codec.DecodeEvent(e.Type, e.Data)
		if err != nil {
			t.Fatalf("event %s/%d: %v", id, e.Seq, err)
		}
		if uint64(e.Seq) != s.Seq+1 {
			t.Fatalf("account %s: tail event %d after %d", id, e.Seq, s.Seq)
		}
		s = account.Apply(s, ev)
	}
	return s
}

// fold applies every event of the account from the first (History pages, no
// snapshot) and returns the state, the sum of purchase debits and the purchase keys.
func fold(t *testing.T, ctx context.Context, store journal.Store, id string) (account.State, int64, []string) {
	t.Helper()
	var events []journal.Event
	before := int64(0)
	for {
		page, err := store.History(ctx, id, before, journal.MaxHistoryLimit)
		if err != nil {
			t.Fatalf("history of %s: %v", id, err)
		}
		if len(page) == 0 {
			break
		}
		events = append(events, page...)
		before = page[len(page)-1].Seq
	}
	sort.Slice(events, func(i, j int) bool { return events[i].Seq < events[j].Seq })
	var s account.State
	var debits int64
	var keys []string
	for _, e := range events {
		ev, err := codec.DecodeEvent(e.Type, e.Data)
		if err != nil {
			t.Fatalf("event %s/%d: %v", id, e.Seq, err)
		}
		if uint64(e.Seq) != s.Seq+1 {
			t.Fatalf("account %s: journal forked or has a gap: event %d after %d", id, e.Seq, s.Seq)
		}
		if p, ok := ev.(account.Purchased); ok {
			debits += int64(p.Amount)
			keys = append(keys, p.Key)
		}
		s = account.Apply(s, ev)
	}
	return s, debits, keys
}
