package push_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/wechat"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// TestUnreachableWeChatGoesBySMSNextTime: WeChat answers 43004 (the guardian
// unsubscribed) or 40003 (an openid the account does not know): the notice goes
// by SMS at once, the address is marked in the outbox store, and the next
// notice goes straight to SMS, with no WeChat call, even once WeChat would
// accept again; after the parent links again (the wxlink hook) WeChat carries
// the next one. The store tells which channel carried each notice.
func TestUnreachableWeChatGoesBySMSNextTime(t *testing.T) {
	for _, code := range []int{wechat.ErrUnsubscribed, wechat.ErrInvalidOpenID} {
		t.Run(strconv.Itoa(code), func(t *testing.T) { testUnreachableWeChat(t, code) })
	}
}

func testUnreachableWeChat(t *testing.T, code int) {
	ctx := context.Background()
	book := contacts{{OpenID: "oGuardian1", Phone: "13900000001"}}
	r := newRig(t, fastLimits(), book)
	store, err := sqliteoutbox.Open(ctx, filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	wx, err := notify.Guard(r.wx, fastLimits(), r.stats, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := notify.Templates(map[string]string{"arrears": "SMS_ARREARS"})
	router, err := notify.NewRouter(notify.RouterConfig{Channels: []notify.Channel{r.sms, wx},
		Routes:    map[string][]notify.ChannelName{"arrears": {notify.WeChat, notify.SMS}},
		Templates: map[notify.ChannelName]map[string]notify.Template{notify.SMS: ids, notify.WeChat: ids},
		Contacts:  book, PhoneKey: phoneKey, Deliveries: store, Unreachables: store})
	if err != nil {
		t.Fatal(err)
	}
	send := func(id int64) {
		t.Helper()
		m := notify.Message{ID: id, Topic: "arrears", Recipient: "acc", Attempts: 1,
			Payload: []byte(`{"account_id":"acc","purchase_key":"T1:` + strconv.FormatInt(id, 10) + `","amount_fen":1200,"balance_fen":-300}`)}
		if err := router.Send(ctx, m); err != nil {
			t.Fatalf("notice %d: %v", id, err)
		}
	}
	carried := func(id int64) string {
		t.Helper()
		as, err := store.AcceptedOf(ctx, []int64{id})
		if err != nil || len(as) != 1 {
			t.Fatalf("deliveries of notice %d: %+v, %v, want one", id, as, err)
		}
		return as[0].Channel
	}

	if err := r.sb.SetFaults(sandbox.Faults{WeChatErrCode: code}); err != nil {
		t.Fatal(err)
	}
	send(1)
	if st := r.sb.Stats(); st.WeChatRequests != 1 || st.SMSAccepted != 1 || carried(1) != "sms" {
		t.Fatalf("first notice: %+v, carried by %s: want one WeChat call, then SMS", st, carried(1))
	}
	if err := r.sb.SetFaults(sandbox.Faults{}); err != nil { // WeChat would accept now: the mark alone keeps it away
		t.Fatal(err)
	}
	send(2)
	if st := r.sb.Stats(); st.WeChatRequests != 1 || st.SMSAccepted != 2 || carried(2) != "sms" {
		t.Errorf("next notice: %+v, carried by %s: want no WeChat call, SMS at once", st, carried(2))
	}

	if err := notify.ClearUnreachable(store, phoneKey)(ctx, "oGuardian1"); err != nil { // linked again
		t.Fatal(err)
	}
	send(3)
	if st := r.sb.Stats(); st.WeChatRequests != 2 || st.WeChatAccepted != 1 || st.SMSAccepted != 2 || carried(3) != "wechat" {
		t.Errorf("after the link: %+v, carried by %s: want WeChat again", st, carried(3))
	}
}
