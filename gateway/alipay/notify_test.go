package alipay_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/gateway/alipay"
)

// genuine captures a real notification of the sandbox (a paid wap order).
func genuine(t *testing.T, e *env, id string) url.Values {
	t.Helper()
	placed, err := e.place(id, 5000, recharge.ChannelH5)
	if err != nil {
		t.Fatal(err)
	}
	e.payVia(placed.PayURL)
	<-e.notices
	body := <-e.bodies
	v, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestNotificationsRejected: forged, stale, tampered and malformed notifications are
// ErrBadNotification, and acknowledged "fail".
func TestNotificationsRejected(t *testing.T) {
	for _, cert := range []bool{false, true} {
		e := newEnv(t, cert)
		v := genuine(t, e, "F20261204001")
		if _, err := e.client.VerifyNotification(nil, []byte(v.Encode()), time.Now()); err != nil {
			t.Fatalf("genuine rejected: %v", err)
		}
		signWith := func(v url.Values) url.Values {
			sign, err := alipay.Sign(testKeys(t).AlipayKey, []byte(alipay.SigningString(v, "sign", "sign_type")))
			if err != nil {
				t.Fatal(err)
			}
			v.Set("sign", sign)
			return v
		}
		edit := func(f func(v url.Values) url.Values) string {
			c := url.Values{}
			for k, s := range v {
				c[k] = append([]string(nil), s...)
			}
			return f(c).Encode()
		}
		cases := map[string]string{
			"tampered amount": edit(func(c url.Values) url.Values { c.Set("total_amount", "0.01"); return c }),
			"tampered status": edit(func(c url.Values) url.Values { c.Set("trade_status", "TRADE_FINISHED"); return c }),
			"forged (app key)": edit(func(c url.Values) url.Values {
				s, _ := alipay.Sign(testKeys(t).AppKey, []byte(alipay.SigningString(c, "sign", "sign_type")))
				c.Set("sign", s)
				return c
			}),
			"unsigned":       edit(func(c url.Values) url.Values { c.Del("sign"); return c }),
			"sign_type RSA":  edit(func(c url.Values) url.Values { c.Set("sign_type", "RSA"); return c }),
			"duplicate":      edit(func(c url.Values) url.Values { c.Add("total_amount", c.Get("total_amount")); return c }),
			"other app":      edit(func(c url.Values) url.Values { c.Set("app_id", "2021000000009999"); return signWith(c) }),
			"stale":          edit(func(c url.Values) url.Values { c.Set("notify_time", "2026-01-01 00:00:00"); return signWith(c) }),
			"future":         edit(func(c url.Values) url.Values { c.Set("notify_time", "2099-01-01 00:00:00"); return signWith(c) }),
			"bad amount":     edit(func(c url.Values) url.Values { c.Set("total_amount", "50.001"); return signWith(c) }),
			"unknown status": edit(func(c url.Values) url.Values { c.Set("trade_status", "TRADE_PENDING"); return signWith(c) }),
			"not a form":     "%zz",
			"empty":          "",
		}
		for name, body := range cases {
			_, err := e.client.VerifyNotification(nil, []byte(body), time.Now())
			if err == nil {
				t.Errorf("cert=%v %s: accepted", cert, name)
				continue
			}
			mustIs(t, err, recharge.ErrBadNotification)
			w := httptest.NewRecorder()
			e.client.Ack(w, err)
			if strings.TrimSpace(w.Body.String()) != "fail" {
				t.Errorf("%s: ack %q", name, w.Body.String())
			}
		}
		// Beyond MaxNotifyAge even a genuine one is stale.
		if _, err := e.client.VerifyNotification(nil, []byte(v.Encode()), time.Now().Add(49*time.Hour)); err == nil {
			t.Error("stale genuine notification accepted")
		}
		w := httptest.NewRecorder()
		e.client.Ack(w, nil)
		if w.Body.String() != "success" {
			t.Errorf("ack %q", w.Body.String())
		}
	}
}
