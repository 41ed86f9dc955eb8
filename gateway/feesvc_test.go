package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// feeWorld is a switch with school 35001 (classes 3-1 with three pupils, 3-2 with one)
// and school 35002 (one pupil), and the finance staff of both.
func feeWorld(t *testing.T) (e *switchEnv, fin, fin2 string) {
	t.Helper()
	e = newSwitchEnv(t)
	fin, fin2 = feeSchools(t, e)
	return e, fin, fin2
}

const (
	pupil1 = "acc_35001_2024000101"
	pupil2 = "acc_35001_2024000102"
	pupil3 = "acc_35001_2024000103"
	pupil4 = "acc_35001_2024000201"
	pupilB = "acc_35002_2024000301"
)

func feeDef(kind string, classes, accounts []string, fen int64, allowBalance bool) *apiv1.FeeItemDefinition {
	return &apiv1.FeeItemDefinition{Title: "2026秋季校服费", Category: "uniform", AmountFen: fen, TargetKind: kind,
		ClassIds: classes, AccountIds: accounts, DueDay: "20261031", AllowBalance: allowBalance}
}

func createItem(t *testing.T, e *switchEnv, token string, d *apiv1.FeeItemDefinition) string {
	t.Helper()
	r, err := e.fee.CreateFeeItem(bearer(token), &apiv1.CreateFeeItemRequest{Definition: d})
	if err != nil || r.GetItem().GetState() != "draft" {
		t.Fatalf("create item: %v %v", r, err)
	}
	return r.GetItem().GetItemId()
}

func ledgerZero(t *testing.T, e *switchEnv) {
	t.Helper()
	sum, err := e.js.LedgerSum(context.Background())
	if err != nil || sum != 0 {
		t.Fatalf("ledger sums to %d (%v), want 0", sum, err)
	}
}

func billsByAccount(t *testing.T, e *switchEnv, token, item string) map[string]*apiv1.FeeBill {
	t.Helper()
	r, err := e.fee.ListFeeBills(bearer(token), &apiv1.ListFeeBillsRequest{ItemId: item})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*apiv1.FeeBill{}
	for _, b := range r.GetBills() {
		out[b.GetAccountId()] = b
	}
	return out
}

// TestFeePublishCashExemption: publishing to a class bills each pupil once (a second
// publish adds none); cash then an exemption of the rest settle a bill; an overpayment
// is refused and changes nothing; a replayed request id answers its first outcome; the
// ledger sums to zero; after close no cash is taken.
func TestFeePublishCashExemption(t *testing.T) {
	e, fin, _ := feeWorld(t)
	ctx := bearer(fin)
	item := createItem(t, e, fin, feeDef("classes", []string{"3-1"}, nil, 5000, false))

	// Publish through REST, then again through gRPC: one bill per pupil of 3-1.
	code, body := restCall(t, http.MethodPost, e.httpBase+"/v1/staff/fee-items/"+item+":publish", fin, map[string]any{})
	if code != http.StatusOK || body["bills"] != float64(3) || body["issued"] != float64(3) {
		t.Fatalf("REST publish: %d %v", code, body)
	}
	again, err := e.fee.PublishFeeItem(ctx, &apiv1.PublishFeeItemRequest{ItemId: item})
	if err != nil || again.GetBills() != 3 || again.GetIssued() != 0 || again.GetItem().GetState() != "published" {
		t.Fatalf("second publish: %v %v", again, err)
	}
	if bills := billsByAccount(t, e, fin, item); len(bills) != 3 || bills[pupil4] != nil || bills[pupil1].GetStatus() != "unpaid" {
		t.Fatalf("bills %v", bills)
	}
	_, err = e.fee.UpdateFeeItem(ctx, &apiv1.UpdateFeeItemRequest{ItemId: item, Definition: feeDef("school", nil, nil, 1, false)})
	wantCode(t, err, codes.FailedPrecondition, "FEE_ITEM_NOT_DRAFT")

	cash := func(req string, fen int64) (*apiv1.RecordCashPaymentResponse, error) {
		return e.fee.RecordCashPayment(ctx, &apiv1.RecordCashPaymentRequest{ItemId: item, AccountId: pupil1, AmountFen: fen, Voucher: "NO.0001", RequestId: req})
	}
	r, err := cash("cash-1", 3000)
	if err != nil || r.GetBill().GetStatus() != "partly_paid" || r.GetBill().GetOutstandingFen() != 2000 || r.GetBill().GetReplayed() {
		t.Fatalf("cash: %v %v", r, err)
	}
	r, err = cash("cash-1", 3000)
	if err != nil || !r.GetBill().GetReplayed() || r.GetBill().GetPaidFen() != 3000 {
		t.Fatalf("replayed cash: %v %v", r, err)
	}
	_, err = cash("cash-1", 2000)
	wantCode(t, err, codes.AlreadyExists, "IDEMPOTENCY_CONFLICT")
	_, err = cash("cash-2", 2001)
	wantCode(t, err, codes.FailedPrecondition, "BILL_OVERPAID")
	_, err = cash("cash-3", 0)
	wantCode(t, err, codes.InvalidArgument, "INVALID_AMOUNT")
	if b := billsByAccount(t, e, fin, item)[pupil1]; b.GetPaidFen() != 3000 || b.GetExemptedFen() != 0 {
		t.Fatalf("refused payment changed the bill: %v", b)
	}

	exempt := func(acc, req, why string, fen int64) (*apiv1.GrantFeeExemptionResponse, error) {
		return e.fee.GrantFeeExemption(ctx, &apiv1.GrantFeeExemptionRequest{ItemId: item, AccountId: acc, AmountFen: fen, Reason: why, RequestId: req})
	}
	_, err = exempt(pupil1, "ex-0", "", 2000)
	wantCode(t, err, codes.InvalidArgument, "EXEMPTION_NEEDS_REASON")
	if x, err := exempt(pupil1, "ex-1", "家庭困难", 2000); err != nil || x.GetBill().GetStatus() != "paid" || x.GetBill().GetOutstandingFen() != 0 {
		t.Fatalf("exemption of the rest: %v %v", x, err)
	}
	if x, err := exempt(pupil2, "ex-2", "低保家庭", 5000); err != nil || x.GetBill().GetStatus() != "exempt" {
		t.Fatalf("whole exemption: %v %v", x, err)
	}
	_, err = exempt(pupil4, "ex-3", "x", 100) // 3-2 is not billed
	wantCode(t, err, codes.NotFound, "BILL_NOT_FOUND")

	totals, err := e.fee.GetFeeClassTotals(ctx, &apiv1.GetFeeClassTotalsRequest{ItemId: item})
	if err != nil || len(totals.GetClasses()) != 1 {
		t.Fatalf("totals: %v %v", totals, err)
	}
	if c := totals.GetClasses()[0]; c.GetBills() != 3 || c.GetSettled() != 2 || c.GetPaidFen() != 3000 || c.GetExemptedFen() != 7000 || c.GetOutstandingFen() != 5000 {
		t.Fatalf("class totals %v", c)
	}
	ledgerZero(t, e)

	if _, err := e.fee.CloseFeeItem(ctx, &apiv1.CloseFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	_, err = e.fee.RecordCashPayment(ctx, &apiv1.RecordCashPaymentRequest{ItemId: item, AccountId: pupil3, AmountFen: 100, RequestId: "cash-9"})
	wantCode(t, err, codes.FailedPrecondition, "FEE_ITEM_CLOSED")
	if b := billsByAccount(t, e, fin, item)[pupil3]; b.GetStatus() != "closed" {
		t.Fatalf("open bill after close: %v", b)
	}
	if b := billsByAccount(t, e, fin, item)[pupil1]; b.GetStatus() != "paid" {
		t.Fatalf("settled bill after close: %v", b)
	}
}

// TestFeeIsolation: staff reach only their school's items and pupils, parents and
// canteen managers none of the staff fee API, staff none of the parent one.
func TestFeeIsolation(t *testing.T) {
	e, fin, fin2 := feeWorld(t)
	item := createItem(t, e, fin, feeDef("school", nil, nil, 5000, true))
	if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	other := bearer(fin2)
	for name, call := range map[string]func() error{
		"get": func() error { _, err := e.fee.GetFeeItem(other, &apiv1.GetFeeItemRequest{ItemId: item}); return err },
		"publish": func() error {
			_, err := e.fee.PublishFeeItem(other, &apiv1.PublishFeeItemRequest{ItemId: item})
			return err
		},
		"close": func() error {
			_, err := e.fee.CloseFeeItem(other, &apiv1.CloseFeeItemRequest{ItemId: item})
			return err
		},
		"bills": func() error {
			_, err := e.fee.ListFeeBills(other, &apiv1.ListFeeBillsRequest{ItemId: item})
			return err
		},
		"totals": func() error {
			_, err := e.fee.GetFeeClassTotals(other, &apiv1.GetFeeClassTotalsRequest{ItemId: item})
			return err
		},
		"cash": func() error {
			_, err := e.fee.RecordCashPayment(other, &apiv1.RecordCashPaymentRequest{ItemId: item, AccountId: pupil1, AmountFen: 100, RequestId: "x1"})
			return err
		},
		"exempt": func() error {
			_, err := e.fee.GrantFeeExemption(other, &apiv1.GrantFeeExemptionRequest{ItemId: item, AccountId: pupil1, AmountFen: 100, Reason: "r", RequestId: "x2"})
			return err
		},
		"update": func() error {
			_, err := e.fee.UpdateFeeItem(other, &apiv1.UpdateFeeItemRequest{ItemId: item, Definition: feeDef("school", nil, nil, 1, false)})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, call(), codes.NotFound, "FEE_ITEM_NOT_FOUND") })
	}
	if r, err := e.fee.ListFeeItems(other, &apiv1.ListFeeItemsRequest{}); err != nil || len(r.GetItems()) != 0 {
		t.Fatalf("other school's list: %v %v", r, err)
	}
	// A pupil of another school is not billable by this school's item.
	_, err := e.fee.RecordCashPayment(bearer(fin), &apiv1.RecordCashPaymentRequest{ItemId: item, AccountId: pupilB, AmountFen: 100, RequestId: "x3"})
	wantCode(t, err, codes.NotFound, "BILL_NOT_FOUND")
	_, err = e.fee.CreateFeeItem(bearer(fin), &apiv1.CreateFeeItemRequest{Definition: feeDef("accounts", nil, []string{pupilB}, 100, false)})
	wantCode(t, err, codes.InvalidArgument, "ACCOUNT_NOT_FOUND")

	parent := bearer(e.parentToken(t, "par_1", 1))
	_, err = e.fee.ListFeeItems(parent, &apiv1.ListFeeItemsRequest{})
	wantCode(t, err, codes.PermissionDenied, "STAFF_ONLY")
	_, err = e.feeP.ListChildBills(bearer(fin), &apiv1.ListChildBillsRequest{AccountId: pupil1})
	wantCode(t, err, codes.PermissionDenied, "PARENT_ONLY")
	canteen := bearer(e.staffToken(t, "35001", "cm_1", directory.RoleCanteenManager, ""))
	_, err = e.fee.ListFeeItems(canteen, &apiv1.ListFeeItemsRequest{})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	teacher := bearer(e.staffToken(t, "35001", "tc_1", directory.RoleTeacher, "3-2"))
	_, err = e.fee.PublishFeeItem(teacher, &apiv1.PublishFeeItemRequest{ItemId: item})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	if r, err := e.fee.ListFeeBills(teacher, &apiv1.ListFeeBillsRequest{ItemId: item, ClassId: "3-1"}); err != nil || len(r.GetBills()) != 1 || r.GetBills()[0].GetAccountId() != pupil4 {
		t.Fatalf("a teacher sees their class only: %v %v", r, err)
	}
	code, _ := restCall(t, http.MethodGet, e.httpBase+"/v1/staff/fee-items/"+item, "", nil)
	if code != http.StatusUnauthorized {
		t.Fatalf("REST without a session: %d", code)
	}
}

// TestFeePayFromBalance: a parent pays their own child's bill from the balance, never
// into arrears, never another family's child, never an item that does not allow it.
func TestFeePayFromBalance(t *testing.T) {
	e, fin, _ := feeWorld(t)
	parentTok := e.parentToken(t, "par_1", 1)
	parent := bearer(parentTok)
	bindDirect(t, e, "par_1", pupil1)
	if _, err := e.admin.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: pupil1, AmountFen: 4000, Reason: "助学", RequestId: "sub-1"}); err != nil {
		t.Fatal(err)
	}
	item := createItem(t, e, fin, feeDef("accounts", nil, []string{pupil1, pupil2}, 5000, true))
	noBalance := createItem(t, e, fin, feeDef("accounts", nil, []string{pupil1}, 800, false))
	for _, it := range []string{item, noBalance} {
		if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: it}); err != nil {
			t.Fatal(err)
		}
	}
	pay := func(acc, it, req string, fen int64) (*apiv1.PayBillFromBalanceResponse, error) {
		return e.feeP.PayBillFromBalance(parent, &apiv1.PayBillFromBalanceRequest{AccountId: acc, ItemId: it, AmountFen: fen, RequestId: req})
	}
	_, err := pay(pupil1, item, "p1", 5000)
	wantCode(t, err, codes.FailedPrecondition, "INSUFFICIENT_FUNDS")
	r, err := pay(pupil1, item, "p2", 4000)
	if err != nil || r.GetBill().GetPaidFen() != 4000 || r.GetBill().GetStatus() != "partly_paid" {
		t.Fatalf("pay from balance: %v %v", r, err)
	}
	if r, err = pay(pupil1, item, "p2", 4000); err != nil || !r.GetBill().GetReplayed() {
		t.Fatalf("replayed: %v %v", r, err)
	}
	_, err = pay(pupil1, item, "p3", 1) // balance now 0: no arrears for fees
	wantCode(t, err, codes.FailedPrecondition, "INSUFFICIENT_FUNDS")
	_, err = pay(pupil2, item, "p4", 100)
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	_, err = pay(pupil1, noBalance, "p5", 100)
	wantCode(t, err, codes.FailedPrecondition, "BILL_BALANCE_NOT_ALLOWED")

	st, err := e.accounts.State(context.Background(), pupil1)
	if err != nil || st.GetBalanceFen() != 0 {
		t.Fatalf("balance after paying: %v %v", st.GetBalanceFen(), err)
	}
	h, err := e.parent.ListHistory(parent, &apiv1.ListHistoryRequest{AccountId: pupil1})
	if err != nil || len(h.GetLines()) == 0 || h.GetLines()[0].GetKind() != "fee" || h.GetLines()[0].GetAmountFen() != -4000 {
		t.Fatalf("history after paying a bill from the balance: %v %v", h, err)
	}
	bills, err := e.feeP.ListChildBills(parent, &apiv1.ListChildBillsRequest{AccountId: pupil1})
	if err != nil || len(bills.GetBills()) != 2 || bills.GetBills()[0].GetTitle() == "" || bills.GetBills()[0].GetOutstandingFen() != 1000 {
		t.Fatalf("child bills: %v %v", bills, err)
	}
	_, err = e.feeP.ListChildBills(parent, &apiv1.ListChildBillsRequest{AccountId: pupil2})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	code, body := restCall(t, http.MethodGet, e.httpBase+"/v1/parent/children/"+pupil1+"/bills", parentTok, nil)
	if list, _ := body["bills"].([]any); code != http.StatusOK || len(list) != 2 {
		t.Fatalf("REST child bills: %d %v", code, body)
	}
	ledgerZero(t, e)
}

// TestFeePublishInterruptedThenRerun: a publish cut short by its deadline leaves some
// bills issued; running it again completes it with exactly one bill per pupil.
func TestFeePublishInterruptedThenRerun(t *testing.T) {
	e, fin, _ := feeWorld(t)
	var rows []*apiv1.PupilRow
	for i := range 60 {
		rows = append(rows, &apiv1.PupilRow{StudentNo: fmt.Sprintf("20250%05d", i), Name: "学生", ClassId: "3-2"})
	}
	if resp, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", CardExpiry: nextYear(), Pupils: rows}); err != nil || len(resp.GetErrors()) > 0 {
		t.Fatalf("import: %v %v", resp, err)
	}
	item := createItem(t, e, fin, feeDef("classes", []string{"3-2"}, nil, 1000, false))
	ctx, cancel := context.WithTimeout(bearer(fin), 5*time.Millisecond)
	_, err := e.fee.PublishFeeItem(ctx, &apiv1.PublishFeeItemRequest{ItemId: item})
	cancel()
	t.Logf("interrupted publish: %v", err)
	r, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item})
	if err != nil || r.GetBills() != 61 {
		t.Fatalf("re-run: %v %v", r, err)
	}
	if bills := billsByAccount(t, e, fin, item); len(bills) != 61 {
		t.Fatalf("%d bills in the read model, want 61", len(bills))
	}
	for _, acc := range []string{pupil4, "acc_35001_2025000000", "acc_35001_2025000059"} {
		st, err := e.accounts.State(context.Background(), acc)
		if err != nil || len(st.GetBills()) != 1 || st.GetBills()[0].GetItemId() != item {
			t.Fatalf("%s bills: %v %v", acc, st.GetBills(), err)
		}
	}
}
