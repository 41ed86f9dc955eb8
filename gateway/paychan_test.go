package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc/peer"

	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/orders"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// payChanEnv is a switch whose schools pay through WeChat Pay direct (35001),
// WeChat Pay as service provider (35002) and Alipay (35003), each on its sandbox.
func payChanEnv(t *testing.T, hops int) (*switchEnv, map[string]payEnv) {
	t.Helper()
	envs := map[string]payEnv{"35001": wechatEnv(t, false), "35002": wechatEnv(t, true), "35003": alipayEnv(t, false)}
	reg := payRegistry(t, perSchool(envs))
	return newSwitchEnvOpts(t, envOpts{providers: reg, resolveAfter: time.Millisecond, hops: hops}), envs
}

// sandboxPost posts v as JSON to a sandbox endpoint, wanting 200.
func sandboxPost(t *testing.T, url string, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d", url, resp.StatusCode)
	}
}

// pupilWithBill makes the school's pupil, bound to par_1, with a published bill of due.
func pupilWithBill(t *testing.T, e *switchEnv, school string, due int64) (acc, item string) {
	t.Helper()
	e.school(t, school, "C"+school, "T"+school, "1-1")
	imp, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: school, CardExpiry: nextYear(),
		Pupils: []*apiv1.PupilRow{{StudentNo: "2024000001", Name: "王小明", ClassId: "1-1"}}})
	if err != nil || len(imp.GetErrors()) > 0 {
		t.Fatalf("import: %v %v", imp, err)
	}
	acc = "acc_" + school + "_2024000001"
	bindDirect(t, e, "par_1", acc)
	fin := e.staffToken(t, school, "fin_"+school, directory.RoleFinance, "")
	item = createItem(t, e, fin, feeDef("accounts", nil, []string{acc}, due, false))
	if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	return acc, item
}

// wantNoOrder checks that the refused request wrote no order.
func wantNoOrder(t *testing.T, e *switchEnv, requestID string) {
	t.Helper()
	if o, err := e.orders.ByRequest(context.Background(), "par_1", requestID); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("refused request %s wrote an order: %+v %v", requestID, o, err)
	}
}

// TestPayChannelRefusals: a JSAPI payment of a parent without a linked WeChat
// account (WECHAT_NOT_LINKED), JSAPI at an Alipay school (CHANNEL_UNSUPPORTED) and an
// unknown channel (CHANNEL_INVALID) are refused, for recharges and bills alike, and
// write no order.
func TestPayChannelRefusals(t *testing.T) {
	e, _ := payChanEnv(t, 0)
	tok := e.parentToken(t, "par_1", 1)
	parent := bearer(tok)
	wx, wxItem := pupilWithBill(t, e, "35001", 5000)
	ali, aliItem := pupilWithBill(t, e, "35003", 5000)
	cases := []struct {
		name, acc, item string
		ch              apiv1.PayChannel
		want            string
	}{
		{"unlinked JSAPI", wx, wxItem, apiv1.PayChannel_PAY_CHANNEL_JSAPI, "WECHAT_NOT_LINKED"},
		{"unknown channel", wx, wxItem, apiv1.PayChannel(9), "CHANNEL_INVALID"},
		{"JSAPI at Alipay", ali, aliItem, apiv1.PayChannel_PAY_CHANNEL_JSAPI, "CHANNEL_UNSUPPORTED"},
	}
	links := e.dir.(directory.WeChatLinks)
	for i, c := range cases {
		if c.name == "JSAPI at Alipay" { // linked: the merchant, not the parent, is why
			if _, err := links.LinkWeChat(context.Background(), "par_1", "oParent_linked_0001"); err != nil {
				t.Fatal(err)
			}
		}
		req := "rc-refused-" + string(rune('a'+i))
		_, err := e.parent.CreateRecharge(parent, &apiv1.CreateRechargeRequest{AccountId: c.acc, AmountFen: 1000, RequestId: req, Channel: c.ch})
		wantWireReason(t, c.name+" recharge", err, c.want)
		wantNoOrder(t, e, req)
		req = "fee-refused-" + string(rune('a'+i))
		_, err = e.feeP.PayBillOnline(parent, &apiv1.PayBillOnlineRequest{AccountId: c.acc, ItemId: c.item, RequestId: req, Channel: c.ch})
		wantWireReason(t, c.name+" bill", err, c.want)
		wantNoOrder(t, e, req)
	}
	// Over REST as the H5 page sends it.
	code, body := restCall(t, http.MethodPost, e.httpBase+"/v1/parent/children/"+ali+"/bills/"+aliItem+":payOnline", tok,
		map[string]any{"requestId": "fee-refused-rest", "channel": "PAY_CHANNEL_JSAPI"})
	if code != http.StatusBadRequest && code != http.StatusPreconditionFailed || errorReason(body) != "CHANNEL_UNSUPPORTED" {
		t.Errorf("REST JSAPI at Alipay: %d %v", code, body)
	}
	wantNoOrder(t, e, "fee-refused-rest")
}

// TestSwitchPaysJSAPIAndNative: at a WeChat Pay school, direct and as sub-merchant
// of the service provider, a linked parent recharges inside WeChat (JSAPI: the
// signed WeixinJSBridge parameters, read again unchanged) and pays a bill by a QR
// code on a PC (Native: code_url, over REST). The sandbox's WeChat app pays both;
// the JSAPI payment is credited by its (three) notifications, the Native one, whose
// notifications are dropped, by the resolver's query; resolving again and the
// duplicated notification copies credit nothing more.
func TestSwitchPaysJSAPIAndNative(t *testing.T) {
	e, envs := payChanEnv(t, 0)
	tok := e.parentToken(t, "par_1", 1)
	parent := bearer(tok)
	if _, err := e.dir.(directory.WeChatLinks).LinkWeChat(context.Background(), "par_1", "oParent_linked_0001"); err != nil {
		t.Fatal(err)
	}
	for _, school := range []string{"35001", "35002"} {
		t.Run(school, func(t *testing.T) {
			const topUp, due = 8_800, 30_000
			sb := envs[school].sandboxURL
			acc, item := pupilWithBill(t, e, school, due)
			rc, err := e.parent.CreateRecharge(parent, &apiv1.CreateRechargeRequest{AccountId: acc, AmountFen: topUp,
				RequestId: "js-" + school, Channel: apiv1.PayChannel_PAY_CHANNEL_JSAPI})
			js := rc.GetRecharge().GetJsapi()
			if err != nil || js.GetPaySign() == "" || js.GetSignType() != "RSA" || rc.GetRecharge().GetPayUrl() != "" ||
				rc.GetRecharge().GetChannel() != apiv1.PayChannel_PAY_CHANNEL_JSAPI {
				t.Fatalf("JSAPI recharge: %v %v", rc, err)
			}
			again, err := e.parent.GetRecharge(parent, &apiv1.GetRechargeRequest{OrderId: rc.GetRecharge().GetOrderId()})
			if err != nil || again.GetRecharge().GetJsapi().GetPaySign() != js.GetPaySign() || again.GetRecharge().GetJsapi().GetPackage() != js.GetPackage() {
				t.Fatalf("JSAPI order read again: %v %v", again, err)
			}
			// The page hands these to WeixinJSBridge: JSON with WeChat's field names.
			sandboxPost(t, sb+"/sandbox/jsapi", map[string]string{"appId": js.GetAppId(), "timeStamp": js.GetTimeStamp(),
				"nonceStr": js.GetNonceStr(), "package": js.GetPackage(), "signType": js.GetSignType(), "paySign": js.GetPaySign()})
			waitFor(t, "JSAPI recharge credited", func() bool {
				r, err := e.parent.GetRecharge(parent, &apiv1.GetRechargeRequest{OrderId: rc.GetRecharge().GetOrderId()})
				return err == nil && r.GetRecharge().GetState() == apiv1.Recharge_STATE_CREDITED
			})

			sandboxPost(t, sb+"/sandbox/faults", map[string]any{"drop_notify": "1"})
			code, body := restCall(t, http.MethodPost, e.httpBase+"/v1/parent/children/"+acc+"/bills/"+item+":payOnline", tok,
				map[string]any{"requestId": "nat-" + school, "channel": "PAY_CHANNEL_NATIVE"})
			o, _ := body["order"].(map[string]any)
			codeURL, _ := o["codeUrl"].(string)
			orderID, _ := o["orderId"].(string)
			if code != http.StatusOK || codeURL == "" || o["payUrl"] != nil && o["payUrl"] != "" {
				t.Fatalf("REST Native bill order: %d %v", code, body)
			}
			sandboxPost(t, sb+"/sandbox/scan", map[string]string{"code_url": codeURL})
			sandboxPost(t, sb+"/sandbox/faults", map[string]any{"drop_notify": "0"})
			for range 2 {
				if _, err := e.recharges.ResolveOnce(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			f, err := e.feeP.GetBillOrder(parent, &apiv1.GetBillOrderRequest{OrderId: orderID})
			if err != nil || f.GetOrder().GetState() != apiv1.Recharge_STATE_CREDITED || f.GetOrder().GetCodeUrl() != "" {
				t.Fatalf("Native bill order after the query: %v %v", f, err)
			}
			wantWallet(t, e, acc, topUp, item, due, "paid")
		})
	}
	ledgerZero(t, e)
}

// TestIPv6PayerKept: the payer's full IPv6 address (not its /64, which rate limits
// use) is kept on an H5 order, which WeChat Pay (the sandbox) accepts with it as
// scene_info.payer_client_ip.
func TestIPv6PayerKept(t *testing.T) {
	ip := net.ParseIP("2001:db8:85a3:8d3:1319:8a2e:370:7348")
	ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: &net.TCPAddr{IP: ip, Port: 443}})
	if got := gateway.ClientIP(ctx); got != ip.String() {
		t.Errorf("ClientIP %q, want %q", got, ip)
	}
	if got := gateway.ClientAddr(ctx); got != "2001:db8:85a3:8d3::/64" {
		t.Errorf("ClientAddr %q, want the /64 for rate limits", got)
	}
	e, _ := payChanEnv(t, 1)
	tok := e.parentToken(t, "par_1", 1)
	acc, _ := pupilWithBill(t, e, "35001", 100)
	b, _ := json.Marshal(map[string]any{"amountFen": "1200", "requestId": "v6"})
	req, _ := http.NewRequest(http.MethodPost, e.httpBase+"/v1/parent/children/"+acc+"/recharges", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip.String())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("REST recharge: %d", resp.StatusCode)
	}
	o, err := e.orders.ByRequest(context.Background(), "par_1", "v6")
	if err != nil || o.ClientIP != ip.String() || o.State != orders.StateAwaitingPayment {
		t.Fatalf("order %+v, %v; want payer %s kept", o, err, ip)
	}
}
