package gateway_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/gateway/payments"
	"github.com/onecode/onecode/internal/testfiles"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// feeImportWorld is two schools (35001 paid through a WeChat Pay sandbox merchant) (35001 with class 3-1 of three pupils and 3-2 of one;
// 35002 with one pupil), the notices' outbox wired, and finance staff of each.
func feeImportWorld(t *testing.T) (e *switchEnv, fin, fin2 string) {
	t.Helper()
	env := wechatEnv(t, false) // its sandbox notifies each payment and refund several times
	reg := payRegistry(t, payments.Config{Merchants: env.merchants, Schools: []payments.School{env.school}})
	e = newSwitchEnvOpts(t, envOpts{outbox: true, providers: reg})
	fin, fin2 = feeSchools(t, e)
	return e, fin, fin2
}

// importAmountsREST posts a workbook to :importAmounts as the console does.
func importAmountsREST(t *testing.T, e *switchEnv, token, item string, xlsx []byte) map[string]any {
	t.Helper()
	code, body := restCall(t, http.MethodPost, e.httpBase+"/v1/staff/fee-items/"+item+":importAmounts", token,
		map[string]any{"format": "xlsx", "content": base64.StdEncoding.EncodeToString(xlsx)})
	if code != http.StatusOK {
		t.Fatalf("REST importAmounts: %d %v", code, body)
	}
	return body
}

// TestFeeItemEndToEnd: an item for class 3-1 whose per-pupil amounts come from an
// XLSX: a file with a bad row is refused with its row errors and stores nothing; the
// fixed file is stored; publishing bills the three pupils their amounts; a guardian
// pays online through the sandbox aggregator; the receipt PDF renders; the unpaid
// list shrinks from 3 to 2; a reminder goes only to the unpaid; a refund (asked
// twice) settles once however often its notification arrives; the ledger sums to 0.
func TestFeeItemEndToEnd(t *testing.T) {
	e, fin, _ := feeImportWorld(t)
	staff := bearer(fin)
	item := createItem(t, e, fin, feeDef("classes", []string{"3-1"}, nil, 5000, false))

	bad := testfiles.XLSX(t, [][]any{
		{"学号", "姓名", "金额(元)", "备注"},
		{"2024000101", "王小明", 120.5, ""},
		{"2024000102", "李华", "两百", ""},
		{"2024000103", "张伟", 300, "住校"},
	})
	body := importAmountsREST(t, e, fin, item, bad)
	errs, _ := body["errors"].([]any)
	if len(errs) != 1 || errs[0].(map[string]any)["row"] != float64(3) || errs[0].(map[string]any)["reason"] != "INVALID_AMOUNT" {
		t.Fatalf("bad file: %v", body)
	}
	if l, err := e.feeImp.ListFeeAmounts(staff, &apiv1.ListFeeAmountsRequest{ItemId: item}); err != nil || len(l.GetAmounts()) != 0 {
		t.Fatalf("a refused file stored %v, %v", l, err)
	}
	good := testfiles.XLSX(t, [][]any{
		{"学号", "姓名", "金额(元)", "备注"},
		{"2024000101", "王小明", 120.5, ""},
		{"2024000102", "李华", "200", ""},
		{"2024000103", "张伟", 300, "住校"},
	})
	body = importAmountsREST(t, e, fin, item, good)
	if body["imported"] != float64(3) || body["totalFen"] != "62050" {
		t.Fatalf("good file: %v", body)
	}
	want := map[string]int64{pupil1: 12050, pupil2: 20000, pupil3: 30000}
	pub, err := e.fee.PublishFeeItem(staff, &apiv1.PublishFeeItemRequest{ItemId: item})
	if err != nil {
		t.Fatal(err)
	}
	bills := billsByAccount(t, e, fin, item)
	for acc, due := range want {
		if bills[acc].GetDueFen() != due || bills[acc].GetStatus() != "unpaid" {
			t.Fatalf("%s: bill %v, want %d due (publish %v)", acc, bills[acc], due, pub)
		}
	}
	if len(bills) != 3 || unpaid(bills) != 3 {
		t.Fatalf("bills after publish: %v", bills)
	}
	_, err = e.feeImp.ImportFeeAmounts(staff, &apiv1.ImportFeeAmountsRequest{ItemId: item, Format: "xlsx", Content: good})
	wantCode(t, err, codes.FailedPrecondition, "FEE_ITEM_NOT_DRAFT")

	// A guardian pays pupil1's bill online through the sandbox aggregator.
	parent := bearer(e.parentToken(t, "par_1", 1))
	e.parentToken(t, "par_2", 2)
	e.parentToken(t, "par_3", 3)
	for i, acc := range []string{pupil1, pupil2, pupil3} {
		bindDirect(t, e, []string{"par_1", "par_2", "par_3"}[i], acc)
	}
	o, err := e.feeP.PayBillOnline(parent, &apiv1.PayBillOnlineRequest{AccountId: pupil1, ItemId: item, RequestId: "pay-1"})
	if err != nil || o.GetOrder().GetAmountFen() != 12050 {
		t.Fatalf("pay online: %v %v", o, err)
	}
	payOnSandbox(t, o.GetOrder().GetPayUrl())
	waitFor(t, "the order credited", func() bool {
		g, err := e.feeP.GetBillOrder(parent, &apiv1.GetBillOrderRequest{OrderId: o.GetOrder().GetOrderId()})
		return err == nil && g.GetOrder().GetState() == apiv1.Recharge_STATE_CREDITED
	})
	r, err := e.feeP.GetBillReceipt(parent, &apiv1.GetBillReceiptRequest{AccountId: pupil1, ItemId: item})
	if err != nil || !bytes.HasPrefix(r.GetData(), []byte("%PDF-")) {
		t.Fatalf("receipt: %v", err)
	}
	waitFor(t, "the staff's list shows the bill paid", func() bool { return unpaid(billsByAccount(t, e, fin, item)) == 2 })
	if b := billsByAccount(t, e, fin, item)[pupil1]; b.GetPaidFen() != 12050 || b.GetStatus() != "paid" {
		t.Fatalf("paid bill: %v", b)
	}
	rem, err := e.fee.RemindUnpaidBills(staff, &apiv1.RemindUnpaidBillsRequest{ItemId: item})
	if err != nil || rem.GetQueued() != 2 {
		t.Fatalf("reminders: %v %v; want 2 (the unpaid only)", rem, err)
	}

	// A refund of part of the payment, asked twice, returns the money once.
	req := &apiv1.RefundBillRequest{ItemId: item, AccountId: pupil1, AmountFen: 2050, Reason: "多收退回", RequestId: "rf-1"}
	first, err := e.refunds.RefundBill(staff, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.refunds.RefundBill(staff, req)
	if err != nil || again.GetRefund().GetRefundNo() != first.GetRefund().GetRefundNo() {
		t.Fatalf("the same refund again: %v %v", again, err)
	}
	waitFor(t, "the refund succeeded", func() bool {
		l, err := e.refunds.ListRefunds(staff, &apiv1.ListRefundsRequest{})
		return err == nil && len(l.GetRefunds()) == 1 && l.GetRefunds()[0].GetState() == "succeeded"
	})
	// The sandbox retries its notification; none of them refunds twice.
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		st, err := e.accounts.State(authed(), pupil1)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range st.GetBills() {
			if b.GetItemId() == item && b.GetRefundedFen() != 2050 {
				t.Fatalf("refunded %d, want 2050 once", b.GetRefundedFen())
			}
		}
		time.Sleep(50 * time.Millisecond) // sampling over the sandbox's retry ladder (0, 50, 200 ms)
	}
	ledgerZero(t, e)
}

func unpaid(bills map[string]*apiv1.FeeBill) int {
	n := 0
	for _, b := range bills {
		if b.GetStatus() == "unpaid" || b.GetStatus() == "partly_paid" {
			n++
		}
	}
	return n
}

// TestFeeImportScope: finance of another school sees the item as unknown; a teacher
// and a parent are refused; nothing is stored.
func TestFeeImportScope(t *testing.T) {
	e, fin, fin2 := feeImportWorld(t)
	teacher := e.staffToken(t, "35001", "tch_1", directory.RoleTeacher, "3-1")
	item := createItem(t, e, fin, feeDef("classes", []string{"3-1"}, nil, 5000, false))
	file := []byte("学号,金额\n2024000101,10\n")
	req := &apiv1.ImportFeeAmountsRequest{ItemId: item, Format: "csv", Content: file}
	_, err := e.feeImp.ImportFeeAmounts(bearer(fin2), req)
	wantCode(t, err, codes.NotFound, "FEE_ITEM_NOT_FOUND")
	_, err = e.feeImp.ListFeeAmounts(bearer(fin2), &apiv1.ListFeeAmountsRequest{ItemId: item})
	wantCode(t, err, codes.NotFound, "FEE_ITEM_NOT_FOUND")
	_, err = e.feeImp.ImportFeeAmounts(bearer(teacher), req)
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = e.feeImp.ListFeeAmounts(bearer(teacher), &apiv1.ListFeeAmountsRequest{ItemId: item})
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = e.feeImp.ImportFeeAmounts(bearer(e.parentToken(t, "par_1", 1)), req)
	wantCode(t, err, codes.PermissionDenied, "")
	// A pupil of the other school is an unknown student number here.
	r, err := e.feeImp.ImportFeeAmounts(bearer(fin), &apiv1.ImportFeeAmountsRequest{ItemId: item, Format: "csv",
		Content: []byte("学号,金额\n2024000301,10\n")})
	if err != nil || len(r.GetErrors()) != 1 || r.GetErrors()[0].GetReason() != "UNKNOWN_STUDENT_NO" {
		t.Fatalf("another school's pupil: %v %v", r, err)
	}
	if l, err := e.feeImp.ListFeeAmounts(bearer(fin), &apiv1.ListFeeAmountsRequest{ItemId: item}); err != nil || len(l.GetAmounts()) != 0 {
		t.Fatalf("stored after refusals: %v %v", l, err)
	}
	code, body := restCall(t, http.MethodGet, e.httpBase+"/v1/staff/fee-items/"+item+"/amounts", fin2, nil)
	if code != http.StatusNotFound {
		t.Fatalf("REST other school: %d %v", code, body)
	}
}
