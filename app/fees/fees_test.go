package fees

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/ledger"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/fees/sqlitefees"
	"github.com/onecode/onecode/persistence/journal"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// grains are in-memory Account grains over the real domain rules: decide, remember the
// key, apply; a retry of a key answers the first outcome.
type grains struct {
	mu       sync.Mutex
	states   map[string]account.State
	idem     map[string]account.Outcome // account/key
	fps      map[string]string
	postings []ledger.Posting
	// cancelAfter cancels cancel after that many executes (0: never).
	cancelAfter int64
	cancel      context.CancelFunc
	calls       atomic.Int64
	// events are each account's journal, encoded as the journal stores them.
	events map[string][]journal.Event
}

func (g *grains) Execute(ctx context.Context, id string, req *grainv1.ExecuteRequest) (*grainv1.ExecuteResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if n := g.calls.Add(1); g.cancelAfter > 0 && n == g.cancelAfter {
		g.cancel()
	}
	cmd, err := codec.Command(id, req)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	k := id + "/" + cmd.Key()
	if out, ok := g.idem[k]; ok {
		if out, err = account.Replay(g.fps[k], out, cmd); err != nil {
			return declinedResp(err), nil
		}
		return acceptedResp(out, true), nil
	}
	d, err := account.Decide(g.states[id], cmd, time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		return declinedResp(err), nil
	}
	g.states[id] = d.Next
	g.idem[k], g.fps[k] = d.Outcome, account.Fingerprint(cmd)
	for _, e := range d.Events {
		g.postings = append(g.postings, account.Postings(id, d.Next.SchoolID, e)...)
		typ, data, err := codec.EncodeEvent(e)
		if err != nil {
			return nil, err
		}
		if g.events == nil {
			g.events = map[string][]journal.Event{}
		}
		g.events[id] = append(g.events[id], journal.Event{Seq: int64(len(g.events[id]) + 1), Type: typ, Data: data, At: e.OccurredAt()})
	}
	return acceptedResp(d.Outcome, false), nil
}

func (g *grains) State(_ context.Context, id string) (*grainv1.GetStateResponse, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := &grainv1.GetStateResponse{AccountId: id, BalanceFen: int64(g.states[id].Balance)}
	for _, b := range g.states[id].Bills {
		st.Bills = append(st.Bills, acceptedResp(account.Outcome{Bill: b}, false).GetAccepted().GetBill())
	}
	return st, nil
}

func acceptedResp(o account.Outcome, replayed bool) *grainv1.ExecuteResponse {
	a := &grainv1.Accepted{Seq: int64(o.Seq), BalanceFen: int64(o.Balance), AmountFen: int64(o.Amount), Replayed: replayed, EventType: o.Event}
	if o.Bill != (account.Bill{}) {
		b := o.Bill
		a.Bill = &grainv1.Bill{ItemId: b.ItemID, DueFen: int64(b.Due), PaidFen: int64(b.Paid), ExemptedFen: int64(b.Exempted),
			DueDay: b.DueDay.String(), AllowBalance: b.AllowBalance, Closed: b.Closed, Status: string(b.Status())}
	}
	return &grainv1.ExecuteResponse{Result: &grainv1.ExecuteResponse_Accepted{Accepted: a}}
}

func declinedResp(err error) *grainv1.ExecuteResponse {
	return &grainv1.ExecuteResponse{Result: &grainv1.ExecuteResponse_Declined{Declined: &grainv1.Declined{
		Reason: string(account.Reason(err)), Message: err.Error()}}}
}

// pupils is a directory of one school, class "3-1".
type pupils struct {
	list []directory.Pupil
	// singles and batches count the reads of one pupil and of many.
	singles, batches atomic.Int64
}

func (p *pupils) PupilByAccount(_ context.Context, id string) (directory.Pupil, error) {
	p.singles.Add(1)
	for _, x := range p.list {
		if x.AccountID == id {
			return x, nil
		}
	}
	return directory.Pupil{}, directory.ErrNotFound
}

func (p *pupils) PupilsByAccounts(_ context.Context, school string, ids []string) ([]directory.Pupil, error) {
	p.batches.Add(1)
	var out []directory.Pupil
	for _, x := range p.list {
		if x.SchoolID == school && slices.Contains(ids, x.AccountID) {
			out = append(out, x)
		}
	}
	return out, nil
}

func (p *pupils) ListPupils(_ context.Context, school, class, after string, limit int) ([]directory.Pupil, error) {
	var out []directory.Pupil
	for _, x := range p.list {
		if x.SchoolID == school && (class == "" || x.ClassID == class) && x.StudentNo > after && len(out) < limit {
			out = append(out, x)
		}
	}
	return out, nil
}

func (p *pupils) Class(_ context.Context, school, id string) (directory.Class, error) {
	if school == "35001" && id == "3-1" {
		return directory.Class{SchoolID: school, ID: id}, nil
	}
	return directory.Class{}, directory.ErrNotFound
}

func (p *pupils) School(_ context.Context, id string) (directory.School, error) {
	return directory.School{ID: id, Name: "School " + id}, nil
}

func (p *pupils) IsGuardian(_ context.Context, parent, acc string) (bool, error) {
	return parent == "par_1" && acc == "acc_0000", nil
}

func (p *pupils) GuardedPupil(ctx context.Context, parent, acc string) (directory.Pupil, error) {
	if ok, _ := p.IsGuardian(ctx, parent, acc); !ok {
		return directory.Pupil{}, directory.ErrNotFound
	}
	return p.PupilByAccount(ctx, acc)
}

func newWorld(t *testing.T, n int) (*Service, *grains, *pupils) {
	t.Helper()
	g := &grains{states: map[string]account.State{}, idem: map[string]account.Outcome{}, fps: map[string]string{}}
	dir := &pupils{}
	for i := range n {
		no := string([]byte{'0' + byte(i/1000%10), '0' + byte(i/100%10), '0' + byte(i/10%10), '0' + byte(i%10)})
		id := "acc_" + no
		dir.list = append(dir.list, directory.Pupil{AccountID: id, SchoolID: "35001", StudentNo: "202400" + no, ClassID: "3-1", Status: directory.PupilActive})
		open := &grainv1.ExecuteRequest{IdemKey: "open", Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{
			SchoolId: "35001", StudentNo: "202400" + no, CardRandom: "07", CardExpiry: "20270831",
			Limits: &grainv1.Limits{SingleRechargeMaxFen: 100000, BalanceCapFen: 200000}}}}
		if r, err := g.Execute(context.Background(), id, open); err != nil || r.GetAccepted() == nil {
			t.Fatalf("open %s: %v %v", id, r, err)
		}
	}
	store, err := sqlitefees.Open(context.Background(), filepath.Join(t.TempDir(), "fees.db"), sqlitefees.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc, err := New(Deps{Accounts: g, Store: store, Directory: dir, Workers: 4, Now: time.Now, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	return svc, g, dir
}

var fin = Staff{ID: "fin_1", SchoolID: "35001"}

func classItem(t *testing.T, svc *Service, fen int64, allowBalance bool) Item {
	t.Helper()
	it, err := svc.CreateItem(context.Background(), fin, Definition{Title: "书本费", Category: fee.Books, AmountFen: fen,
		Target: fee.Target{Kind: fee.TargetClasses, ClassIDs: []string{"3-1"}}, DueDay: 20261031, AllowBalance: allowBalance})
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// TestPublishCancelledMidwayThenRerun: a publish whose context is cancelled after some
// bills were issued fails; running it again issues the rest, exactly one bill per pupil.
func TestPublishCancelledMidwayThenRerun(t *testing.T) {
	svc, g, dir := newWorld(t, 50)
	it := classItem(t, svc, 3000, false)
	ctx, cancel := context.WithCancel(context.Background())
	g.cancelAfter, g.cancel = g.calls.Load()+20, cancel
	if _, err := svc.Publish(ctx, fin, it.ID); err == nil {
		t.Fatal("cancelled publish answered success")
	}
	issuedBefore := 0
	for _, p := range dir.list {
		issuedBefore += len(g.states[p.AccountID].Bills)
	}
	if issuedBefore == 0 || issuedBefore == len(dir.list) {
		t.Fatalf("%d bills after the interruption, want some but not all", issuedBefore)
	}
	got, err := svc.Publish(context.Background(), fin, it.ID)
	if err != nil || got.Bills != 50 || got.Issued != 50-issuedBefore {
		t.Fatalf("re-run = %+v, %v; want 50 bills, %d issued", got, err, 50-issuedBefore)
	}
	for _, p := range dir.list {
		if bills := g.states[p.AccountID].Bills; len(bills) != 1 || bills[0].ItemID != it.ID || bills[0].Due != 3000 {
			t.Fatalf("%s: bills %+v", p.AccountID, bills)
		}
	}
	rows, _, err := svc.ListBills(context.Background(), fin, it.ID, "", "", MaxPage)
	if err != nil || len(rows) != 50 {
		t.Fatalf("read model: %d rows, %v", len(rows), err)
	}
}

// TestBillRules: the app checks before the grain and the grain's declines come back as
// typed reasons; nothing changes on a refused movement.
func TestBillRules(t *testing.T) {
	svc, g, _ := newWorld(t, 2)
	ctx := context.Background()
	draft := classItem(t, svc, 5000, true)
	mv := Movement{ItemID: draft.ID, AccountID: "acc_0000", AmountFen: 100, RequestID: "r1"}
	tests := []struct {
		name string
		f    func() error
		want reason.Code
	}{
		{"cash on a draft", func() error { _, err := svc.RecordCash(ctx, fin, mv); return err }, reason.FeeItemNotPublished},
		{"close a draft", func() error { _, err := svc.Close(ctx, fin, draft.ID); return err }, reason.FeeItemNotPublished},
		{"another school", func() error { _, err := svc.GetItem(ctx, Staff{ID: "x", SchoolID: "35002"}, draft.ID); return err }, reason.FeeItemNotFound},
		{"empty target", func() error {
			_, err := svc.CreateItem(ctx, fin, Definition{Title: "x", Category: fee.Other, AmountFen: 1, DueDay: 20261031,
				Target: fee.Target{Kind: fee.TargetClasses}})
			return err
		}, reason.FeeTargetEmpty},
		{"unknown class", func() error {
			_, err := svc.CreateItem(ctx, fin, Definition{Title: "x", Category: fee.Other, AmountFen: 1, DueDay: 20261031,
				Target: fee.Target{Kind: fee.TargetClasses, ClassIDs: []string{"9-9"}}})
			return err
		}, reason.UnknownClass},
	}
	for _, tt := range tests {
		if got := reason.Of(tt.f()); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	if _, err := svc.Publish(ctx, fin, draft.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordCash(ctx, fin, Movement{ItemID: draft.ID, AccountID: "acc_0000", AmountFen: 3000, RequestID: "c1"}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.GrantExemption(ctx, fin, Movement{ItemID: draft.ID, AccountID: "acc_0000", AmountFen: 2001, Text: "r", RequestID: "e1"})
	if !errors.Is(err, reason.Sentinel(reason.KindFailedPrecondition, reason.BillOverpaid)) {
		t.Fatalf("overpaid exemption: %v", err)
	}
	if b, _ := g.states["acc_0000"].Bill(draft.ID); b.Paid != 3000 || b.Exempted != 0 {
		t.Fatalf("refused exemption changed the bill: %+v", b)
	}
	_, err = svc.PayFromBalance(ctx, "par_2", Movement{ItemID: draft.ID, AccountID: "acc_0000", AmountFen: 1, RequestID: "b1"})
	if reason.Of(err) != reason.NotFound {
		t.Fatalf("another parent: %v", err)
	}
	if !ledger.Balanced(g.postings) {
		t.Fatal("ledger does not sum to zero")
	}
}
