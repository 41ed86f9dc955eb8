package push_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// kindParams are valid parameters of each notice kind (masked names only).
func kindParams(k notify.Kind) map[string]string {
	all := map[string]string{"name": "张*明", "canteen": "一食堂", "amount": "12.00", "balance": "-3.00", "threshold": "10.00",
		"relation": "父亲", "student_no": "2024****23", "item": "秋季校服", "due": "9月30日"}
	out := map[string]string{}
	for _, p := range notify.Placeholders(k) {
		out[p] = all[p]
	}
	return out
}

var kinds = []notify.Kind{notify.KindArrears, notify.KindLowBalance, notify.KindRechargeReceipt, notify.KindCardLoss,
	notify.KindCardReissue, notify.KindGuardianBound, notify.KindFeePublished, notify.KindFeeReminder,
	notify.KindFeeDueTomorrow, notify.KindRefundDone}

// noticeRig is the outbox store, the sandbox's SMS channel and a router with
// every kind's template.
type noticeRig struct {
	*rig
	store  *sqliteoutbox.Store
	router *notify.Router
	now    time.Time // the store's and the runner's clock; moved only between drains
}

func newNoticeRig(t testing.TB, now time.Time, limits notify.Limits, book notify.ContactBook) *noticeRig {
	nr := &noticeRig{rig: newRig(t, limits, book), now: now}
	store, err := sqliteoutbox.Open(context.Background(), filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{Now: func() time.Time { return nr.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ids := map[notify.Kind]string{}
	for _, k := range kinds {
		ids[k] = "SMS_" + string(k)
	}
	router, err := notify.NewRouter(notify.RouterConfig{Channels: []notify.Channel{nr.sms},
		Templates: map[notify.ChannelName]map[string]notify.Template{notify.SMS: notify.KindTemplates(ids)}, Contacts: book})
	if err != nil {
		t.Fatal(err)
	}
	nr.store, nr.router = store, router
	return nr
}

// drain runs RunNotices until done() holds (polling with a deadline).
func (r *noticeRig) drain(t testing.TB, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		notify.RunNotices(ctx, r.store, r.router.Send, notify.RunOptions{Interval: 5 * time.Millisecond, Batch: 200, Now: func() time.Time { return r.now }},
			slog.New(slog.DiscardHandler))
	}()
	defer func() { cancel(); <-stopped }()
	deadline := time.Now().Add(60 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out; the sandbox has %d messages", len(r.sb.Messages()))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (r *noticeRig) state(id int64) outbox.State {
	n, _ := r.store.Get(context.Background(), id)
	return n.State
}

// noon and ten at night, China time.
var (
	noon  = time.Date(2026, 9, 1, 4, 0, 0, 0, time.UTC)
	night = time.Date(2026, 9, 1, 14, 0, 0, 0, time.UTC)
)

// TestEveryNoticeKindArrivesOnce: each kind, queued twice under its cause,
// reaches the sandbox SMS inbox once with its template and parameters.
func TestEveryNoticeKindArrivesOnce(t *testing.T) {
	r := newNoticeRig(t, noon, fastLimits(), contacts{{Phone: "13900000001"}})
	ns := notify.Notices{Store: r.store, Now: func() time.Time { return noon }}
	var ids []int64
	for _, k := range kinds {
		for range 2 {
			id, _, err := ns.Enqueue(context.Background(), notify.Notice{Kind: k, Cause: "c1", SchoolID: "35001", Recipient: "acc_1", Params: kindParams(k)})
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			ids = append(ids, id)
		}
	}
	r.drain(t, func() bool { return len(r.sb.Messages()) >= len(kinds) && r.state(ids[len(ids)-1]) == outbox.Sent })
	var got []string
	for _, m := range r.sb.Messages() {
		got = append(got, m.TemplateID)
		if m.To != "13900000001" || m.Params["name"] != kindParams(notify.KindArrears)["name"] && m.Params["name"] != "" {
			t.Errorf("message %+v", m)
		}
	}
	sort.Strings(got)
	var want []string
	for _, k := range kinds {
		want = append(want, "SMS_"+string(k))
	}
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sandbox got %v, want each kind once: %v", got, want)
	}
}

// TestQuietHoursAndWithdrawal: at 22:00 China time an arrears notice goes out
// at once, a low-balance notice waits for 07:00; a voided sale's arrears
// notice, withdrawn before it went out, never does.
func TestQuietHoursAndWithdrawal(t *testing.T) {
	r := newNoticeRig(t, night, fastLimits(), contacts{{Phone: "13900000001"}})
	ns := notify.Notices{Store: r.store, Now: func() time.Time { return night }}
	ctx := context.Background()
	enq := func(k notify.Kind, cause string) int64 {
		id, _, err := ns.Enqueue(ctx, notify.Notice{Kind: k, Cause: cause, Recipient: "acc_1", Params: kindParams(k)})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	low := enq(notify.KindLowBalance, "crossing-1")
	voided := enq(notify.KindArrears, "pay-1")
	if ok, err := ns.Withdraw(ctx, notify.KindArrears, "acc_1", "pay-1", "sale_voided"); err != nil || !ok {
		t.Fatalf("withdraw: %v %v", ok, err)
	}
	arrears := enq(notify.KindArrears, "pay-2")
	r.drain(t, func() bool { return r.state(arrears) == outbox.Sent })
	if msgs := r.sb.Messages(); len(msgs) != 1 || msgs[0].TemplateID != "SMS_arrears" {
		t.Fatalf("at night the sandbox got %+v, want the arrears notice only", msgs)
	}
	n, _ := r.store.Get(ctx, low)
	morning := time.Date(2026, 9, 1, 23, 0, 0, 0, time.UTC) // 07:00 on the 2nd, China time
	if n.State != outbox.Queued || !n.NotBefore.Equal(morning) || r.state(voided) != outbox.Withdrawn {
		t.Fatalf("low balance %+v, voided %s: want queued until %v, withdrawn", n, r.state(voided), morning)
	}
	r.now = morning
	r.drain(t, func() bool { return r.state(low) == outbox.Sent })
	if msgs := r.sb.Messages(); len(msgs) != 2 || msgs[1].TemplateID != "SMS_low_balance" {
		t.Errorf("in the morning the sandbox got %+v", msgs)
	}
}

// TestNoticesKeptWhileTheGatewayIsDown: the sandbox answers 500 → the breaker
// opens, every notice stays queued; it recovers → each arrives once.
func TestNoticesKeptWhileTheGatewayIsDown(t *testing.T) {
	r := newNoticeRig(t, noon, fastLimits(), contacts{{Phone: "13900000001"}})
	ns := notify.Notices{Store: r.store, Now: func() time.Time { return noon }}
	if err := r.sb.SetFaults(sandbox.Faults{FailRate: 1}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 5 {
		id, _, err := ns.Enqueue(context.Background(), notify.Notice{Kind: notify.KindRechargeReceipt, Cause: fmt.Sprint("order-", i),
			Recipient: "acc_1", Params: kindParams(notify.KindRechargeReceipt)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	r.drain(t, func() bool { return r.sms.State().String() == "open" })
	for _, id := range ids {
		if s := r.state(id); s != outbox.Queued {
			t.Fatalf("notice %d is %s while the gateway is down, want queued", id, s)
		}
	}
	if err := r.sb.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	// The breaker lets a probe through after its timeout; the claims' leases run out.
	for deadline := time.Now().Add(10 * time.Second); r.sms.State().String() == "open"; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the breaker stays open")
		}
	}
	r.now = r.now.Add(2 * time.Minute)
	r.drain(t, func() bool {
		for _, id := range ids {
			if r.state(id) != outbox.Sent {
				return false
			}
		}
		return true
	})
	if n := len(r.sb.Messages()); n != len(ids) {
		t.Errorf("the sandbox got %d messages, want %d", n, len(ids))
	}
}
