package aggregator_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// Golden tests against WeChat Pay's published documentation (testdata/wechatpay).

func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "wechatpay", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameJSON compares two JSON documents by value (key order and spacing aside).
func sameJSON(t *testing.T, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v in %s", what, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: golden: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

func TestGoldenSigningStrings(t *testing.T) {
	// 签名生成: the example request and its Authorization header.
	msg := aggregator.RequestMessage("GET", "/v3/certificates", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", nil)
	if want := "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"; string(msg) != want {
		t.Errorf("request message %q, want %q", msg, want)
	}
	const doc = `WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",` +
		`signature="uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XyUgx9FmutKSYTmYtWBZ0+tNvfGmbXU7cob8H/4nLBiCwIUFluw==",` +
		`timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`
	a, err := aggregator.ParseAuthorization(doc)
	if err != nil {
		t.Fatal(err)
	}
	if a.MchID != "1900009191" || a.Timestamp != 1554208460 || a.SerialNo != "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C" || a.Nonce != "593BEC0C930BF1AFEB40B4A08C8FB242" {
		t.Errorf("parsed %+v", a)
	}
	if a.String() != doc {
		t.Errorf("rendered\n%s\nwant\n%s", a, doc)
	}
	// 验签: "timestamp\nnonce\nbody\n".
	if got := aggregator.ResponseMessage("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", []byte(`{"data":[]}`)); string(got) != "1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{\"data\":[]}\n" {
		t.Errorf("response message %q", got)
	}
	// JSAPI 调起支付: paySign's message.
	js := aggregator.JSAPIMessage("wx8888888888888888", "1414561699", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", "prepay_id=wx201410272009395522657a690389285100")
	if want := "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n"; string(js) != want {
		t.Errorf("JSAPI message %q", js)
	}
}

// capture is a WeChat Pay stand-in that records each request's path and body and
// answers a signed prepay or refund.
type capture struct {
	mu    sync.Mutex
	paths []string
	body  []byte
}

func (c *capture) serve(t *testing.T) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.paths, c.body = append(c.paths, r.URL.RequestURI()), b
		c.mu.Unlock()
		if r.URL.Path == "/v3/refund/domestic/refunds" {
			var req aggregator.RefundRequest
			_ = json.Unmarshal(b, &req)
			writeSigned(t, w, keys(t).set.PlatformKey, 200, aggregator.Refund{RefundID: "50000000382019052709732678859",
				OutRefundNo: req.OutRefundNo, OutTradeNo: req.OutTradeNo, Status: aggregator.RefundProcessing, Amount: req.Amount})
			return
		}
		writeSigned(t, w, keys(t).set.PlatformKey, 200, aggregator.PrepayResponse{PrepayID: "wx201410272009395522657a690389285100"})
	}
}

func TestGoldenRequestBodies(t *testing.T) {
	c := &capture{}
	_, srv := newFake(t, c.serve(t))
	cl := newClient(t, srv.URL, 5*time.Second, time.Minute)
	ctx := context.Background()
	desc, notify := "Image形象店-深圳腾大-QQ公仔", "https://www.weixin.qq.com/wxpay/pay.php"
	direct := func(appID, mchID string) aggregator.Merchant {
		return aggregator.Merchant{Mode: aggregator.ModeDirect, AppID: appID, MchID: mchID}
	}
	for _, tc := range []struct {
		golden, path, tradeType string
		m                       aggregator.Merchant
		req                     aggregator.PrepayRequest
	}{
		{"jsapi_prepay_request.json", "/v3/pay/transactions/jsapi", aggregator.TradeJSAPI, direct("wxdace645e0bc2cXXX", "1900006XXX"),
			aggregator.PrepayRequest{OutTradeNo: "1217752501201407033233368318", Description: desc, NotifyURL: notify,
				Amount: aggregator.Amount{Total: 1, Currency: "CNY"}, Payer: &aggregator.Payer{OpenID: "o4GgauInH_RCEdvrrNGrntXDuXXX"}}},
		{"h5_prepay_request.json", "/v3/pay/transactions/h5", aggregator.TradeH5, direct("wxdace645e0bc2cXXX", "1900007291"),
			aggregator.PrepayRequest{OutTradeNo: "1217752501201407033233368018", Description: desc, NotifyURL: notify,
				Amount:    aggregator.Amount{Total: 1, Currency: "CNY"},
				SceneInfo: &aggregator.SceneInfo{PayerClientIP: "14.23.150.211", H5Info: &aggregator.H5Info{Type: "Wap"}}}},
		{"partner_jsapi_prepay_request.json", "/v3/pay/partner/transactions/jsapi", aggregator.TradeJSAPI,
			aggregator.Merchant{Mode: aggregator.ModePartner, AppID: "wx8888888888888888", MchID: "1230000109", SubMchID: "1900000109", SubAppID: "wxd678efh567hg6999"},
			aggregator.PrepayRequest{OutTradeNo: "1217752501201407033233368018", Description: desc, NotifyURL: notify,
				TimeExpire: aggregator.FormatTime(time.Date(2018, 6, 8, 2, 34, 56, 0, time.UTC)),
				Amount:     aggregator.Amount{Total: 100, Currency: "CNY"}, Payer: &aggregator.Payer{SubOpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}},
	} {
		if _, err := cl.Prepay(ctx, tc.m, tc.tradeType, tc.req); err != nil {
			t.Fatalf("%s: %v", tc.golden, err)
		}
		c.mu.Lock()
		path, body := c.paths[len(c.paths)-1], c.body
		c.mu.Unlock()
		if path != tc.path {
			t.Errorf("%s: POST %s, want %s", tc.golden, path, tc.path)
		}
		sameJSON(t, tc.golden, body, golden(t, tc.golden))
	}
	_, err := cl.Refund(ctx, direct("wxdace645e0bc2cXXX", "1900006XXX"), aggregator.RefundRequest{OutTradeNo: "1217752501201407033233368018",
		OutRefundNo: "1217752501201407033233368018", Reason: "商品已售完", NotifyURL: "https://weixin.qq.com",
		Amount: aggregator.RefundAmount{Refund: 888, Total: 888, Currency: "CNY"}})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "refund_request.json", c.body, golden(t, "refund_request.json"))
	// Query and close of the documentation's merchant.
	_, _ = cl.QueryOrder(ctx, direct("wxd678efh567hg6787", "1230000109"), "1217752501201407033233368018")
	_ = cl.CloseOrder(ctx, aggregator.Merchant{Mode: aggregator.ModePartner, AppID: "wx8888888888888888", MchID: "1230000109", SubMchID: "1900000109"}, "1217752501201407033233368018")
	c.mu.Lock()
	defer c.mu.Unlock()
	wantPaths := []string{"/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1230000109",
		"/v3/pay/partner/transactions/out-trade-no/1217752501201407033233368018/close"}
	if got := c.paths[len(c.paths)-2:]; !reflect.DeepEqual(got, wantPaths) {
		t.Errorf("paths %v, want %v", got, wantPaths)
	}
	sameJSON(t, "close body", c.body, []byte(`{"sp_mchid":"1230000109","sub_mchid":"1900000109"}`))
}

// TestGoldenSchemas: the documented transaction and refund-notification resources
// decode into OneCode's types with no field left over and encode back the same.
func TestGoldenSchemas(t *testing.T) {
	for name, v := range map[string]any{"transaction.json": &aggregator.Transaction{}, "refund_notify_resource.json": &aggregator.Refund{}} {
		doc := golden(t, name)
		dec := json.NewDecoder(bytes.NewReader(doc))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		again, _ := json.Marshal(v)
		sameJSON(t, name, again, doc)
	}
}

// TestGoldenNotification: the documented notification envelope, its resource the
// documented transaction sealed under the APIv3 key, verifies and reads as paid.
func TestGoldenNotification(t *testing.T) {
	f := keys(t)
	var env map[string]any
	if err := json.Unmarshal(golden(t, "notification.json"), &env); err != nil {
		t.Fatal(err)
	}
	res, err := aggregator.SealResource(f.set.APIv3Key, "transaction", "transaction", golden(t, "transaction.json"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := env["resource"].(map[string]any)
	r["ciphertext"], r["nonce"], r["associated_data"] = res.Ciphertext, res.Nonce, res.AssociatedData
	body, _ := json.Marshal(env)
	v, err := aggregator.NewVerifier(f.merchantKeys)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	n, err := v.Verify(signedHeaders(t, f.set.PlatformKey, platformSerial(t), now, body), body, now)
	if err != nil {
		t.Fatal(err)
	}
	tx := n.Transaction
	if n.ID != "EV-2018022511223320873" || n.EventType != aggregator.EventTransactionSuccess || n.Summary != "支付成功" || tx == nil ||
		tx.OutTradeNo != "1217752501201407033233368018" || tx.Amount.Total != 100 || tx.Amount.PayerTotal != 100 ||
		tx.Payer.OpenID != "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" || tx.TradeState != aggregator.StateSuccess || tx.MchID != "1230000109" ||
		tx.SuccessTime != "2018-06-08T10:34:56+08:00" || tx.BankType != "CMC" {
		t.Fatalf("notification = %+v / %+v", n, tx)
	}
}
