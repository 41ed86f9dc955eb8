package gateway_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/persistence/directory"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestFeeDueDayRequiredAndAllowBalance: an item without a due day is refused as
// INVALID_FEE_ITEM and nothing is written; a bill carries its item's allow_balance
// in the staff list and the parent's list.
func TestFeeDueDayRequiredAndAllowBalance(t *testing.T) {
	e, fin, _ := feeWorld(t)
	d := feeDef("accounts", nil, []string{pupil1}, 800, true)
	d.DueDay = ""
	_, err := e.fee.CreateFeeItem(bearer(fin), &apiv1.CreateFeeItemRequest{Definition: d})
	wantCode(t, err, codes.InvalidArgument, "INVALID_FEE_ITEM")
	if l, err := e.fee.ListFeeItems(bearer(fin), &apiv1.ListFeeItemsRequest{}); err != nil || len(l.GetItems()) != 0 {
		t.Fatalf("items after a refused create: %v %v", l, err)
	}
	item := createItem(t, e, fin, feeDef("accounts", nil, []string{pupil1}, 800, true))
	if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	if b := billsByAccount(t, e, fin, item)[pupil1]; !b.GetAllowBalance() || b.GetDueDay() != "20261031" {
		t.Fatalf("staff bill %v", b)
	}
	parentTok := e.parentToken(t, "par_1", 1)
	bindDirect(t, e, "par_1", pupil1)
	bills, err := e.feeP.ListChildBills(bearer(parentTok), &apiv1.ListChildBillsRequest{AccountId: pupil1})
	if err != nil || len(bills.GetBills()) != 1 || !bills.GetBills()[0].GetAllowBalance() {
		t.Fatalf("parent bills %v %v", bills, err)
	}
}

// unpaidRows reads the unpaid workbook: header first, then class, student number,
// name, due, paid, exempted, outstanding, status.
func unpaidRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not an XLSX workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) == 0 || rows[0][0] != "班级" {
		t.Fatalf("rows %v %v", rows, err)
	}
	return rows[1:]
}

// TestFeeExportUnpaid: the unpaid list holds every bill with something outstanding
// and none paid in full; a teacher gets only their class even when asking for
// another; REST answers the workbook with its media type; another school's finance
// gets NOT_FOUND.
func TestFeeExportUnpaid(t *testing.T) {
	e, fin, fin2 := feeWorld(t)
	ctx := bearer(fin)
	item := createItem(t, e, fin, feeDef("school", nil, nil, 5000, false))
	if _, err := e.fee.PublishFeeItem(ctx, &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	for acc, fen := range map[string]int64{pupil1: 5000, pupil2: 1234} {
		if _, err := e.fee.RecordCashPayment(ctx, &apiv1.RecordCashPaymentRequest{ItemId: item, AccountId: acc, AmountFen: fen,
			RequestId: "cash-" + acc}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := e.fee.ExportUnpaidBills(ctx, &apiv1.ExportUnpaidBillsRequest{ItemId: item})
	if err != nil {
		t.Fatal(err)
	}
	rows := unpaidRows(t, all.GetData())
	got := map[string][]string{}
	for _, r := range rows {
		got[r[1]] = r
	}
	if len(rows) != 3 || got["2024000101"] != nil || got["2024000102"][6] != "37.66" || got["2024000102"][2] != "李华" ||
		got["2024000201"][0] != "3-2" || got["2024000103"][7] != "未缴" {
		t.Fatalf("unpaid rows %v", rows)
	}
	teacher := e.staffToken(t, "35001", "st_teacher", directory.RoleTeacher, "3-1")
	mine, err := e.fee.ExportUnpaidBills(bearer(teacher), &apiv1.ExportUnpaidBillsRequest{ItemId: item, ClassId: "3-2"})
	if err != nil {
		t.Fatal(err)
	}
	if rows := unpaidRows(t, mine.GetData()); len(rows) != 2 || rows[0][0] != "3-1" || rows[1][0] != "3-1" {
		t.Fatalf("teacher's rows %v", rows)
	}
	req, _ := http.NewRequest(http.MethodGet, e.httpBase+"/v1/staff/fee-items/"+item+"/unpaid.xlsx?classId=3-2", nil)
	req.Header.Set("Authorization", "Bearer "+fin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Fatalf("REST export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if rows := unpaidRows(t, body); len(rows) != 1 || rows[0][1] != "2024000201" {
		t.Fatalf("REST rows %v", rows)
	}
	_, err = e.fee.ExportUnpaidBills(bearer(fin2), &apiv1.ExportUnpaidBillsRequest{ItemId: item})
	wantCode(t, err, codes.NotFound, "FEE_ITEM_NOT_FOUND")
}

// TestFeeReceiptPDF: a guardian gets the PDF receipt of their child's paid bill (gRPC
// and REST); a bill with nothing paid, another parent's child and another school's
// item answer NOT_FOUND.
func TestFeeReceiptPDF(t *testing.T) {
	e, fin, _ := feeWorld(t)
	item := createItem(t, e, fin, feeDef("accounts", nil, []string{pupil1, pupil2}, 5000, false))
	if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.fee.RecordCashPayment(bearer(fin), &apiv1.RecordCashPaymentRequest{ItemId: item, AccountId: pupil1,
		AmountFen: 5000, Voucher: "NO.1", RequestId: "cash-r1"}); err != nil {
		t.Fatal(err)
	}
	parentTok := e.parentToken(t, "par_1", 1)
	bindDirect(t, e, "par_1", pupil1)
	bindDirect(t, e, "par_1", pupil2)
	r, err := e.feeP.GetBillReceipt(bearer(parentTok), &apiv1.GetBillReceiptRequest{AccountId: pupil1, ItemId: item})
	if err != nil || r.GetContentType() != "application/pdf" || !bytes.HasPrefix(r.GetData(), []byte("%PDF-")) {
		t.Fatalf("receipt: %v", err)
	}
	_, err = e.feeP.GetBillReceipt(bearer(parentTok), &apiv1.GetBillReceiptRequest{AccountId: pupil2, ItemId: item})
	wantCode(t, err, codes.NotFound, "BILL_NOT_FOUND")
	other := e.parentToken(t, "par_2", 2)
	_, err = e.feeP.GetBillReceipt(bearer(other), &apiv1.GetBillReceiptRequest{AccountId: pupil1, ItemId: item})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")

	req, _ := http.NewRequest(http.MethodGet, e.httpBase+"/v1/parent/children/"+pupil1+"/bills/"+item+"/receipt.pdf", nil)
	req.Header.Set("Authorization", "Bearer "+parentTok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("REST receipt: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestFeeRemindUnwired: until the notice outbox is wired into the fee service, a
// reminder answers Unavailable (nothing queued); another school's item NOT_FOUND.
func TestFeeRemindUnwired(t *testing.T) {
	e, fin, fin2 := feeWorld(t)
	item := createItem(t, e, fin, feeDef("school", nil, nil, 5000, false))
	if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	_, err := e.fee.RemindUnpaidBills(bearer(fin2), &apiv1.RemindUnpaidBillsRequest{ItemId: item})
	wantCode(t, err, codes.NotFound, "FEE_ITEM_NOT_FOUND")
	_, err = e.fee.RemindUnpaidBills(bearer(fin), &apiv1.RemindUnpaidBillsRequest{ItemId: item})
	wantCode(t, err, codes.Unavailable, "UNAVAILABLE")
}
