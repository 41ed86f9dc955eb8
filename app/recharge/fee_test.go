package recharge

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/ledger"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/sqliteorders"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

const (
	feeSchool = "35001"
	feeItem   = "FIFEE0000000000001"
	feeDue    = 12_000
)

// grainAccounts is one account run by the real rules (domain/account), deduped by
// idempotency key as the grain does, keeping every posting.
type grainAccounts struct {
	mu       sync.Mutex
	st       account.State
	outcomes map[string]*grainv1.Accepted
	postings []ledger.Posting
	executes int
}

func newGrainAccounts(t *testing.T) *grainAccounts {
	t.Helper()
	g := &grainAccounts{outcomes: map[string]*grainv1.Accepted{}}
	for _, c := range []account.Command{
		account.Open{IdemKey: "open", AccountID: testAccount, SchoolID: feeSchool, StudentNo: "2026000001",
			Limits: account.Limits{SingleRechargeMax: testSingleMax, BalanceCap: testCap}, CardRandom: "07", Expiry: 20300831},
		account.IssueBill{IdemKey: "bill", SchoolID: feeSchool, ItemID: feeItem, Amount: feeDue, DueDay: 20300101},
	} {
		if _, err := g.run(c); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

func (g *grainAccounts) run(c account.Command) (*grainv1.Accepted, error) {
	if a, ok := g.outcomes[c.Key()]; ok {
		r := proto.Clone(a).(*grainv1.Accepted)
		r.Replayed = true
		return r, nil
	}
	d, err := account.Decide(g.st, c, time.Now())
	if err != nil {
		return nil, err
	}
	for _, e := range d.Events {
		g.postings = append(g.postings, account.Postings(testAccount, feeSchool, e)...)
	}
	g.st = d.Next
	b := d.Outcome.Bill
	a := &grainv1.Accepted{Seq: int64(d.Outcome.Seq), BalanceFen: int64(d.Outcome.Balance), EventType: d.Outcome.Event}
	if b != (account.Bill{}) {
		a.Bill = &grainv1.Bill{ItemId: b.ItemID, DueFen: int64(b.Due), PaidFen: int64(b.Paid), ExemptedFen: int64(b.Exempted),
			Closed: b.Closed, Status: string(b.Status())}
	}
	g.outcomes[c.Key()] = a
	return a, nil
}

func (g *grainAccounts) Execute(_ context.Context, id string, req *grainv1.ExecuteRequest) (*grainv1.ExecuteResponse, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.executes++
	cmd, err := codec.Command(id, req)
	if err == nil {
		var a *grainv1.Accepted
		if a, err = g.run(cmd); err == nil {
			return &grainv1.ExecuteResponse{Result: &grainv1.ExecuteResponse_Accepted{Accepted: a}}, nil
		}
	}
	return &grainv1.ExecuteResponse{Result: &grainv1.ExecuteResponse_Declined{Declined: &grainv1.Declined{
		Reason: string(account.Reason(err)), Message: err.Error()}}}, nil
}

func (g *grainAccounts) State(_ context.Context, id string) (*grainv1.GetStateResponse, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return &grainv1.GetStateResponse{AccountId: id, SchoolId: g.st.SchoolID, Opened: id == testAccount && g.st.Opened(),
		BalanceFen: int64(g.st.Balance), Limits: &grainv1.Limits{SingleRechargeMaxFen: testSingleMax, BalanceCapFen: testCap}}, nil
}

func (g *grainAccounts) bill() account.Bill {
	g.mu.Lock()
	defer g.mu.Unlock()
	b, _ := g.st.Bill(feeItem)
	return b
}

// fakeProvider is one merchant: a fakeAggregator with a name.
type fakeProvider struct {
	fakeAggregator
	name string
}

func (p *fakeProvider) Name() string { return p.name }
func (p *fakeProvider) Refund(context.Context, RefundRequest) (RemoteRefund, error) {
	return RemoteRefund{}, ErrAggregatorRefused
}
func (p *fakeProvider) QueryRefund(context.Context, string, string) (RemoteRefund, error) {
	return RemoteRefund{}, ErrRefundNotFound
}
func (p *fakeProvider) VerifyNotification(http.Header, []byte, time.Time) (Notice, error) {
	return Notice{}, ErrBadNotification
}
func (p *fakeProvider) Ack(http.ResponseWriter, error) {}

// twoMerchants: the fee school pays through "a", any other school has none; "old"
// is a merchant the school used before.
type twoMerchants struct{ a, old *fakeProvider }

func (m twoMerchants) For(school string) (Provider, error) {
	if school == feeSchool {
		return m.a, nil
	}
	return nil, ErrNoProvider
}

func (m twoMerchants) ByKey(key string) (Provider, error) {
	switch key {
	case "wx:a":
		return m.a, nil
	case "wx:old":
		return m.old, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrNoProvider, key)
}

func (m twoMerchants) MerchantKey(p Provider) string { return "wx:" + p.Name() }

type feeEnv struct {
	s         *Service
	store     Store
	acc       *grainAccounts
	m         twoMerchants
	now       time.Time
	projected atomic.Int64 // OnBill runs on concurrent notifications
}

func newFeeEnv(t *testing.T) *feeEnv {
	t.Helper()
	store, err := sqliteorders.Open(context.Background(), t.TempDir()+"/orders.db", sqliteorders.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e := &feeEnv{store: store, acc: newGrainAccounts(t), m: twoMerchants{a: &fakeProvider{name: "a"}, old: &fakeProvider{name: "old"}}, now: time.Now()}
	e.s, err = New(Config{Accounts: e.acc, Orders: store, Providers: e.m, NotifyURL: "https://onecode.example/notify",
		ResolveAfter: time.Millisecond, Rand: rand.Reader, Now: func() time.Time { return e.now },
		OnBill: func(context.Context, string, *grainv1.Accepted) { e.projected.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *feeEnv) order(t *testing.T, req string, fen int64) Recharge {
	t.Helper()
	rc, err := e.s.CreateFeeOrder(context.Background(), FeeOrder{ParentID: testParent, AccountID: testAccount, ItemID: feeItem,
		AmountFen: fen, RequestID: req, Payer: Payer{Channel: ChannelH5, ClientIP: "203.0.113.7"}})
	if err != nil {
		t.Fatalf("CreateFeeOrder %s: %v", req, err)
	}
	return rc
}

// ledgerOK: every posting of the account's history sums to zero.
func (e *feeEnv) ledgerOK(t *testing.T) {
	t.Helper()
	if sum, err := ledger.Sum(e.acc.postings); err != nil || sum != 0 {
		t.Fatalf("ledger sums to %s (%v), want 0", sum, err)
	}
}

func TestFeeOrderPaysTheBillNotTheWallet(t *testing.T) {
	e := newFeeEnv(t)
	ctx := context.Background()
	rc := e.order(t, "req-1", feeDue)
	o, _ := e.store.Get(ctx, rc.OrderID)
	if rc.State != order.StateAwaitingPayment || o.Purpose != orders.PurposeFee || o.ItemID != feeItem ||
		o.SchoolID != feeSchool || o.MerchantKey != "wx:a" || e.m.a.places != 1 {
		t.Fatalf("order %+v (answer %+v), %d places", o, rc, e.m.a.places)
	}
	if err := e.s.Paid(ctx, Payment{OrderID: rc.OrderID, TransactionID: "42", AmountFen: feeDue - 1}); !errors.Is(err, ErrAmountMismatch) {
		t.Fatalf("amount mismatch: %v", err)
	}
	if b := e.acc.bill(); b.Paid != 0 {
		t.Fatalf("a mismatched payment paid %s", b.Paid)
	}
	// Five notifications at once: the bill is paid once.
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.s.Paid(ctx, Payment{OrderID: rc.OrderID, TransactionID: "42", AmountFen: feeDue}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	b := e.acc.bill()
	if b.Paid != feeDue || b.Status() != "paid" || e.acc.st.Balance != 0 {
		t.Fatalf("bill %+v, balance %s; want paid once, the wallet untouched", b, e.acc.st.Balance)
	}
	if got, _ := e.s.Get(ctx, rc.OrderID); got.State != order.StateCredited || e.projected.Load() == 0 {
		t.Fatalf("order %s, %d projections", got.State, e.projected.Load())
	}
	income := money.Amount(0)
	for _, p := range e.acc.postings {
		if p.Account == ledger.FeeIncome(feeSchool) {
			income += p.Amount
		}
	}
	if income != feeDue {
		t.Fatalf("fee income %s, want %d", income, feeDue)
	}
	e.ledgerOK(t)
}

func TestFeeOrderForASettledBillGoesToTheWallet(t *testing.T) {
	e := newFeeEnv(t)
	ctx := context.Background()
	rc := e.order(t, "req-1", feeDue)
	// Paid in cash while the parent paid online: the money is real, it lands in the wallet.
	if _, err := e.acc.Execute(ctx, testAccount, &grainv1.ExecuteRequest{IdemKey: "cash-1", Command: &grainv1.ExecuteRequest_PayBillCash{
		PayBillCash: &grainv1.PayBillCashCommand{ItemId: feeItem, AmountFen: feeDue, StaffId: "fin-1"}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Paid(ctx, Payment{OrderID: rc.OrderID, TransactionID: "42", AmountFen: feeDue}); err != nil {
		t.Fatal(err)
	}
	if b := e.acc.bill(); b.Paid != feeDue || b.Paid+b.Exempted > b.Due || e.acc.st.Balance != feeDue {
		t.Fatalf("bill %+v, balance %s; want the bill paid once and the payment in the wallet", b, e.acc.st.Balance)
	}
	e.ledgerOK(t)
}

func TestFeeOrderOnePerBill(t *testing.T) {
	e := newFeeEnv(t)
	ctx := context.Background()
	first := e.order(t, "req-1", feeDue)
	if again := e.order(t, "req-2", feeDue); again.OrderID != first.OrderID || e.m.a.places != 1 {
		t.Fatalf("a second request for the same bill: %s (%d places), want the open order %s again", again.OrderID, e.m.a.places, first.OrderID)
	}
	if r := e.order(t, "req-1", feeDue); r.OrderID != first.OrderID {
		t.Fatalf("replay answered %s", r.OrderID)
	}
	// Another amount (a part was paid in cash meanwhile): the open order is closed first.
	second := e.order(t, "req-3", feeDue-2000)
	if second.OrderID == first.OrderID || e.m.a.closes != 1 {
		t.Fatalf("re-order: %s after %d closes; want a new order after closing the old one", second.OrderID, e.m.a.closes)
	}
	if o, _ := e.store.Get(ctx, first.OrderID); o.State != order.StateClosed {
		t.Fatalf("old order %s, want closed", o.State)
	}
	// The old one paid at the last moment: it cannot be closed, no new order.
	e.m.a.closeErr = ErrOrderPaid
	_, err := e.s.CreateFeeOrder(ctx, FeeOrder{ParentID: testParent, AccountID: testAccount, ItemID: feeItem, AmountFen: 500, RequestID: "req-4"})
	wantReason(t, "open order paid meanwhile", err, reason.KindFailedPrecondition, reason.BillOrderOpen)
	_, err = e.s.CreateFeeOrder(ctx, FeeOrder{ParentID: testParent, AccountID: testAccount, ItemID: "other", AmountFen: 500, RequestID: "req-1"})
	wantReason(t, "request id of another bill", err, reason.KindAlreadyExists, reason.IdempotencyConflict)
	_, err = e.s.CreateFeeOrder(ctx, FeeOrder{ParentID: testParent, AccountID: testAccount, ItemID: feeItem, AmountFen: 0, RequestID: "req-5"})
	wantReason(t, "nothing due", err, reason.KindFailedPrecondition, reason.BillNothingDue)
}

// TestFeeOrderLostCreateResumedOnANewTap: the prepay answer was lost; the parent's
// page gave up and the parent taps pay again (a new request id). The order is asked
// for again and handed out, not refused as "in progress" until the resolver runs.
func TestFeeOrderLostCreateResumedOnANewTap(t *testing.T) {
	e := newFeeEnv(t)
	ctx := context.Background()
	e.m.a.placeErr = errors.New("timeout")
	first := e.order(t, "req-1", feeDue)
	if first.State != order.StatePending {
		t.Fatalf("first order %s, want pending (answer lost)", first.State)
	}
	_, err := e.s.CreateFeeOrder(ctx, FeeOrder{ParentID: testParent, AccountID: testAccount, ItemID: feeItem, AmountFen: feeDue, RequestID: "req-2"})
	wantReason(t, "answer lost again", err, reason.KindFailedPrecondition, reason.BillOrderOpen)
	_, err = e.s.CreateFeeOrder(ctx, FeeOrder{ParentID: "other-parent", AccountID: testAccount, ItemID: feeItem, AmountFen: feeDue, RequestID: "req-o"})
	if r, ok := reason.As(err); !ok || r.Code != reason.BillOrderOpen {
		t.Fatalf("another guardian's tap: %v, want BILL_ORDER_OPEN (not resumed for someone else)", err)
	}
	e.m.a.placeErr = nil
	again := e.order(t, "req-3", feeDue)
	if again.OrderID != first.OrderID || again.State != order.StateAwaitingPayment || again.PayURL == "" {
		t.Fatalf("new tap = %+v; want order %s awaiting payment with its pay URL", again, first.OrderID)
	}
}

func TestFeeOrderConcurrentOneWins(t *testing.T) {
	e := newFeeEnv(t)
	var wg sync.WaitGroup
	ids := make(chan string, 6)
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc, err := e.s.CreateFeeOrder(context.Background(), FeeOrder{ParentID: testParent, AccountID: testAccount, ItemID: feeItem,
				AmountFen: feeDue, RequestID: fmt.Sprintf("req-%d", i)})
			if err == nil {
				ids <- rc.OrderID
			} else if e, ok := reason.As(err); !ok || e.Code != reason.BillOrderOpen {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != 1 {
		t.Fatalf("%d distinct orders of one bill, want 1", len(seen))
	}
}

func TestOrdersUseTheirMerchant(t *testing.T) {
	e := newFeeEnv(t)
	ctx := context.Background()
	// An order placed with the school's former merchant is resolved there.
	now := e.now
	if _, _, err := e.store.Create(ctx, orders.Order{OrderID: "RFORMERMERCHANT00001", RequestID: "req-0", ParentID: testParent,
		AccountID: testAccount, Purpose: orders.PurposeFee, ItemID: feeItem, SchoolID: feeSchool, MerchantKey: "wx:old",
		AmountFen: feeDue, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, nil); err != nil {
		t.Fatal(err)
	}
	e.m.old.query = RemoteOrder{State: order.RemotePaid, AmountFen: feeDue, TransactionID: "42"}
	e.m.a.queryErr = errors.New("the current merchant must not be asked")
	e.now = e.now.Add(time.Second)
	if n, err := e.s.ResolveOnce(ctx); err != nil || n != 1 {
		t.Fatalf("ResolveOnce = %d, %v", n, err)
	}
	if b := e.acc.bill(); b.Paid != feeDue {
		t.Fatalf("bill after the resolver's query: %+v", b)
	}
	// A school without a merchant: disabled, nothing written.
	e.acc.st.SchoolID = "99999"
	_, err := e.s.Create(ctx, testParent, testAccount, 100, "req-r")
	wantReason(t, "no merchant", err, reason.KindUnavailable, reason.RechargeDisabled)
	if _, err := e.store.ByRequest(ctx, testParent, "req-r"); !errors.Is(err, orders.ErrNotFound) {
		t.Fatalf("an order without merchant was written: %v", err)
	}
}
