package recharge

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/sqliteorders"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Limits of the test account (fen): single 1,000 yuan, cap 2,000 yuan.
const (
	testSingleMax = 100_000
	testCap       = 200_000
	testParent    = "parent-1"
	testAccount   = "acc_35001_2024000001"
)

// fakeAccounts is one opened account that credits once per idempotency key.
type fakeAccounts struct {
	mu       sync.Mutex
	balance  int64
	credited map[string]bool
	calls    int
	decline  string
}

func (f *fakeAccounts) State(_ context.Context, id string) (*grainv1.GetStateResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &grainv1.GetStateResponse{AccountId: id, Opened: id == testAccount, BalanceFen: f.balance,
		Limits: &grainv1.Limits{SingleRechargeMaxFen: testSingleMax, BalanceCapFen: testCap}}, nil
}

func (f *fakeAccounts) Execute(_ context.Context, _ string, req *grainv1.ExecuteRequest) (*grainv1.ExecuteResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.decline != "" {
		return &grainv1.ExecuteResponse{Result: &grainv1.ExecuteResponse_Declined{Declined: &grainv1.Declined{Reason: f.decline}}}, nil
	}
	replayed := f.credited[req.GetIdemKey()]
	if !replayed {
		f.credited[req.GetIdemKey()] = true
		f.balance += req.GetRechargeCredit().GetAmountFen()
	}
	return &grainv1.ExecuteResponse{Result: &grainv1.ExecuteResponse_Accepted{Accepted: &grainv1.Accepted{BalanceFen: f.balance, Replayed: replayed}}}, nil
}

// fakeAggregator answers as told and counts the calls.
type fakeAggregator struct {
	mu       sync.Mutex
	placeErr error
	query    RemoteOrder
	queryErr error
	closeErr error
	places   int
	closes   int
	requests []PlaceRequest // every Place, in order
}

func (f *fakeAggregator) Place(_ context.Context, req PlaceRequest) (Placed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.places++
	f.requests = append(f.requests, req)
	if f.placeErr != nil {
		return Placed{}, f.placeErr
	}
	return Placed{PayURL: "https://pay.example/" + req.OrderID}, nil
}

func (f *fakeAggregator) Query(context.Context, string) (RemoteOrder, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.query, f.queryErr
}

func (f *fakeAggregator) Close(context.Context, string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closes++
	return f.closeErr
}

type env struct {
	s     *Service
	store Store
	acc   *fakeAccounts
	agg   *fakeAggregator
	now   time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	store, err := sqliteorders.Open(context.Background(), t.TempDir()+"/orders.db", sqliteorders.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e := &env{store: store, acc: &fakeAccounts{credited: map[string]bool{}}, agg: &fakeAggregator{},
		now: time.Now()}
	e.s, err = New(Config{Accounts: e.acc, Orders: store, Aggregator: e.agg, NotifyURL: "https://onecode.example/notify",
		ResolveAfter: time.Millisecond, Rand: rand.Reader, Now: func() time.Time { return e.now }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func wantReason(t *testing.T, what string, err error, kind reason.Kind, code reason.Code) {
	t.Helper()
	e, ok := reason.As(err)
	if !ok || e.Kind != kind || e.Code != code {
		t.Fatalf("%s: got %v, want %v %s", what, err, kind, code)
	}
}

func TestCreateChecksLimitsBeforeTheAggregator(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.s.Create(ctx, testParent, testAccount, testSingleMax+1, "req-big")
	wantReason(t, "over the single max", err, reason.KindFailedPrecondition, reason.RechargeSingleMax)
	if _, err := e.s.Create(ctx, testParent, testAccount, testSingleMax, "req-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Create(ctx, testParent, testAccount, 60_000, "req-b"); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.Create(ctx, testParent, testAccount, 50_000, "req-c") // 2,100 > 2,000 with what is pending
	wantReason(t, "over the cap", err, reason.KindFailedPrecondition, reason.RechargeBalanceCap)
	if !strings.Contains(err.Error(), "at most 400.00 yuan") {
		t.Errorf("cap message %q does not say how much is left", err)
	}
	for _, req := range []string{"req-big", "req-c"} {
		if _, err := e.store.ByRequest(ctx, testParent, req); !errors.Is(err, orders.ErrNotFound) {
			t.Errorf("refused %s was written: %v", req, err)
		}
	}
	if e.agg.places != 2 {
		t.Errorf("%d orders placed at the aggregator, want only the 2 accepted", e.agg.places)
	}
	_, err = e.s.Create(ctx, testParent, "acc_unknown", 100, "req-d")
	wantReason(t, "account not opened", err, reason.KindNotFound, reason.AccountNotOpened)
	for _, tc := range []struct {
		name             string
		parent, acc, req string
		fen              int64
		wantCode         reason.Code
	}{
		{"no parent", "", testAccount, "r", 1, reason.InvalidArgument},
		{"no amount", testParent, testAccount, "r", 0, reason.InvalidAmount},
		{"long request id", testParent, testAccount, strings.Repeat("r", 65), 1, reason.InvalidRequestID},
	} {
		_, err := e.s.Create(ctx, tc.parent, tc.acc, tc.fen, tc.req)
		wantReason(t, tc.name, err, reason.KindInvalid, tc.wantCode)
	}
}

func TestCreateReplays(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first, err := e.s.Create(ctx, testParent, testAccount, 5000, "req-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.s.Create(ctx, testParent, testAccount, 5000, "req-1")
	if err != nil || again.OrderID != first.OrderID || e.agg.places != 1 {
		t.Fatalf("replay = %+v, %v after %d places; want order %s, placed once", again, err, e.agg.places, first.OrderID)
	}
	_, err = e.s.Create(ctx, testParent, testAccount, 6000, "req-1")
	wantReason(t, "same request, other amount", err, reason.KindAlreadyExists, reason.IdempotencyConflict)
}

func TestCreateOutcomes(t *testing.T) {
	unknown := errors.New("timeout")
	for _, tc := range []struct {
		name      string
		placeErr  error
		wantState order.State
		wantErr   error
	}{
		{"accepted", nil, order.StateAwaitingPayment, nil},
		{"breaker open", ErrAggregatorUnavailable, order.StateFailed, ErrUnavailable},
		{"refused", ErrAggregatorRefused, order.StateFailed, ErrUnavailable},
		{"timeout: unknown, no second order", unknown, order.StatePending, nil},
		{"paid (never a refusal)", errors.Join(ErrOrderPaid), order.StatePending, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.agg.placeErr = tc.placeErr
			rc, err := e.s.Create(context.Background(), testParent, testAccount, 5000, "req-1")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Create error %v, want %v", err, tc.wantErr)
			}
			o, gerr := e.store.ByRequest(context.Background(), testParent, "req-1")
			if gerr != nil || o.State != tc.wantState {
				t.Fatalf("order %+v, %v; want %s", o, gerr, tc.wantState)
			}
			if err == nil && (rc.State != tc.wantState || (rc.PayURL != "") != (tc.wantState == order.StateAwaitingPayment)) {
				t.Errorf("answer %+v: want %s, a pay URL only while awaiting payment", rc, tc.wantState)
			}
		})
	}
}

// TestCreateAgainResumesALostCreate: a parent who asks again for an order whose
// create answer was lost gets its pay URL at once (the provider asked again with
// identical fields), not after the resolver's delay; a paid one is never failed.
func TestCreateAgainResumesALostCreate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.agg.placeErr = errors.New("timeout")
	first, err := e.s.Create(ctx, testParent, testAccount, 5000, "req-1")
	if err != nil || first.State != order.StatePending {
		t.Fatalf("first = %+v, %v; want pending", first, err)
	}
	again, err := e.s.Create(ctx, testParent, testAccount, 5000, "req-1")
	if err != nil || again.State != order.StatePending || e.agg.places != 2 {
		t.Fatalf("asked again while the answer is lost again = %+v, %v after %d places; want pending, asked twice", again, err, e.agg.places)
	}
	e.agg.placeErr = ErrOrderPaid // paid meanwhile: left to the resolver's query, not failed
	if again, err = e.s.Create(ctx, testParent, testAccount, 5000, "req-1"); err != nil || again.State != order.StatePending {
		t.Fatalf("asked again when paid = %+v, %v; want still pending", again, err)
	}
	e.agg.placeErr = nil
	again, err = e.s.Create(ctx, testParent, testAccount, 5000, "req-1")
	if err != nil || again.OrderID != first.OrderID || again.State != order.StateAwaitingPayment || again.PayURL == "" {
		t.Fatalf("asked again = %+v, %v; want order %s awaiting payment with a pay URL", again, err, first.OrderID)
	}
	if r := e.agg.requests; r[0] != r[len(r)-1] {
		t.Errorf("asked again with other fields: %+v then %+v", r[0], r[len(r)-1])
	}
	places := e.agg.places
	if _, err := e.s.Create(ctx, testParent, testAccount, 5000, "req-1"); err != nil || e.agg.places != places {
		t.Errorf("an order awaiting payment was placed again (%d → %d places), %v", places, e.agg.places, err)
	}
}

func TestGetOwn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rc, err := e.s.Create(ctx, testParent, testAccount, 5000, "req-1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.s.GetOwn(ctx, testParent, rc.OrderID); err != nil || got.OrderID != rc.OrderID {
		t.Fatalf("own order: %+v, %v", got, err)
	}
	for _, tc := range []struct{ name, parent, id string }{
		{"another parent's", "parent-2", rc.OrderID},
		{"unknown", testParent, "RNOSUCHORDER000000000"},
		{"not an order id", testParent, "R/../x"},
		{"empty", testParent, ""},
		{"too long", testParent, strings.Repeat("R", 65)},
	} {
		_, err := e.s.GetOwn(ctx, tc.parent, tc.id)
		wantReason(t, tc.name, err, reason.KindNotFound, reason.RechargeNotFound)
	}
}

func TestPaidCreditsOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rc, err := e.s.Create(ctx, testParent, testAccount, 5000, "req-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.s.Paid(ctx, Payment{OrderID: "RUNKNOWN0000000000000", TransactionID: "42", AmountFen: 5000}); !errors.Is(err, ErrUnknownOrder) {
		t.Errorf("unknown order: %v", err)
	}
	if err := e.s.Paid(ctx, Payment{OrderID: rc.OrderID, TransactionID: "42", AmountFen: 1}); !errors.Is(err, ErrAmountMismatch) {
		t.Errorf("amount mismatch: %v", err)
	}
	for range 3 {
		if err := e.s.Paid(ctx, Payment{OrderID: rc.OrderID, TransactionID: "42", AmountFen: 5000}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := e.s.Get(ctx, rc.OrderID)
	if got.State != order.StateCredited || got.PayURL != "" || e.acc.balance != 5000 || e.acc.calls != 1 {
		t.Fatalf("after 3 notifications: %+v, balance %d, %d credits asked; want credited once", got, e.acc.balance, e.acc.calls)
	}
}

func TestPaidDeclinedCreditChangesNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rc, err := e.s.Create(ctx, testParent, testAccount, 5000, "req-1")
	if err != nil {
		t.Fatal(err)
	}
	e.acc.decline = string(reason.RechargeBalanceCap)
	if err := e.s.Paid(ctx, Payment{OrderID: rc.OrderID, TransactionID: "42", AmountFen: 5000}); !errors.Is(err, ErrCreditDeclined) {
		t.Fatalf("declined credit: %v", err)
	}
	if got, _ := e.s.Get(ctx, rc.OrderID); got.State != order.StateAwaitingPayment {
		t.Fatalf("order %s after a declined credit, want still awaiting payment", got.State)
	}
}

func TestResolveOnce(t *testing.T) {
	paid := RemoteOrder{State: order.RemotePaid, AmountFen: 5000, TransactionID: "42"}
	for _, tc := range []struct {
		name        string
		placeErr    error // at Create: nil leaves the order awaiting payment, an unknown error pending
		age         time.Duration
		query       RemoteOrder
		queryErr    error
		closeErr    error
		wantState   order.State
		wantSettled int
		wantErr     error
	}{
		{"paid, notification lost", nil, time.Second, paid, nil, nil, order.StateCredited, 1, nil},
		{"paid another amount", nil, time.Second, RemoteOrder{State: order.RemotePaid, AmountFen: 1, TransactionID: "42"}, nil, nil, order.StateAwaitingPayment, 0, nil},
		{"unpaid, still time", nil, time.Second, RemoteOrder{State: order.RemoteNotPaid}, nil, nil, order.StateAwaitingPayment, 0, nil},
		{"unpaid, expired: closed there first", nil, time.Hour, RemoteOrder{State: order.RemoteNotPaid}, nil, nil, order.StateClosed, 1, nil},
		{"unpaid, expired, paid at the close", nil, time.Hour, RemoteOrder{State: order.RemoteNotPaid}, nil, ErrOrderPaid, order.StateAwaitingPayment, 0, nil},
		{"closed there", nil, time.Second, RemoteOrder{State: order.RemoteClosed}, nil, nil, order.StateClosed, 1, nil},
		{"lost create answer: asked again", errors.New("timeout"), time.Second, RemoteOrder{State: order.RemoteNotPaid}, nil, nil, order.StateAwaitingPayment, 1, nil},
		{"lost create: never arrived", errors.New("timeout"), time.Second, RemoteOrder{State: order.RemoteUnknown}, nil, nil, order.StateFailed, 1, nil},
		{"aggregator down ends the round", nil, time.Second, RemoteOrder{}, ErrAggregatorUnavailable, nil, order.StateAwaitingPayment, 0, ErrAggregatorUnavailable},
		{"temporary failure: next round", nil, time.Second, RemoteOrder{}, errors.New("5xx"), nil, order.StateAwaitingPayment, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			e.agg.placeErr = tc.placeErr
			rc, err := e.s.Create(ctx, testParent, testAccount, 5000, "req-1")
			if err != nil {
				t.Fatal(err)
			}
			e.agg.placeErr = nil
			e.agg.query, e.agg.queryErr, e.agg.closeErr = tc.query, tc.queryErr, tc.closeErr
			e.now = e.now.Add(tc.age)
			n, err := e.s.ResolveOnce(ctx)
			if n != tc.wantSettled || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("ResolveOnce = %d, %v; want %d, %v", n, err, tc.wantSettled, tc.wantErr)
			}
			if got, _ := e.s.Get(ctx, rc.OrderID); got.State != tc.wantState {
				t.Fatalf("order %s, want %s", got.State, tc.wantState)
			}
		})
	}
}
