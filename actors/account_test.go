package actors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/journal/pgjournal"
	"github.com/onecode/onecode/persistence/pgtest"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// testClock is a settable clock shared by an activation and its test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestDeps(t testing.TB, snapshotEvery int) (*AccountDeps, *testClock) {
	t.Helper()
	ctx := context.Background()
	store, err := pgjournal.Open(ctx, pgtest.DSN(t), pgjournal.Options{})
	if err != nil {
		t.Fatalf("open journal: %v", err)
	}
	w, err := journal.NewWriter(store, journal.WriterOptions{MaxBatch: 64, MaxDelay: time.Millisecond})
	if err != nil {
		t.Fatalf("writer: %v", err)
	}
	t.Cleanup(func() { w.Close(); store.Close() })
	clock := &testClock{t: time.Date(2026, 9, 1, 11, 30, 0, 0, time.UTC)}
	return &AccountDeps{
		Writer: w, Store: store, SnapshotEvery: snapshotEvery,
		IOTimeout: 5 * time.Second, IdleTimeout: time.Minute,
		Now: clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, clock
}

func openReq(key string) *grainv1.ExecuteRequest { return openReqCap(key, 5000) }

func openReqCap(key string, dailyCap int64) *grainv1.ExecuteRequest {
	return &grainv1.ExecuteRequest{IdemKey: key, Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{
		SchoolId: "35001", StudentNo: "2024000123", CardRandom: "07", CardExpiry: "20270831",
		Limits: &grainv1.Limits{SingleRechargeMaxFen: 100000, BalanceCapFen: 200000, DailySpendCapFen: dailyCap, ArrearsCapFen: 2000},
	}}}
}

func rechargeReq(order string, fen int64) *grainv1.ExecuteRequest {
	return &grainv1.ExecuteRequest{IdemKey: order, Command: &grainv1.ExecuteRequest_RechargeCredit{RechargeCredit: &grainv1.RechargeCreditCommand{OrderId: order, AmountFen: fen}}}
}

func purchaseReq(key string, fen int64, override bool) *grainv1.ExecuteRequest {
	return &grainv1.ExecuteRequest{IdemKey: key, Command: &grainv1.ExecuteRequest_Purchase{Purchase: &grainv1.PurchaseCommand{
		SchoolId: "35001", TerminalId: "T1", CanteenId: "C1", AmountFen: fen,
		CardRandom: "07", CardExpiry: "20270831", Override: override,
	}}}
}

func mustLoad(t *testing.T, id string, deps *AccountDeps) *accountCore {
	t.Helper()
	c := newAccountCore(id, deps)
	if err := c.load(context.Background()); err != nil {
		t.Fatalf("load %s: %v", id, err)
	}
	return c
}

func exec(t *testing.T, c *accountCore, req *grainv1.ExecuteRequest) *grainv1.ExecuteResponse {
	t.Helper()
	resp, err := c.execute(context.Background(), req)
	if err != nil {
		t.Fatalf("execute %s: %v", req.GetIdemKey(), err)
	}
	return resp
}

func wantAccepted(t *testing.T, resp *grainv1.ExecuteResponse, balance int64, replayed bool) {
	t.Helper()
	a := resp.GetAccepted()
	if a == nil {
		t.Fatalf("got declined %v, want accepted", resp.GetDeclined())
	}
	if a.GetBalanceFen() != balance || a.GetReplayed() != replayed {
		t.Fatalf("got balance %d replayed %v, want %d %v", a.GetBalanceFen(), a.GetReplayed(), balance, replayed)
	}
}

func wantDeclined(t *testing.T, resp *grainv1.ExecuteResponse, reason string) *grainv1.Declined {
	t.Helper()
	d := resp.GetDeclined()
	if d == nil || d.GetReason() != reason {
		t.Fatalf("got %v, want declined %s", resp, reason)
	}
	return d
}

// verifyJournal checks the contract on what the journal holds: the fold of the events
// equals what a fresh activation loads (snapshot + tail), the wallet read model agrees,
// and the ledger sums to zero.
func verifyJournal(t *testing.T, deps *AccountDeps, id string, wantBalance int64) {
	t.Helper()
	ctx := context.Background()
	c := mustLoad(t, id, deps)
	if got := int64(c.state.Balance); got != wantBalance {
		t.Fatalf("loaded balance %d, want %d", got, wantBalance)
	}
	wb, err := deps.Store.WalletBalance(ctx, id)
	if err != nil || wb != wantBalance {
		t.Fatalf("wallet read model %d (%v), want %d", wb, err, wantBalance)
	}
	sum, err := deps.Store.LedgerSum(ctx)
	if err != nil || sum != 0 {
		t.Fatalf("ledger sum %d (%v), want 0", sum, err)
	}
	// Fold every event from the start (ignoring snapshots) through the history pages.
	var events []journal.Event
	before := int64(0)
	for {
		page, err := deps.Store.History(ctx, id, before, journal.MaxHistoryLimit)
		if err != nil {
			t.Fatalf("history: %v", err)
		}
		if len(page) == 0 {
			break
		}
		events = append(events, page...)
		before = page[len(page)-1].Seq
	}
	var s account.State
	for i := len(events) - 1; i >= 0; i-- {
		ev, err := codec.DecodeEvent(events[i].Type, events[i].Data)
		if err != nil {
			t.Fatalf("decode event %d: %v", events[i].Seq, err)
		}
		if uint64(events[i].Seq) != s.Seq+1 {
			t.Fatalf("journal forked or has a gap: event %d after %d", events[i].Seq, s.Seq)
		}
		s = account.Apply(s, ev)
	}
	if s.Balance != c.state.Balance || s.Seq != c.state.Seq {
		t.Fatalf("fold of events (balance %d seq %d) differs from snapshot+tail (balance %d seq %d)", s.Balance, s.Seq, c.state.Balance, c.state.Seq)
	}
}

func TestAccountCoreCommands(t *testing.T) {
	deps, clock := newTestDeps(t, 3)
	c := mustLoad(t, "acc1", deps)

	wantDeclined(t, exec(t, c, purchaseReq("T1:1", 100, false)), "ACCOUNT_NOT_OPENED")
	wantAccepted(t, exec(t, c, openReq("open")), 0, false)
	wantAccepted(t, exec(t, c, rechargeReq("ord1", 1000)), 1000, false)
	wantAccepted(t, exec(t, c, purchaseReq("T1:2", 800, false)), 200, false)

	d := wantDeclined(t, exec(t, c, purchaseReq("T1:3", 500, false)), "INSUFFICIENT_FUNDS")
	if d.GetArrearsAvailableFen() != 2000 || d.GetBalanceFen() != 200 {
		t.Fatalf("decline carries arrears %d balance %d, want 2000 and 200", d.GetArrearsAvailableFen(), d.GetBalanceFen())
	}
	resp := exec(t, c, purchaseReq("T1:4", 500, true))
	wantAccepted(t, resp, -300, false)
	if !resp.GetAccepted().GetArrears() {
		t.Fatal("override purchase not marked as arrears")
	}

	// Exactly once: the same key and payload answers the first outcome, even though the
	// same purchase now would be decided differently; another payload is a conflict.
	wantAccepted(t, exec(t, c, purchaseReq("T1:2", 800, false)), 200, true)
	wantDeclined(t, exec(t, c, purchaseReq("T1:2", 900, false)), "IDEMPOTENCY_CONFLICT")
	wantAccepted(t, exec(t, c, rechargeReq("ord1", 1000)), 1000, true)

	// A fresh activation (snapshot + tail) answers retries the same way.
	c2 := mustLoad(t, "acc1", deps)
	if c2.state.Seq != c.state.Seq || c2.state.Balance != -300 {
		t.Fatalf("reloaded seq %d balance %d, want %d and -300", c2.state.Seq, c2.state.Balance, c.state.Seq)
	}
	wantAccepted(t, exec(t, c2, purchaseReq("T1:4", 500, true)), -300, true)

	// Loss report: the printed card is refused from the commit on.
	loss := &grainv1.ExecuteRequest{IdemKey: "loss1", Command: &grainv1.ExecuteRequest_ReportLoss{ReportLoss: &grainv1.ReportLossCommand{By: "parent"}}}
	if exec(t, c2, loss).GetAccepted() == nil {
		t.Fatal("loss report declined")
	}
	wantDeclined(t, exec(t, c2, purchaseReq("T1:5", 100, false)), "CARD_LOST")
	clock.Add(time.Hour)
	verifyJournal(t, deps, "acc1", -300)
}

func TestAccountCoreInvalidChangesNothing(t *testing.T) {
	deps, _ := newTestDeps(t, 100)
	c := mustLoad(t, "acc2", deps)
	exec(t, c, openReq("open"))
	before := c.state
	for _, req := range []*grainv1.ExecuteRequest{
		{IdemKey: "x1"},
		purchaseReq("x2", 0, false),
		purchaseReq("x3", -5, false),
		{IdemKey: "x4", Command: &grainv1.ExecuteRequest_Purchase{Purchase: &grainv1.PurchaseCommand{SchoolId: "35001", AmountFen: 1, CardRandom: "07", CardExpiry: "2027-08-31"}}},
		{IdemKey: "", Command: &grainv1.ExecuteRequest_RechargeCredit{RechargeCredit: &grainv1.RechargeCreditCommand{OrderId: "o", AmountFen: 5}}},
	} {
		resp := exec(t, c, req)
		if resp.GetDeclined() == nil {
			t.Fatalf("%v: got %v, want declined", req, resp)
		}
	}
	if c.state.Seq != before.Seq || c.state.Balance != before.Balance {
		t.Fatalf("state changed by bad input: seq %d→%d", before.Seq, c.state.Seq)
	}
	verifyJournal(t, deps, "acc2", 0)
}

// TestNoForkTwoActivations drives two activations of one account over one journal at
// once, as happens when protoactor activates an identity on two members. The journal's
// (account, seq) fence lets exactly one commit each sequence; the loser stops and the
// command is retried (same key) on a fresh activation. Every acknowledged command must be
// in the journal exactly once and the balance must be the fold of the events.
func TestNoForkTwoActivations(t *testing.T) {
	deps, _ := newTestDeps(t, 7)
	const id = "acc-fork"
	first := mustLoad(t, id, deps)
	exec(t, first, openReqCap("open", 0))
	exec(t, first, rechargeReq("ord-seed", 100000))

	const perSide, price = 40, 100
	var (
		mu    sync.Mutex
		acked = map[string]int64{} // key -> seq
		stale int
	)
	drive := func(side string) error {
		c := mustLoad(t, id, deps)
		for i := 0; i < perSide; i++ {
			req := purchaseReq(fmt.Sprintf("%s:%d", side, i), price, false)
			for attempt := 0; ; attempt++ {
				if attempt > 50 {
					return fmt.Errorf("%s: no progress", req.GetIdemKey())
				}
				resp, err := c.execute(context.Background(), req)
				if errors.Is(err, ErrStaleActivation) {
					mu.Lock()
					stale++
					mu.Unlock()
					c = newAccountCore(id, deps) // the stale activation stops; a new one loads
					if err := c.load(context.Background()); err != nil {
						return err
					}
					continue
				}
				if err != nil {
					return err
				}
				a := resp.GetAccepted()
				if a == nil {
					return fmt.Errorf("%s declined: %v", req.GetIdemKey(), resp.GetDeclined())
				}
				mu.Lock()
				acked[req.GetIdemKey()] = a.GetSeq()
				mu.Unlock()
				break
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, side := range []string{"A", "B"} {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- drive(side) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(acked) != 2*perSide {
		t.Fatalf("acknowledged %d commands, want %d", len(acked), 2*perSide)
	}
	if stale == 0 {
		t.Log("the two activations never collided (no stale activation seen)")
	}
	seqs := map[int64]string{}
	for key, seq := range acked {
		if other, dup := seqs[seq]; dup {
			t.Fatalf("commands %s and %s both acknowledged at seq %d: the journal forked", key, other, seq)
		}
		seqs[seq] = key
		fp, _, found, err := deps.Store.Command(context.Background(), id, key)
		if err != nil || !found || fp == "" {
			t.Fatalf("acknowledged %s not in the journal (found %v, err %v)", key, found, err)
		}
	}
	verifyJournal(t, deps, id, 100000-2*perSide*price)
	t.Logf("stale activations resolved: %d", stale)
}

// TestRevocationAnnouncedAfterCommit: a committed loss report and a re-issue reach the
// subscribers of the account's school (and only them), with the new generation.
func TestRevocationAnnouncedAfterCommit(t *testing.T) {
	deps, _ := newTestDeps(t, 100)
	deps.Revocations = NewRevocationHub()
	var got []Revocation
	cancel := deps.Revocations.Subscribe("35001", func(r Revocation) { got = append(got, r) })
	defer cancel()
	other := 0
	defer deps.Revocations.Subscribe("35002", func(Revocation) { other++ })()

	c := mustLoad(t, "acc-rev", deps)
	exec(t, c, openReq("open"))
	exec(t, c, rechargeReq("o1", 500))
	if len(got) != 0 {
		t.Fatalf("revocations before any loss report: %v", got)
	}
	exec(t, c, &grainv1.ExecuteRequest{IdemKey: "loss", Command: &grainv1.ExecuteRequest_ReportLoss{ReportLoss: &grainv1.ReportLossCommand{By: "staff"}}})
	exec(t, c, &grainv1.ExecuteRequest{IdemKey: "reissue", Command: &grainv1.ExecuteRequest_Reissue{Reissue: &grainv1.ReissueCommand{CardRandom: "42", CardExpiry: "20280831"}}})
	// A replayed loss report commits nothing and announces nothing.
	exec(t, c, &grainv1.ExecuteRequest{IdemKey: "loss", Command: &grainv1.ExecuteRequest_ReportLoss{ReportLoss: &grainv1.ReportLossCommand{By: "staff"}}})
	if len(got) != 2 || got[0].Generation != 2 || got[1].Generation != 3 || got[0].AccountRef != AccountRef("acc-rev") {
		t.Fatalf("revocations %+v, want generations 2 and 3 for the account's ref", got)
	}
	if other != 0 {
		t.Fatalf("another school heard %d revocations", other)
	}
}
