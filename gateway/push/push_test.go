package push_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/notify"
	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/gateway/push/wechat"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
	"github.com/onecode/onecode/persistence/outbox"
)

var creds = sms.Credentials{KeyID: "ak-test", Secret: []byte("0123456789abcdef0123")}

// rig is a switch's push path on loopback: a SQLite outbox, the receipt edge,
// the sandbox, the guarded SMS and WeChat channels and the router.
type rig struct {
	dir      *sqlitedirectory.Store
	sb       *sandbox.Sandbox
	sbURL    string
	stats    *notify.Stats
	router   *notify.Router
	sms      *notify.Guarded
	wx       *wechat.Client
	logs     *syncBuffer
	receipts chan int64
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// signalling records receipts and tells the test which message got one.
type signalling struct {
	notify.Receipts
	got chan int64
}

func (s signalling) RecordAll(ctx context.Context, rs []notify.DeliveryReceipt) error {
	err := s.Receipts.RecordAll(ctx, rs)
	for _, r := range rs {
		s.got <- r.MessageID
	}
	return err
}

// dirReceipts records receipts on the directory's outbox messages, one at a
// time (the rig drains the directory's outbox).
type dirReceipts struct{ *sqlitedirectory.Store }

func (d dirReceipts) RecordDeliveries(ctx context.Context, rs []outbox.Receipt) (outbox.ReceiptsLeft, error) {
	var left outbox.ReceiptsLeft
	for _, r := range rs {
		err := d.RecordDelivery(ctx, r.ID, r.Delivered, r.Detail)
		if errors.Is(err, directory.ErrNotFound) {
			left.Unknown = append(left.Unknown, r.ID)
		} else if err != nil {
			return outbox.ReceiptsLeft{}, err
		}
	}
	return left, nil
}

type contacts []notify.Contact

func (c contacts) Contacts(context.Context, notify.Message) ([]notify.Contact, error) { return c, nil }

func newRig(t testing.TB, limits notify.Limits, book notify.ContactBook) *rig {
	t.Helper()
	ctx := context.Background()
	r := &rig{stats: &notify.Stats{}, logs: &syncBuffer{}, receipts: make(chan int64, 100)}
	logger := slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var err error
	r.dir, err = sqlitedirectory.Open(ctx, t.TempDir()+"/d.db", sqlitedirectory.Options{Lease: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.dir.Close() })
	edge := httptest.NewServer(sms.ReceiptHandler(creds, signalling{notify.Receipts{Store: dirReceipts{r.dir}, Logger: logger}, r.receipts}, nil, logger))
	t.Cleanup(edge.Close)
	r.sb, err = sandbox.New(sandbox.Config{SMS: creds, WeChatAppID: "wx-app", WeChatSecret: "wx-secret", ReceiptURL: edge.URL + sms.ReceiptPath})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.sb.Close)
	api := httptest.NewServer(r.sb.Handler())
	t.Cleanup(api.Close)
	r.sbURL = api.URL
	smsClient, err := sms.NewClient(sms.Config{BaseURL: api.URL, Credentials: creds, SignName: "一码通"})
	if err != nil {
		t.Fatal(err)
	}
	if r.sms, err = notify.Guard(smsClient, limits, r.stats, nil); err != nil {
		t.Fatal(err)
	}
	if r.wx, err = wechat.NewClient(wechat.Config{BaseURL: api.URL, AppID: "wx-app", Secret: "wx-secret"}); err != nil {
		t.Fatal(err)
	}
	wx, err := notify.Guard(r.wx, limits, r.stats, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{"otp": "SMS_OTP", "arrears": "SMS_ARREARS", "binding": "SMS_BINDING"}
	r.router, err = notify.NewRouter(notify.RouterConfig{Channels: []notify.Channel{r.sms, wx},
		Routes:    map[string][]notify.ChannelName{"otp": {notify.SMS}, "arrears": {notify.WeChat, notify.SMS}, "binding": {notify.SMS}},
		Templates: map[notify.ChannelName]map[string]notify.Template{notify.SMS: notify.Templates(ids), notify.WeChat: notify.Templates(ids)},
		Contacts:  book, PhoneKey: phoneKey, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func fastLimits() notify.Limits {
	return notify.Limits{CallTimeout: 2 * time.Second, Attempts: 2, Backoff: time.Millisecond, MaxBackoff: time.Millisecond,
		Rate: 1000, Burst: 100,
		Breaker: notify.BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: 50 * time.Millisecond, ConsecutiveFailures: 3}}
}

func (r *rig) enqueue(t *testing.T, topic directory.Topic, payload string) int64 {
	t.Helper()
	id, err := r.dir.Enqueue(context.Background(), directory.Message{Topic: topic, Recipient: "r", Payload: []byte(payload)})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// run drains the outbox until done() or the deadline (polling a condition, no
// fixed sleep decides anything).
func (r *rig) run(t *testing.T, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go notify.RunOutbox(ctx, r.dir, r.router.Send, notify.Options{Interval: 5 * time.Millisecond}, slog.New(slog.DiscardHandler))
	deadline := time.Now().Add(20 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out; sandbox has %+v", r.sb.Messages())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var phoneKey = []byte("0123456789abcdef0123456789abcdef")

func otp(code, phone string) string {
	sealed, err := policy.SealPhone(phoneKey, phone, rand.Reader)
	if err != nil {
		panic(err)
	}
	return `{"code":"` + code + `","phone_sealed":"` + sealed + `","masked_phone":"139****1111","expires_unix":` +
		itoa(time.Now().Add(5*time.Minute).Unix()) + `}`
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestLoginCodeReachesTheSandboxOnce: the code arrives in the sandbox inbox
// exactly once, its delivery receipt is recorded on the outbox message, and
// neither the code nor the phone is in the log.
func TestLoginCodeReachesTheSandboxOnce(t *testing.T) {
	r := newRig(t, fastLimits(), nil)
	id := r.enqueue(t, directory.TopicOTP, otp("482916", "13900001111"))
	r.run(t, func() bool { m, _ := r.dir.OutboxMessage(context.Background(), id); return m.SentAt != nil })
	select {
	case got := <-r.receipts:
		if got != id {
			t.Fatalf("receipt for %d, want %d", got, id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery receipt")
	}
	msgs := r.sb.Messages()
	if len(msgs) != 1 || msgs[0].To != "13900001111" || msgs[0].Params["code"] != "482916" || msgs[0].TemplateID != "SMS_OTP" || msgs[0].OutID != sms.OutID(id, "13900001111") {
		t.Fatalf("sandbox inbox %+v, want the code once", msgs)
	}
	m, err := r.dir.OutboxMessage(context.Background(), id)
	if err != nil || m.Delivery != directory.DeliveryDelivered {
		t.Errorf("outbox message %+v (%v), want delivered", m, err)
	}
	for _, secret := range []string{"482916", "13900001111", "139****1111"} {
		if strings.Contains(r.logs.String(), secret) {
			t.Errorf("the log shows %q", secret)
		}
	}
	if r.stats.Get(notify.SMS, notify.OutcomeSent) != 1 {
		t.Errorf("stats %+v", r.stats.Counts())
	}
}

// TestBreakerOpensAndTheOutboxKeeps: the sandbox answers 500 → the breaker
// opens, nothing is marked sent; it recovers → every message arrives once.
func TestBreakerOpensAndTheOutboxKeeps(t *testing.T) {
	r := newRig(t, fastLimits(), nil)
	if err := r.sb.SetFaults(sandbox.Faults{FailRate: 1}); err != nil {
		t.Fatal(err)
	}
	const n = 5
	var ids []int64
	for i := range n {
		ids = append(ids, r.enqueue(t, directory.TopicOTP, otp("10000"+string(rune('0'+i)), "1390000111"+string(rune('0'+i)))))
	}
	r.run(t, func() bool { return r.sms.State().String() == "open" })
	for _, id := range ids {
		if m, _ := r.dir.OutboxMessage(context.Background(), id); m.SentAt != nil || m.FailedAt != nil {
			t.Fatalf("message %d %+v while the gateway was down", id, m)
		}
	}
	if len(r.sb.Messages()) != 0 || r.stats.Get(notify.SMS, notify.OutcomeFailed) == 0 {
		t.Fatalf("inbox %d, stats %+v", len(r.sb.Messages()), r.stats.Counts())
	}
	failedBefore := r.sb.Stats().Failed5xx
	if err := r.sb.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	r.run(t, func() bool { return len(r.sb.Messages()) == n })
	seen := map[string]int{}
	for _, m := range r.sb.Messages() {
		id, _ := sms.MessageIDOf(m.OutID)
		seen[itoa(id)]++
	}
	for _, id := range ids {
		if seen[itoa(id)] != 1 {
			t.Errorf("message %d arrived %d times", id, seen[itoa(id)])
		}
	}
	if failedBefore > 3*2 {
		t.Errorf("the sandbox answered %d requests while the breaker should have been open", failedBefore)
	}
}

// TestPermanentFailureNotRetried: a bad phone is one request, the message is
// marked failed and never claimed again.
func TestPermanentFailureNotRetried(t *testing.T) {
	r := newRig(t, fastLimits(), nil)
	bad := r.enqueue(t, directory.TopicOTP, otp("123456", "12345"))
	r.run(t, func() bool { m, _ := r.dir.OutboxMessage(context.Background(), bad); return m.FailedAt != nil })
	m, _ := r.dir.OutboxMessage(context.Background(), bad)
	if m.FailReason != "sms:"+sms.CodeInvalidPhone || r.sb.Stats().SMSRequests != 1 || r.stats.Get(notify.SMS, notify.OutcomeRetried) != 0 {
		t.Errorf("failed %+v, sandbox %+v, stats %+v: want one request, no retry", m, r.sb.Stats(), r.stats.Counts())
	}
}

// TestWeChatTemplateMessages: arrears go by WeChat to a guardian with an
// openid and by SMS to one without; the template data has the arrears
// layout's four slots in order (the masked name the terminal session queues,
// "—" for the canteen, the amount, the balance; "—" for the name of a notice
// queued before names were kept); the token is cached, fetched again after it
// expires; an unsubscribed user is a permanent failure.
func TestWeChatTemplateMessages(t *testing.T) {
	r := newRig(t, fastLimits(), contacts{{OpenID: "oGuardian1", Phone: "13900000001"}, {Phone: "13900000002"}})
	produced, err := json.Marshal(actors.ArrearsNotice{AccountID: "acc", PurchaseKey: "T1:8", AmountFen: 1200, BalanceFen: -300,
		MaskedName: actors.MaskName("张小明")})
	if err != nil {
		t.Fatal(err)
	}
	arrears := `{"account_id":"acc","purchase_key":"T1:9","amount_fen":1200,"balance_fen":-300}`
	var wx, sm int
	for i, tc := range []struct{ payload, name string }{{string(produced), "张*明"}, {arrears, "—"}} {
		r.enqueue(t, directory.TopicArrears, tc.payload)
		r.run(t, func() bool { return len(r.sb.Messages()) == 2*(i+1) })
		for _, m := range r.sb.Messages()[2*i:] {
			want := map[string]string{"first": "校园卡欠费提醒", "keyword1": tc.name, "keyword2": "—", "keyword3": "12.00元",
				"keyword4": "-3.00元", "remark": "请及时充值。"}
			switch {
			case m.Channel == "wechat" && m.To == "oGuardian1" && reflect.DeepEqual(m.Params, want):
				wx++
			case m.Channel == "sms" && m.To == "13900000002" && m.Params["balance"] == "-3.00":
				sm++
			default:
				t.Errorf("unexpected %+v (wechat data wanted: %v)", m, want)
			}
		}
	}
	if wx != 2 || sm != 2 || r.wx.TokenFetches() != 1 {
		t.Errorf("wechat %d, sms %d, token fetches %d: want 2, 2, 1", wx, sm, r.wx.TokenFetches())
	}
	r.sb.ExpireTokens()
	r.enqueue(t, directory.TopicArrears, arrears)
	r.run(t, func() bool { return len(r.sb.Messages()) == 6 })
	if r.wx.TokenFetches() != 2 {
		t.Errorf("token fetches %d after expiry, want 2", r.wx.TokenFetches())
	}
	d := notify.Delivery{MessageID: 1, Topic: "arrears", To: "unsub-1", Template: notify.Template{ID: "SMS_ARREARS"}, Params: map[string]string{"amount": "1"}}
	if _, err := r.wx.Send(context.Background(), d); !notify.IsPermanent(err) || notify.FailureCode(err) != "43004" {
		t.Errorf("unsubscribed: %v (%q), want permanent 43004", err, notify.FailureCode(err))
	}
}

// TestReceiptSignature: a receipt with a bad signature is refused and records nothing.
func TestReceiptSignature(t *testing.T) {
	r := newRig(t, fastLimits(), nil)
	id := r.enqueue(t, directory.TopicOTP, otp("123456", "13900001111"))
	h := sms.ReceiptHandler(creds, notify.Receipts{Store: dirReceipts{r.dir}}, nil, nil)
	body := []byte(`{"receipts":[{"message_id":"x","out_id":"` + itoa(id) + `","status":"DELIVERED"}]}`)
	for _, tc := range []struct {
		name string
		key  sms.Credentials
		want int
	}{
		{"forged", sms.Credentials{KeyID: creds.KeyID, Secret: []byte("another secret, 16+")}, http.StatusUnauthorized},
		{"signed", creds, http.StatusOK},
	} {
		req := httptest.NewRequest(http.MethodPost, sms.ReceiptPath, bytes.NewReader(body))
		tc.key.Sign(req, body, time.Now(), "nonce-123456")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		m, _ := r.dir.OutboxMessage(context.Background(), id)
		if w.Code != tc.want || (tc.want != http.StatusOK) != (m.Delivery == "") {
			t.Errorf("%s: HTTP %d, delivery %q", tc.name, w.Code, m.Delivery)
		}
	}
}
