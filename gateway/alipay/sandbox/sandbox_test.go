package sandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/onecode/onecode/gateway/alipay"
	"github.com/onecode/onecode/gateway/alipay/sandbox"
)

func newServer(t *testing.T) (*sandbox.Server, *httptest.Server, alipay.KeySet) {
	ks, err := alipay.GenerateKeySet(nil, "2021000000000002")
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(sandbox.ConfigFromKeySet(ks, false))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	return sb, srv, ks
}

func post(t *testing.T, u string, form url.Values) (int, string) {
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestGatewayErrors: gateway-level errors are unsigned, as Alipay answers them; a
// request that does not verify changes nothing.
func TestGatewayErrors(t *testing.T) {
	_, srv, ks := newServer(t)
	c, err := alipay.New(alipay.Config{GatewayURL: srv.URL + "/gateway.do", Keys: ks.Merchant(false), CallTimeout: 1e9,
		Breaker: alipay.DefaultBreakerSettings()})
	if err != nil {
		t.Fatal(err)
	}
	params, err := c.Params(alipay.MethodQuery, map[string]string{"out_trade_no": "G1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	params.Set("biz_content", `{"out_trade_no":"G2"}`)
	_, body := post(t, srv.URL+"/gateway.do", params)
	if !strings.Contains(body, `"sub_code":"isv.invalid-signature"`) || strings.Contains(body, `"sign"`) {
		t.Fatalf("tampered request: %s", body)
	}
	params, _ = c.Params("alipay.no.such.method", map[string]string{}, "")
	_, body = post(t, srv.URL+"/gateway.do", params)
	if !strings.HasPrefix(body, `{"error_response":{"code":"40002"`) {
		t.Fatalf("unknown method: %s", body)
	}
	params, _ = c.Params(alipay.MethodQuery, map[string]string{"out_trade_no": "G1"}, "")
	_, body = post(t, srv.URL+"/gateway.do", params)
	env, err := alipay.SplitResponse([]byte(body), alipay.MethodQuery)
	if err != nil || env.Sign == "" || alipay.Verify(&ks.AlipayKey.PublicKey, env.Raw, env.Sign) != nil ||
		!bytes.Contains(env.Raw, []byte("ACQ.TRADE_NOT_EXIST")) {
		t.Fatalf("signed business error: %s %v", body, err)
	}
	wap, _ := c.Params(alipay.MethodWapPay, map[string]string{"out_trade_no": "G3", "total_amount": "1.00", "subject": "s",
		"product_code": "QUICK_WAP_WAY"}, "")
	wap.Set("biz_content", strings.Replace(wap.Get("biz_content"), "1.00", "0.01", 1))
	if status, body := post(t, srv.URL+"/gateway.do", wap); status != http.StatusBadRequest || !strings.Contains(body, "isv.invalid-signature") {
		t.Fatalf("tampered wap URL: %d %s", status, body)
	}
}

// TestFaultsEndpoint: faults are read and set as JSON, and bounds are checked.
func TestFaultsEndpoint(t *testing.T) {
	sb, srv, _ := newServer(t)
	resp, err := http.Post(srv.URL+"/sandbox/faults", "application/json",
		strings.NewReader(`{"latency":"5ms","fail_rate":250,"dup_notify":2,"retry_ladder":["0s","1s"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var f sandbox.Faults
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	if got := sb.Faults(); got.FailRate != 250 || got.DupNotify != 2 || len(got.RetryLadder) != 2 {
		t.Fatalf("faults %+v", got)
	}
	for _, bad := range []string{`{"fail_rate":1001}`, `{"dup_notify":101}`, `{"latency":"2m"}`, `{"nope":1}`} {
		resp, err := http.Post(srv.URL+"/sandbox/faults", "application/json", strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, resp.StatusCode)
		}
	}
}
