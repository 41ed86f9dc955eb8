package gateway_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/aggregator/sandbox"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/pgorders"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

var (
	rechargeKeysOnce sync.Once
	rechargeKeys     aggregator.KeySet
)

// rechargeKeySet is one generated key set per test binary (RSA generation is slow).
func rechargeKeySet(t *testing.T) aggregator.KeySet {
	t.Helper()
	rechargeKeysOnce.Do(func() {
		var err error
		if rechargeKeys, err = aggregator.GenerateKeySet(rand.Reader, "1900000109", "wxd678efh567hg6787"); err != nil {
			panic(err)
		}
	})
	return rechargeKeys
}

// Limits of the test account (fen): single 1,000 yuan, cap 2,000 yuan.
const (
	rcSingleMax = 100_000
	rcCap       = 200_000
	rcParent    = "parent-1"
	rcAccount   = "acc_35001_2024000001"
)

// The aggregator client's call timeout, and the injected latency that outlasts
// it: far enough apart that a loaded machine does not blur which one ended a
// call.
const (
	rcCallTimeout = time.Second
	rcSlow        = 2 * time.Second
)

// rechargeEnv is the recharge path for real: PostgreSQL journal and orders, a
// one-member cluster of Account grains, the sandbox aggregator on loopback and the
// notify handler on its own loopback server.
type rechargeEnv struct {
	rc       *gateway.Recharges
	store    orders.Store
	accounts *actors.Accounts
	sb       *sandbox.Server
	sbURL    string
	client   *aggregator.Client
	merchant aggregator.Merchant
	notify   string
	creates  *createCounter
	offset   atomic.Int64 // added to the recharges' clock
}

// createCounter sees the create requests reaching the sandbox. With detach set, a
// create outlives the client's timeout (the aggregator took the order, the answer was
// lost) and done is signalled once the sandbox has answered it.
type createCounter struct {
	mu     sync.Mutex
	byNo   map[string]int
	detach atomic.Bool
	done   chan struct{}
}

func (c *createCounter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v3/pay/transactions/h5" {
			h.ServeHTTP(w, r)
			return
		}
		body, _ := readAll(r)
		var req aggregator.PrepayRequest
		_ = json.Unmarshal(body, &req)
		c.mu.Lock()
		c.byNo[req.OutTradeNo]++
		c.mu.Unlock()
		r.Body = readCloser(body)
		if c.detach.Load() {
			r = r.WithContext(context.WithoutCancel(r.Context()))
		}
		// done tells a test that the sandbox is through with a create (answered,
		// or dropped because the client gave up); tests wait on at most the first.
		defer func() {
			select {
			case c.done <- struct{}{}:
			default:
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// orders returns how many distinct orders and create requests reached the sandbox.
func (c *createCounter) counts() (orders, requests int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.byNo {
		orders++
		requests += n
	}
	return orders, requests
}

func newRechargeEnv(t *testing.T, faults sandbox.Faults) *rechargeEnv {
	t.Helper()
	ctx := context.Background()
	sw := switchtest.New(t, switchtest.Options{Name: "recharge-test", Logger: rcLogger(), NoDirectory: true})
	store, err := pgorders.Open(ctx, sw.DSN, pgorders.Options{})
	if err != nil {
		t.Fatalf("open orders: %v", err)
	}
	t.Cleanup(func() { store.Close() })

	keys := rechargeKeySet(t)
	if len(faults.RetryLadder) == 0 {
		faults.RetryLadder = []sandbox.Duration{0, sandbox.Duration(50 * time.Millisecond), sandbox.Duration(100 * time.Millisecond)}
	}
	sb, err := sandbox.New(sandbox.Config{Keys: sandbox.KeysFromSet(keys), Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	e := &rechargeEnv{store: store, accounts: sw.Accounts, sb: sb,
		creates: &createCounter{byNo: map[string]int{}, done: make(chan struct{}, 8)}}
	sbSrv := httptest.NewServer(e.creates.wrap(sb.Handler()))
	t.Cleanup(func() { sbSrv.Close(); sb.Close() })
	e.sbURL = sbSrv.URL
	e.client, err = aggregator.NewClient(aggregator.Config{BaseURL: sbSrv.URL, Keys: keys.Merchant(), CallTimeout: rcCallTimeout,
		Breaker: aggregator.BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: time.Minute, ConsecutiveFailures: 3}})
	if err != nil {
		t.Fatal(err)
	}
	e.merchant = aggregator.Merchant{Mode: aggregator.ModeDirect, AppID: keys.AppID, MchID: keys.MchID}
	port, err := aggregator.NewRechargePort(e.client, e.merchant, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	var handler atomic.Pointer[http.Handler]
	notifySrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*handler.Load()).ServeHTTP(w, r) }))
	t.Cleanup(notifySrv.Close)
	e.notify = notifySrv.URL + "/v1/aggregator/notify"
	e.rc, err = gateway.NewRecharges(recharge.Config{
		Accounts: e.accounts, Orders: store, Aggregator: port, NotifyURL: e.notify,
		ResolveAfter: time.Millisecond, Step: 5 * time.Second, Rand: rand.Reader, Logger: rcLogger(),
		Now: func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) },
	}, e.client.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	h := e.rc.NotifyHandler()
	handler.Store(&h)
	e.open(t, rcAccount)
	return e
}

func (e *rechargeEnv) open(t *testing.T, id string) {
	t.Helper()
	resp, err := e.accounts.Execute(context.Background(), id, &grainv1.ExecuteRequest{IdemKey: "open", Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{
		SchoolId: "35001", StudentNo: "2024000001", CardRandom: "07", CardExpiry: rcNextYear(),
		Limits: &grainv1.Limits{SingleRechargeMaxFen: rcSingleMax, BalanceCapFen: rcCap, DailySpendCapFen: 10_000, ArrearsCapFen: 2000},
	}}})
	if err != nil || resp.GetAccepted() == nil {
		t.Fatalf("open %s: %v %v", id, resp, err)
	}
}

func (e *rechargeEnv) balance(t *testing.T) int64 {
	t.Helper()
	st, err := e.accounts.State(context.Background(), rcAccount)
	if err != nil {
		t.Fatal(err)
	}
	return st.GetBalanceFen()
}

func (e *rechargeEnv) create(t *testing.T, req string, fen int64) *apiv1.Recharge {
	t.Helper()
	rc, err := e.rc.Create(context.Background(), rcParent, rcAccount, fen, req, apiv1.PayChannel_PAY_CHANNEL_H5)
	if err != nil {
		t.Fatalf("Create %s %d: %v", req, fen, err)
	}
	return rc
}

// pay plays the parent paying at the sandbox.
func (e *rechargeEnv) pay(t *testing.T, orderID string) {
	t.Helper()
	resp, err := http.Post(e.sbURL+"/sandbox/pay/"+orderID, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("pay %s: HTTP %d", orderID, resp.StatusCode)
	}
}

// waitState polls the order until it reaches want (a deadline, not a sleep).
func (e *rechargeEnv) waitState(t *testing.T, orderID string, want apiv1.Recharge_State) *apiv1.Recharge {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rc, err := e.rc.Get(context.Background(), orderID)
		if err != nil {
			t.Fatal(err)
		}
		if rc.GetState() == want {
			return rc
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s is %v, want %v", orderID, rc.GetState(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *rechargeEnv) state(t *testing.T, orderID string) apiv1.Recharge_State {
	t.Helper()
	rc, err := e.rc.Get(context.Background(), orderID)
	if err != nil {
		t.Fatal(err)
	}
	return rc.GetState()
}

// wantRechargeCode checks err as the edge answers it (gateway.ErrorStatus, which the
// interceptors apply to every error a service returns).
func wantRechargeCode(t *testing.T, err error, code codes.Code, want reason.Code) {
	t.Helper()
	st := status.Convert(gateway.ErrorStatus(err))
	if st.Code() != code {
		t.Fatalf("got %v, want code %v", err, code)
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == string(want) {
			return
		}
	}
	t.Fatalf("got %v (details %v), want reason %s", err, st.Details(), want)
}

func TestRechargePayNotifyCreditsOnce(t *testing.T) {
	e := newRechargeEnv(t, sandbox.Faults{})
	ctx := context.Background()
	rc := e.create(t, "req-1", 5000)
	if rc.GetState() != apiv1.Recharge_STATE_AWAITING_PAYMENT || !strings.Contains(rc.GetPayUrl(), "/sandbox/pay/"+rc.GetOrderId()) ||
		len(rc.GetOrderId()) != 21 || rc.GetOrderId()[0] != 'R' || rc.GetExpiresUnix()-rc.GetCreatedUnix() < 14*60 {
		t.Fatalf("Create = %v", rc)
	}
	if p, a, err := e.rc.Owner(ctx, rc.GetOrderId()); p != rcParent || a != rcAccount || err != nil {
		t.Fatalf("Owner = %s %s %v", p, a, err)
	}
	again := e.create(t, "req-1", 5000)
	if again.GetOrderId() != rc.GetOrderId() {
		t.Fatalf("same request answered order %s, want %s", again.GetOrderId(), rc.GetOrderId())
	}
	_, err := e.rc.Create(ctx, rcParent, rcAccount, 6000, "req-1", apiv1.PayChannel_PAY_CHANNEL_H5)
	wantRechargeCode(t, err, codes.AlreadyExists, reason.IdempotencyConflict)

	e.pay(t, rc.GetOrderId())
	got := e.waitState(t, rc.GetOrderId(), apiv1.Recharge_STATE_CREDITED)
	if got.GetPayUrl() != "" {
		t.Errorf("a credited order still shows a pay URL: %v", got)
	}
	if b := e.balance(t); b != 5000 {
		t.Fatalf("balance %d, want 5000", b)
	}
	if n, _ := e.store.PendingSum(ctx, rcAccount); n != 0 {
		t.Fatalf("pending %d after credit, want 0", n)
	}
	if n, reqs := e.creates.counts(); n != 1 || reqs != 1 {
		t.Fatalf("%d orders, %d create requests at the aggregator, want 1 and 1", n, reqs)
	}
	_, err = e.rc.Get(ctx, "RNOSUCHORDER000000000")
	wantRechargeCode(t, err, codes.NotFound, reason.RechargeNotFound)
}

func TestRechargeDuplicateNotificationsCreditOnce(t *testing.T) {
	e := newRechargeEnv(t, sandbox.Faults{DupNotify: 5})
	rc := e.create(t, "req-dup", 3000)
	e.pay(t, rc.GetOrderId())
	deadline := time.Now().Add(10 * time.Second)
	for e.sb.Stats().Delivered < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("deliveries %+v, want 5 delivered", e.sb.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := e.sb.Stats(); st.Delivered != 5 || st.GaveUp != 0 {
		t.Fatalf("sandbox stats %+v: every copy must be acknowledged", st)
	}
	e.waitState(t, rc.GetOrderId(), apiv1.Recharge_STATE_CREDITED)
	if b := e.balance(t); b != 3000 {
		t.Fatalf("balance %d after 5 notifications, want 3000", b)
	}
}

func TestRechargeDroppedNotificationResolvedByPoller(t *testing.T) {
	e := newRechargeEnv(t, sandbox.Faults{DropNotify: 1000})
	ctx := context.Background()
	rc := e.create(t, "req-drop", 4000)
	e.pay(t, rc.GetOrderId())
	if st := e.sb.Stats(); st.Dropped != 1 {
		t.Fatalf("sandbox stats %+v, want the notification dropped", st)
	}
	if s := e.state(t, rc.GetOrderId()); s != apiv1.Recharge_STATE_AWAITING_PAYMENT {
		t.Fatalf("before the poller: %v", s)
	}
	e.offset.Add(int64(time.Second)) // past ResolveAfter (1 ms) on the recharges' clock
	n, err := e.rc.ResolveOnce(ctx)
	if err != nil || n != 1 {
		t.Fatalf("ResolveOnce = %d, %v; want 1 settled", n, err)
	}
	e.waitState(t, rc.GetOrderId(), apiv1.Recharge_STATE_CREDITED)
	if b := e.balance(t); b != 4000 {
		t.Fatalf("balance %d, want 4000", b)
	}
	if n, err := e.rc.ResolveOnce(ctx); err != nil || n != 0 {
		t.Fatalf("second ResolveOnce = %d, %v; want nothing left", n, err)
	}
}

// notification builds a real-format TRANSACTION.SUCCESS notification the way WeChat
// Pay does: signed by key under serial (a platform certificate's, or PUB_KEY_ID_…),
// sealed under apiV3, at its timestamp.
func notification(t *testing.T, tx aggregator.Transaction, at time.Time, key *rsa.PrivateKey, serial string, apiV3 []byte) (http.Header, []byte) {
	t.Helper()
	plain, _ := json.Marshal(tx)
	res, err := aggregator.SealResource(apiV3, aggregator.ResourceTransaction, aggregator.ResourceTransaction, plain, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(aggregator.NotificationBody{ID: "EV-" + tx.OutTradeNo, CreateTime: aggregator.FormatTime(at),
		EventType: aggregator.EventTransactionSuccess, ResourceType: aggregator.ResourceTypeEncrypted, Summary: "支付成功", Resource: res})
	nonce, _ := aggregator.NewNonce(rand.Reader, 32)
	ts := strconv.FormatInt(at.Unix(), 10)
	sig, err := aggregator.Sign(key, aggregator.ResponseMessage(ts, nonce, body))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(aggregator.HeaderTimestamp, ts)
	h.Set(aggregator.HeaderNonce, nonce)
	h.Set(aggregator.HeaderSignature, sig)
	h.Set(aggregator.HeaderSerial, serial)
	h.Set("Content-Type", "application/json")
	return h, body
}

func (e *rechargeEnv) post(t *testing.T, h http.Header, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.notify, bytes.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRechargeBadNotificationsChangeNothing(t *testing.T) {
	e := newRechargeEnv(t, sandbox.Faults{DropNotify: 1000}) // only our hand-made notifications arrive
	keys := rechargeKeySet(t)
	certKey, certSerial := keys.PlatformKey, aggregator.CertSerial(keys.PlatformCert)
	otherAPIv3 := bytes.Repeat([]byte("k"), 32)
	rc := e.create(t, "req-bad", 5000)
	e.pay(t, rc.GetOrderId())
	now := time.Now()
	good := aggregator.Transaction{AppID: keys.AppID, MchID: keys.MchID, OutTradeNo: rc.GetOrderId(),
		TransactionID: "4200000000202409010000000001", TradeType: aggregator.TradeH5, TradeState: aggregator.StateSuccess,
		TradeStateDesc: "支付成功", BankType: "CMC", SuccessTime: aggregator.FormatTime(now),
		Payer:  &aggregator.Payer{OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
		Amount: aggregator.TransactionAmount{Total: 5000, PayerTotal: 5000, Currency: "CNY", PayerCurrency: "CNY"}}
	tampered := func() (http.Header, []byte) {
		h, b := notification(t, good, now, certKey, certSerial, keys.APIv3Key)
		return h, bytes.Replace(b, []byte(`"EV-`), []byte(`"XV-`), 1)
	}
	wrongAmount, unknown := good, good
	wrongAmount.Amount.Total = 1
	unknown.OutTradeNo = "RUNKNOWN0000000000000"
	for _, tc := range []struct {
		name       string
		build      func() (http.Header, []byte)
		wantStatus int
	}{
		{"forged", func() (http.Header, []byte) {
			return notification(t, good, now, keys.MerchantKey, certSerial, keys.APIv3Key)
		}, 400},
		{"forged under PUB_KEY_ID", func() (http.Header, []byte) {
			return notification(t, good, now, keys.MerchantKey, keys.PublicKeyID, keys.APIv3Key)
		}, 400},
		{"stale", func() (http.Header, []byte) {
			return notification(t, good, now.Add(-10*time.Minute), certKey, certSerial, keys.APIv3Key)
		}, 400},
		{"tampered", tampered, 400},
		{"wrong APIv3 key", func() (http.Header, []byte) { return notification(t, good, now, certKey, certSerial, otherAPIv3) }, 400},
		{"amount mismatch", func() (http.Header, []byte) {
			return notification(t, wrongAmount, now, certKey, certSerial, keys.APIv3Key)
		}, 400},
		{"unknown order", func() (http.Header, []byte) { return notification(t, unknown, now, certKey, certSerial, keys.APIv3Key) }, 404},
	} {
		h, body := tc.build()
		if got := e.post(t, h, body); got != tc.wantStatus {
			t.Errorf("%s: HTTP %d, want %d", tc.name, got, tc.wantStatus)
		}
		if s := e.state(t, rc.GetOrderId()); s != apiv1.Recharge_STATE_AWAITING_PAYMENT {
			t.Fatalf("%s: order is %v, want unchanged", tc.name, s)
		}
		if b := e.balance(t); b != 0 {
			t.Fatalf("%s: balance %d, want 0", tc.name, b)
		}
	}
	// The same notification, genuine (real format, platform certificate serial),
	// credits: the refusals above were for their flaw.
	h, body := notification(t, good, now, certKey, certSerial, keys.APIv3Key)
	if got := e.post(t, h, body); got != http.StatusOK {
		t.Fatalf("genuine notification: HTTP %d", got)
	}
	if s := e.state(t, rc.GetOrderId()); s != apiv1.Recharge_STATE_CREDITED || e.balance(t) != 5000 {
		t.Fatalf("after the genuine notification: %v, balance %d", s, e.balance(t))
	}
	// The amount check holds for a credited order too; a replay of the genuine one,
	// signed in public-key mode (PUB_KEY_ID_…), acks and credits nothing more.
	h, body = notification(t, wrongAmount, now, certKey, certSerial, keys.APIv3Key)
	if got := e.post(t, h, body); got != http.StatusBadRequest {
		t.Fatalf("mismatch after credit: HTTP %d", got)
	}
	h, body = notification(t, good, now, keys.PublicKeyPrivate, keys.PublicKeyID, keys.APIv3Key)
	if got := e.post(t, h, body); got != http.StatusOK || e.balance(t) != 5000 {
		t.Fatalf("duplicate after credit (PUB_KEY_ID): HTTP %d, balance %d", got, e.balance(t))
	}
}

// TestRechargePublicKeyModeCreditsOnce: a real-format notification signed in
// public-key mode credits an order once.
func TestRechargePublicKeyModeCreditsOnce(t *testing.T) {
	e := newRechargeEnv(t, sandbox.Faults{DupNotify: 2})
	if !e.sb.SignWithPublicKey(true) {
		t.Fatal("sandbox has no public key")
	}
	rc := e.create(t, "req-pubkey", 2500)
	e.pay(t, rc.GetOrderId())
	e.waitState(t, rc.GetOrderId(), apiv1.Recharge_STATE_CREDITED)
	deadline := time.Now().Add(10 * time.Second)
	for e.sb.Stats().Delivered < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("deliveries %+v, want 2 delivered", e.sb.Stats())
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
	if b := e.balance(t); b != 2500 {
		t.Fatalf("balance %d, want 2500", b)
	}
}

func readAll(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, aggregator.MaxBody))
}

func rcLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func rcNextYear() string { return time.Now().AddDate(1, 0, 0).Format("20060102") }

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func readCloser(b []byte) nopCloser { return nopCloser{bytes.NewReader(b)} }
