package notify

import (
	"context"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// TestRestartDoesNotRepeatAcceptedWeChat: a notice to two guardians, one
// reached by WeChat (accepted), the other by SMS (the gateway down); the
// process restarts (a new Router over the same store) and sends the notice
// again: the SMS goes, the WeChat message is not repeated, and the store tells
// which channel carried each delivery under which provider id. A Router
// without the store, the control, repeats it.
func TestRestartDoesNotRepeatAcceptedWeChat(t *testing.T) {
	ctx := context.Background()
	store, err := sqliteoutbox.Open(ctx, filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	contacts := book{{OpenID: "o-guardian-1"}, {Phone: "13900002222"}}
	wx := &recorder{name: WeChat}
	newRouter := func(sms *recorder, log outbox.DeliveryLog) *Router {
		r, err := NewRouter(RouterConfig{Channels: []Channel{sms, wx}, Templates: allTemplates(), Contacts: contacts,
			PhoneKey: phoneKey, Deliveries: log})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	m := arrearsMessage()
	m.Attempts = 1
	down := &recorder{name: SMS, err: &Failure{Channel: SMS, Code: "http_503"}}
	if err := newRouter(down, store).Send(ctx, m); err == nil || IsPermanent(err) {
		t.Fatalf("first send: %v, want a transient failure", err)
	}
	if len(wx.got) != 1 || len(down.got) != 1 {
		t.Fatalf("first send: wechat %d, sms %d, want 1 and 1", len(wx.got), len(down.got))
	}

	m.Attempts = 2 // claimed again after the restart
	up := &recorder{name: SMS}
	if err := newRouter(up, store).Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if len(wx.got) != 1 || len(up.got) != 1 {
		t.Errorf("after the restart: wechat %d (want 1: not repeated), sms %d (want 1)", len(wx.got), len(up.got))
	}
	got, err := store.AcceptedOf(ctx, []int64{m.ID})
	if err != nil {
		t.Fatal(err)
	}
	var chans []string
	for _, a := range got {
		chans = append(chans, a.Channel+":"+a.ProviderID)
		if a.Target == "o-guardian-1" || a.Target == "13900002222" || len(a.Target) != 32 {
			t.Errorf("target %q: want the address's keyed hash", a.Target)
		}
	}
	if !reflect.DeepEqual(chans, []string{"wechat:m1", "sms:m1"}) {
		t.Errorf("recorded deliveries %v, want wechat then sms", chans)
	}

	if err := newRouter(&recorder{name: SMS}, nil).Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if len(wx.got) != 2 {
		t.Errorf("control: a router without the store sent WeChat %d times in all, want 2", len(wx.got))
	}
}

// TestAcceptedLogGroupsWrites: deliveries handed over while a write is in
// flight are recorded together, each durable once record returns.
func TestAcceptedLogGroupsWrites(t *testing.T) {
	ctx := context.Background()
	store, err := sqliteoutbox.Open(ctx, filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	counting := &countingLog{DeliveryLog: store}
	l := newAcceptedLog(counting, nil)
	l.group.writing <- struct{}{} // a write in flight: the next deliveries queue up
	const n = 50
	done := make(chan struct{})
	for i := range n {
		go func() {
			l.record(ctx, outbox.Accepted{NoticeID: int64(i + 1), Channel: "sms", Target: "t"})
			done <- struct{}{}
		}()
	}
	waitHanded(t, l.group, n)
	<-l.group.writing
	for range n {
		<-done
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	if got, err := store.AcceptedOf(ctx, ids); err != nil || len(got) != n {
		t.Fatalf("recorded %d, %v, want %d", len(got), err, n)
	}
	if counting.calls != 1 {
		t.Errorf("%d writes for %d deliveries handed over together, want 1", counting.calls, n)
	}
}

type countingLog struct {
	outbox.DeliveryLog
	calls int // written by one leader at a time (the semaphore)
}

func (c *countingLog) RecordAccepted(ctx context.Context, ds []outbox.Accepted) error {
	c.calls++
	return c.DeliveryLog.RecordAccepted(ctx, ds)
}

// waitHanded waits until n items were handed over to g, polling under its
// lock (bounded; the goroutines only append).
func waitHanded[T any](t *testing.T, g *groupCommit[T], n int) {
	t.Helper()
	for range 1_000_000 {
		if handed, _ := g.counts(); handed == n {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("%d items were never handed over", n)
}
