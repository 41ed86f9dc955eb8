package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/aggregator/sandbox"
)

// postJSON posts v to the sandbox path and answers the status and the error code.
func (e *env) postJSON(t *testing.T, path string, v any) (int, string) {
	t.Helper()
	b, _ := json.Marshal(v)
	resp, err := http.Post(e.srv.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var eb aggregator.ErrorBody
	_ = json.NewDecoder(resp.Body).Decode(&eb)
	return resp.StatusCode, eb.Code
}

// TestWalletPaysJSAPIAndNative: the sandbox's WeChat app pays a JSAPI order from the
// page's getBrandWCPayRequest parameters (paySign checked with the merchant's
// certificate: a tampered or foreign one pays nothing) and a Native order from its
// code_url, in direct and service-provider mode; each is notified once.
func TestWalletPaysJSAPIAndNative(t *testing.T) {
	for _, mode := range []string{"direct", "partner"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, sandbox.Faults{}, nil)
			in := newRawInbox(t)
			k := keySet(t)
			m := aggregator.Merchant{Mode: aggregator.ModeDirect, AppID: k.AppID, MchID: k.MchID}
			if mode == "partner" {
				m = aggregator.Merchant{Mode: aggregator.ModePartner, AppID: k.AppID, MchID: k.MchID, SubMchID: "1900000109", SubAppID: "wx1234567890abcdef"}
			}
			p, err := aggregator.NewProvider(e.client, m)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			place := func(no string, ch recharge.Channel) recharge.Placed {
				t.Helper()
				pl, err := p.Place(ctx, recharge.PlaceRequest{OrderID: no, AmountFen: 2500, Description: "一码通充值", NotifyURL: in.srv.URL,
					ExpiresAt: time.Now().Add(15 * time.Minute).UTC(), Channel: ch, OpenID: "oParent_openid_123"})
				if err != nil {
					t.Fatalf("place %s: %v", no, err)
				}
				return pl
			}
			js := place("RJS0000000000001", recharge.ChannelJSAPI)
			tampered := *js.JSAPI
			tampered.NonceStr += "x"
			if st, code := e.postJSON(t, "/sandbox/jsapi", tampered); st != http.StatusBadRequest || code != aggregator.CodeSignError {
				t.Fatalf("tampered paySign: %d %s", st, code)
			}
			foreign := *js.JSAPI
			foreign.Package = "prepay_id=wx0000000000000000000000000000000000"
			if st, _ := e.postJSON(t, "/sandbox/jsapi", foreign); st == http.StatusOK {
				t.Fatal("a changed package paid")
			}
			if q, _ := p.Query(ctx, "RJS0000000000001"); q.State != order.RemoteNotPaid {
				t.Fatalf("refused JSAPI requests paid the order: %+v", q)
			}
			if st, code := e.postJSON(t, "/sandbox/jsapi", js.JSAPI); st != http.StatusOK {
				t.Fatalf("JSAPI pay: %d %s", st, code)
			}
			nat := place("RNA0000000000001", recharge.ChannelNative)
			if st, _ := e.postJSON(t, "/sandbox/scan", map[string]string{"code_url": nat.CodeURL + "0"}); st != http.StatusNotFound {
				t.Fatalf("unknown code_url: %d", st)
			}
			if st, code := e.postJSON(t, "/sandbox/scan", map[string]string{"code_url": nat.CodeURL}); st != http.StatusOK {
				t.Fatalf("scan: %d %s", st, code)
			}
			if st, _ := e.postJSON(t, "/sandbox/scan", map[string]string{"code_url": nat.CodeURL}); st != http.StatusOK {
				t.Fatalf("scan again: %d", st) // paid already: the same transaction, nothing sent
			}
			seen := map[string]string{}
			for range 2 {
				n := in.next(t)
				notice, err := p.VerifyNotification(n.h, n.body, time.Now())
				if err != nil || notice.Payment == nil || notice.Payment.AmountFen != 2500 {
					t.Fatalf("notice %+v, %v", notice, err)
				}
				seen[notice.Payment.OrderID] = notice.Payment.TransactionID
			}
			for _, no := range []string{"RJS0000000000001", "RNA0000000000001"} {
				q, err := p.Query(ctx, no)
				if err != nil || q.State != order.RemotePaid || seen[no] == "" || q.TransactionID != seen[no] {
					t.Errorf("%s: query %+v, %v; notified %q", no, q, err, seen[no])
				}
			}
			if st := e.sb.Stats(); st.Scheduled != 2 {
				t.Errorf("notifications scheduled %d, want 2 (once per order)", st.Scheduled)
			}
		})
	}
}
