package gateway_test

import (
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/internal/testfiles"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestFeeImportAmountsTwiceREST: the same workbook posted twice to :importAmounts
// (a double click, a retry after a timeout) answers the same amounts, the second
// time with alreadyApplied, and the item's journal has one import; other content is
// a second import.
func TestFeeImportAmountsTwiceREST(t *testing.T) {
	e, fin, _ := feeImportWorld(t)
	item := createItem(t, e, fin, feeDef("classes", []string{"3-1"}, nil, 5000, false))
	file := func(fen any) []byte {
		return testfiles.XLSX(t, [][]any{{"学号", "金额"}, {"2024000101", 120.5}, {"2024000102", fen}})
	}
	first := importAmountsREST(t, e, fin, item, file(200))
	again := importAmountsREST(t, e, fin, item, file(200))
	if first["totalFen"] != "32050" || first["alreadyApplied"] == true {
		t.Fatalf("first import: %v", first)
	}
	if again["totalFen"] != "32050" || again["alreadyApplied"] != true || again["imported"] != float64(2) {
		t.Fatalf("the same file again: %v, want the same amounts, alreadyApplied", again)
	}
	other := importAmountsREST(t, e, fin, item, file(300))
	if other["alreadyApplied"] == true || other["totalFen"] != "42050" {
		t.Fatalf("another file: %v", other)
	}
	code, body := restCall(t, http.MethodGet, e.httpBase+"/v1/staff/fee-items/"+item+"/changes", fin, nil)
	if code != http.StatusOK {
		t.Fatalf("changes: %d %v", code, body)
	}
	imports := 0
	for _, c := range body["changes"].([]any) {
		if c.(map[string]any)["kind"] == "import_amounts" {
			imports++
		}
	}
	if imports != 2 {
		t.Fatalf("%d import_amounts changes, want 2 (the repeated file once): %v", imports, body["changes"])
	}
}

// TestFeeBillPaymentsREST: a guardian lists the payments of their child's bill (cash
// then the card balance, oldest first, RFC 3339 times); another parent's child and
// a bill with nothing paid answer NOT_FOUND.
func TestFeeBillPaymentsREST(t *testing.T) {
	e, fin, _ := feeWorld(t)
	parentTok := e.parentToken(t, "par_1", 1)
	bindDirect(t, e, "par_1", pupil1)
	bindDirect(t, e, "par_1", pupil2)
	if _, err := e.admin.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: pupil1, AmountFen: 4000, Reason: "助学", RequestId: "sub-1"}); err != nil {
		t.Fatal(err)
	}
	item := createItem(t, e, fin, feeDef("accounts", nil, []string{pupil1, pupil2}, 5000, true))
	if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.fee.RecordCashPayment(bearer(fin), &apiv1.RecordCashPaymentRequest{ItemId: item, AccountId: pupil1,
		AmountFen: 1000, Voucher: "NO.1", RequestId: "cash-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.feeP.PayBillFromBalance(bearer(parentTok), &apiv1.PayBillFromBalanceRequest{AccountId: pupil1, ItemId: item,
		AmountFen: 4000, RequestId: "bal-1"}); err != nil {
		t.Fatal(err)
	}
	code, body := restCall(t, http.MethodGet, e.httpBase+"/v1/parent/children/"+pupil1+"/bills/"+item+"/payments", parentTok, nil)
	if code != http.StatusOK || body["paidFen"] != "5000" {
		t.Fatalf("payments: %d %v", code, body)
	}
	ps, _ := body["payments"].([]any)
	if len(ps) != 2 {
		t.Fatalf("payments %v, want 2", ps)
	}
	want := []map[string]any{{"method": "cash", "amountFen": "1000", "reference": "NO.1"}, {"method": "balance", "amountFen": "4000"}}
	for i, p := range ps {
		got := p.(map[string]any)
		for k, v := range want[i] {
			if got[k] != v {
				t.Fatalf("payment %d: %v, want %s = %v", i, got, k, v)
			}
		}
		if at, err := time.Parse(time.RFC3339, got["at"].(string)); err != nil || time.Since(at) > time.Hour {
			t.Fatalf("payment %d at %v: %v", i, got["at"], err)
		}
	}
	_, err := e.feeP.ListBillPayments(bearer(parentTok), &apiv1.ListBillPaymentsRequest{AccountId: pupil2, ItemId: item})
	wantCode(t, err, codes.NotFound, "BILL_NOT_FOUND")
	other := e.parentToken(t, "par_2", 2)
	code, body = restCall(t, http.MethodGet, e.httpBase+"/v1/parent/children/"+pupil1+"/bills/"+item+"/payments", other, nil)
	if code != http.StatusNotFound {
		t.Fatalf("another parent: %d %v", code, body)
	}
}
