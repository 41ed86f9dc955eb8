package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
)

// recorder is a channel that keeps what it was given.
type recorder struct {
	name ChannelName
	mu   sync.Mutex
	got  []Delivery
	err  error
}

func (r *recorder) Name() ChannelName { return r.name }

func (r *recorder) Send(_ context.Context, d Delivery) (Receipt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, d)
	return Receipt{ProviderID: "m1"}, r.err
}

type book []Contact

func (b book) Contacts(context.Context, Message) ([]Contact, error) { return b, nil }

var routerNow = time.Unix(1699999900, 0)

var phoneKey = []byte("0123456789abcdef0123456789abcdef")

func sealed(phone string) string {
	s, err := policy.SealPhone(phoneKey, phone, rand.Reader)
	if err != nil {
		panic(err)
	}
	return s
}

func otpWithPhone() Message {
	return Message{ID: 7, Topic: "otp", Recipient: otpRecipient,
		Payload: []byte(`{"code":"` + otpCode + `","phone_sealed":"` + sealed("13900001111") + `","masked_phone":"` + maskedPhone + `","expires_unix":1700000000}`)}
}

func allTemplates() map[ChannelName]map[string]Template {
	ids := map[string]string{"otp": "T_OTP", "arrears": "T_ARR", "binding": "T_BIND", "reminder": "T_REM"}
	return map[ChannelName]map[string]Template{SMS: Templates(ids), WeChat: Templates(ids), Email: Templates(ids)}
}

func TestRouterLoginCodeBySMSOnly(t *testing.T) {
	sms, mail, wx := &recorder{name: SMS}, &recorder{name: Email}, &recorder{name: WeChat}
	var fellBack bool
	var logs bytes.Buffer
	r, err := NewRouter(RouterConfig{Channels: []Channel{sms, mail, wx}, Templates: allTemplates(),
		Contacts: book{{Phone: "13900002222", Email: "a@example.com", OpenID: "o1"}},
		Fallback: func(context.Context, Message) error { fellBack = true; return nil },
		PhoneKey: phoneKey, Now: func() time.Time { return routerNow }, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Send(context.Background(), otpWithPhone()); err != nil {
		t.Fatal(err)
	}
	if len(sms.got) != 1 || len(mail.got) != 0 || len(wx.got) != 0 || fellBack {
		t.Fatalf("sms %d, e-mail %d, wechat %d, fallback %v: want the code by SMS only", len(sms.got), len(mail.got), len(wx.got), fellBack)
	}
	d := sms.got[0]
	if d.To != "13900001111" || d.Template.ID != "T_OTP" || d.Params["code"] != otpCode || d.Params["minutes"] != "2" || d.MessageID != 7 {
		t.Errorf("delivery %+v", d)
	}
	if got := d.Text(); !strings.Contains(got, otpCode) || !strings.Contains(got, "2分钟") {
		t.Errorf("text %q", got)
	}
	for _, s := range []string{otpCode, "13900001111", maskedPhone} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log shows %q:\n%s", s, logs.String())
		}
	}
	if _, err := NewRouter(RouterConfig{Routes: map[string][]ChannelName{"otp": {SMS, Email}}}); err == nil {
		t.Error("a route of one-time codes through e-mail was accepted")
	}
}

func TestRouterPicksChannelPerRecipient(t *testing.T) {
	sms, wx := &recorder{name: SMS}, &recorder{name: WeChat}
	contacts := book{{OpenID: "o1", Phone: "13900000001"}, {Phone: "13900000002"}, {Email: "only@mail"}}
	r, err := NewRouter(RouterConfig{Channels: []Channel{sms, wx}, Templates: allTemplates(), Contacts: contacts,
		Routes: map[string][]ChannelName{"arrears": {WeChat, SMS}}, Now: func() time.Time { return routerNow }})
	if err != nil {
		t.Fatal(err)
	}
	m := Message{ID: 8, Topic: "arrears", Recipient: "acc", Payload: []byte(`{"amount_fen":1200,"balance_fen":-300}`)}
	if err := r.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(wx.got) != 1 || wx.got[0].To != "o1" || len(sms.got) != 1 || sms.got[0].To != "13900000002" {
		t.Fatalf("wechat %+v, sms %+v: want the first guardian on WeChat, the second by SMS, the third skipped", wx.got, sms.got)
	}
	if got := sms.got[0].Text(); !strings.Contains(got, "12.00元") || !strings.Contains(got, "-3.00元") {
		t.Errorf("arrears text %q", got)
	}
}

func TestRouterFailures(t *testing.T) {
	now := func() time.Time { return routerNow }
	for _, tc := range []struct {
		name          string
		m             Message
		smsErr        error
		fallback      bool
		wantPermanent bool
		wantCode      string
	}{
		{"phone sealed under another key", Message{ID: 4, Topic: "otp", Payload: []byte(`{"code":"123456","phone_sealed":"` + func() string {
			s, _ := policy.SealPhone([]byte("another key, 16 bytes or more"), "13900001111", rand.Reader)
			return s
		}() + `","expires_unix":1700000000}`)}, nil, false, true, "bad_payload"},
		{"bad payload", Message{ID: 1, Topic: "arrears", Payload: []byte(`{}`)}, nil, false, true, "bad_payload"},
		{"expired code", Message{ID: 2, Topic: "otp", Payload: []byte(`{"code":"123456","phone_sealed":"` + sealed("13900001111") + `","expires_unix":1600000000}`)}, nil, false, true, "expired"},
		{"no contact, no fallback", Message{ID: 3, Topic: "binding", Payload: []byte(`{"text":"x"}`)}, nil, false, true, "no_route"},
		{"no contact, the mailbox", Message{ID: 3, Topic: "binding", Payload: []byte(`{"text":"x"}`)}, nil, true, false, ""},
		{"provider rejects", otpWithPhone(), &Failure{Channel: SMS, Permanent: true, Code: "invalid_phone"}, false, true, "sms:invalid_phone"},
		{"provider down", otpWithPhone(), &Failure{Channel: SMS, Code: "http_503"}, false, false, "sms:http_503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := RouterConfig{Channels: []Channel{&recorder{name: SMS, err: tc.smsErr}}, Templates: allTemplates(), Now: now, PhoneKey: phoneKey}
			if tc.fallback {
				cfg.Fallback = func(context.Context, Message) error { return nil }
			}
			r, err := NewRouter(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = r.Send(context.Background(), tc.m)
			if IsPermanent(err) != tc.wantPermanent || FailureCode(err) != tc.wantCode {
				t.Errorf("error %v (code %q), want permanent %v code %q", err, FailureCode(err), tc.wantPermanent, tc.wantCode)
			}
		})
	}
}

// TestRunOutboxMarksOutcomes: accepted → sent, permanent → failed and never
// tried again, transient → kept in the outbox.
func TestRunOutboxMarksOutcomes(t *testing.T) {
	ctx := context.Background()
	dir, err := sqlitedirectory.Open(ctx, t.TempDir()+"/d.db", sqlitedirectory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	ids := map[string]int64{}
	for _, what := range []string{"ok", "bad", "later"} {
		id, err := dir.Enqueue(ctx, directory.Message{Topic: directory.TopicReminder, Recipient: what, Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		ids[what] = id
	}
	calls := map[string]int{}
	send := func(_ context.Context, m Message) error {
		calls[m.Recipient]++
		switch m.Recipient {
		case "bad":
			return &Failure{Channel: SMS, Permanent: true, Code: "template_rejected"}
		case "later":
			return &Failure{Channel: SMS, Code: "http_503"}
		}
		return nil
	}
	if n := drainOnce(ctx, dir, send, 10, slog.New(slog.DiscardHandler)); n != 3 {
		t.Fatalf("claimed %d, want 3", n)
	}
	for what, check := range map[string]func(directory.Message) bool{
		"ok": func(m directory.Message) bool { return m.SentAt != nil && m.FailedAt == nil },
		"bad": func(m directory.Message) bool {
			return m.SentAt == nil && m.FailedAt != nil && m.FailReason == "sms:template_rejected"
		},
		"later": func(m directory.Message) bool { return m.SentAt == nil && m.FailedAt == nil },
	} {
		m, err := dir.OutboxMessage(ctx, ids[what])
		if err != nil || !check(m) {
			t.Errorf("%s: %+v (%v)", what, m, err)
		}
	}
	if calls["bad"] != 1 {
		t.Errorf("the permanent failure was sent %d times", calls["bad"])
	}
}
