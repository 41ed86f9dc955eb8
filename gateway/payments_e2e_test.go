package gateway_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	formHidden = regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`)
)

// payOnSandbox plays the parent: opens the pay URL and submits the sandbox's pay form.
func payOnSandbox(t *testing.T, payURL string) {
	t.Helper()
	resp, err := http.Get(payURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formAction.FindStringSubmatch(string(b))
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("pay page %d: %s", resp.StatusCode, b)
	}
	form := url.Values{}
	for _, h := range formHidden.FindAllStringSubmatch(string(b), -1) {
		form.Set(h[1], h[2])
	}
	base, _ := url.Parse(payURL)
	action, _ := base.Parse(m[1])
	resp, err = http.PostForm(action.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("pay: %d", resp.StatusCode)
	}
}

// TestPaymentsEndToEnd: one whole switch (gRPC and REST on loopback) whose four
// schools each pay through another merchant: WeChat Pay direct, WeChat Pay service
// provider, Alipay public key, Alipay certificate, each on its own sandbox speaking
// the real protocol. Per school a parent recharges (gRPC) and pays a fee bill online
// (REST, as the H5 page does), pays both at the sandbox, and the signed notifications
// (three copies each) credit the wallet once and settle the bill without touching the
// wallet; finance then refunds part of the bill and the refund settles; the
// provider's statement of the day, downloaded from the sandbox, matches our books.
func TestPaymentsEndToEnd(t *testing.T) {
	envs := map[string]payEnv{
		"35001": wechatEnv(t, false), "35002": wechatEnv(t, true),
		"35003": alipayEnv(t, false), "35004": alipayEnv(t, true),
	}
	reg := payRegistry(t, perSchool(envs))
	e := newSwitchEnvWith(t, reg)
	parentTok := e.parentToken(t, "par_1", 1)
	names := map[string]string{"35001": "wechat direct", "35002": "wechat service provider",
		"35003": "alipay public key", "35004": "alipay certificate"}
	t.Run("schools", func(t *testing.T) {
		for school, env := range envs {
			t.Run(names[school], func(t *testing.T) {
				t.Parallel()
				runPaymentsEndToEnd(t, e, parentTok, school, env)
			})
		}
	})
	ledgerZero(t, e)
}

// runPaymentsEndToEnd is one school's recharge, fee payment and refund through the edge.
func runPaymentsEndToEnd(t *testing.T, e *switchEnv, parentTok, school string, env payEnv) {
	const topUp, due, back = 12_300, 45_000, 20_000
	parent := bearer(parentTok)
	e.school(t, school, "C"+school, "T"+school, "1-1")
	imp, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: school, CardExpiry: nextYear(),
		Pupils: []*apiv1.PupilRow{{StudentNo: "2024000001", Name: "王小明", ClassId: "1-1"}}})
	if err != nil || len(imp.GetErrors()) > 0 {
		t.Fatalf("import: %v %v", imp, err)
	}
	acc := "acc_" + school + "_2024000001"
	bindDirect(t, e, "par_1", acc)
	fin := e.staffToken(t, school, "fin_"+school, directory.RoleFinance, "")
	item := createItem(t, e, fin, feeDef("accounts", nil, []string{acc}, due, false))
	if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}

	rc, err := e.parent.CreateRecharge(parent, &apiv1.CreateRechargeRequest{AccountId: acc, AmountFen: topUp, RequestId: "rc-" + school})
	if err != nil || rc.GetRecharge().GetPayUrl() == "" {
		t.Fatalf("create recharge: %v %v", rc, err)
	}
	code, body := restCall(t, http.MethodPost, e.httpBase+"/v1/parent/children/"+acc+"/bills/"+item+":payOnline", parentTok,
		map[string]any{"requestId": "fee-" + school})
	o, _ := body["order"].(map[string]any)
	feeOrder, _ := o["orderId"].(string)
	payURL, _ := o["payUrl"].(string)
	if code != http.StatusOK || feeOrder == "" || payURL == "" {
		t.Fatalf("REST pay online: %d %v", code, body)
	}
	payOnSandbox(t, rc.GetRecharge().GetPayUrl())
	payOnSandbox(t, payURL)
	waitFor(t, "recharge and fee order credited", func() bool {
		r, err1 := e.parent.GetRecharge(parent, &apiv1.GetRechargeRequest{OrderId: rc.GetRecharge().GetOrderId()})
		f, err2 := e.feeP.GetBillOrder(parent, &apiv1.GetBillOrderRequest{OrderId: feeOrder})
		return err1 == nil && err2 == nil && r.GetRecharge().GetState() == apiv1.Recharge_STATE_CREDITED &&
			f.GetOrder().GetState() == apiv1.Recharge_STATE_CREDITED
	})
	waitFor(t, "every notification copy answered", env.allDelivered)
	wantWallet(t, e, acc, topUp, item, due, "paid")

	rf, err := e.refunds.RefundBill(bearer(fin), &apiv1.RefundBillRequest{ItemId: item, AccountId: acc, AmountFen: back,
		Reason: "退学退费", RequestId: "rf-" + school})
	if err != nil {
		t.Fatalf("refund: %v", err)
	}
	waitFor(t, "refund settled", func() bool {
		l, err := e.refunds.ListRefunds(bearer(fin), &apiv1.ListRefundsRequest{})
		return err == nil && len(l.GetRefunds()) == 1 && l.GetRefunds()[0].GetRefundNo() == rf.GetRefund().GetRefundNo() &&
			l.GetRefunds()[0].GetState() == "succeeded"
	})
	st := wantWallet(t, e, acc, topUp, item, due, "")
	for _, b := range st.GetBills() {
		if b.GetItemId() == item && b.GetRefundedFen() != back {
			t.Errorf("bill after the refund %v, want %d refunded", b, back)
		}
	}
	// The provider's statement of the day (downloaded from its sandbox) agrees with
	// our books: two payments, one refund.
	today := time.Now().In(aggregator.Beijing).Format("2006-01-02")
	r, err := e.recharges.App().ReconcileDay(context.Background(), today, school)
	if err != nil || r.Lines != 3 || r.Orders != 2 || r.Refunds != 1 || len(r.Differences) != 0 {
		t.Errorf("reconcile %s: %+v %v", today, r, err)
	}
}

// wantWallet checks the wallet holds balance and the bill was paid once (status, if set).
func wantWallet(t *testing.T, e *switchEnv, acc string, balance int64, item string, paid int64, status string) *grainv1.GetStateResponse {
	t.Helper()
	st, err := e.accounts.State(context.Background(), acc)
	if err != nil {
		t.Fatal(err)
	}
	if st.GetBalanceFen() != balance {
		t.Errorf("balance %d, want %d (credited once, a fee never in the wallet)", st.GetBalanceFen(), balance)
	}
	for _, b := range st.GetBills() {
		if b.GetItemId() == item && (b.GetPaidFen() != paid || (status != "" && b.GetStatus() != status)) {
			t.Errorf("bill %v, want %d paid once", b, paid)
		}
	}
	return st
}

// waitFor polls cond until it holds (a deadline, no sleep-to-sync).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, 10*time.Second, what, cond)
}

// waitWithin polls cond every 20 ms until it holds, failing the test after d.
func waitWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not reached: %s", what)
		}
		<-tick.C
	}
}
