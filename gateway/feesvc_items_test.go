package gateway_test

import (
	"net/http"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestFeeItemJournalEdge: over gRPC and REST, finance adds a pupil who joined later to
// a published item (a pupil of another school or an item of another school: NOT_FOUND;
// a teacher: PERMISSION_DENIED) and reads the item's journal of changes, paged.
func TestFeeItemJournalEdge(t *testing.T) {
	e, fin, fin2 := feeWorld(t)
	item := createItem(t, e, fin, feeDef("classes", []string{"3-1"}, nil, 2500, false))
	if _, err := e.fee.PublishFeeItem(bearer(fin), &apiv1.PublishFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	url := e.httpBase + "/v1/staff/fee-items/" + item
	code, body := restCall(t, http.MethodPost, url+":addPupil", fin, map[string]any{"accountId": pupil4})
	bill, _ := body["bill"].(map[string]any)
	if code != http.StatusOK || bill["accountId"] != pupil4 || bill["dueFen"] != "2500" || bill["status"] != "unpaid" {
		t.Fatalf("REST addPupil: %d %v", code, body)
	}
	r, err := e.feeItems.AddPupilToFeeItem(bearer(fin), &apiv1.AddPupilToFeeItemRequest{ItemId: item, AccountId: pupil4})
	if err != nil || !r.GetBill().GetReplayed() {
		t.Fatalf("second add: %v %v", r, err)
	}
	teacher := e.staffToken(t, "35001", "t_31", directory.RoleTeacher, "3-1")
	_, err = e.feeItems.AddPupilToFeeItem(bearer(teacher), &apiv1.AddPupilToFeeItemRequest{ItemId: item, AccountId: pupil4})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	_, err = e.feeItems.AddPupilToFeeItem(bearer(fin), &apiv1.AddPupilToFeeItemRequest{ItemId: item, AccountId: pupilB})
	wantCode(t, err, codes.NotFound, "BILL_NOT_FOUND")
	_, err = e.feeItems.ListFeeItemChanges(bearer(fin2), &apiv1.ListFeeItemChangesRequest{ItemId: item})
	wantCode(t, err, codes.NotFound, "FEE_ITEM_NOT_FOUND")
	if _, err := e.fee.CloseFeeItem(bearer(fin), &apiv1.CloseFeeItemRequest{ItemId: item}); err != nil {
		t.Fatal(err)
	}
	if b := billsByAccount(t, e, fin, item)[pupil4]; b.GetStatus() != "closed" {
		t.Fatalf("the added pupil's bill after the close: %v", b)
	}

	first, err := e.feeItems.ListFeeItemChanges(bearer(fin), &apiv1.ListFeeItemChangesRequest{ItemId: item, PageSize: 2})
	if err != nil || len(first.GetChanges()) != 2 || first.GetNextPageToken() != "2" {
		t.Fatalf("first page: %v %v", first, err)
	}
	code, body = restCall(t, http.MethodGet, url+"/changes?pageToken=2", fin, nil)
	changes, _ := body["changes"].([]any)
	if code != http.StatusOK || len(changes) != 2 {
		t.Fatalf("REST changes: %d %v", code, body)
	}
	kinds := []string{first.GetChanges()[0].GetKind(), first.GetChanges()[1].GetKind()}
	for _, c := range changes {
		m := c.(map[string]any)
		kinds = append(kinds, m["kind"].(string))
		if m["kind"] == "add_pupil" && (m["accountId"] != pupil4 || m["staffId"] != "fin_1" || m["role"] != "finance") {
			t.Fatalf("add_pupil change %v", m)
		}
	}
	if want := []string{"create", "publish", "add_pupil", "close"}; len(kinds) != 4 || kinds[0] != want[0] || kinds[1] != want[1] || kinds[2] != want[2] || kinds[3] != want[3] {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	code, body = restCall(t, http.MethodGet, url+"/changes?pageToken=x", fin, nil)
	if code != http.StatusBadRequest || errorReason(body) != "INVALID_PAGE_TOKEN" {
		t.Fatalf("bad token: %d %v", code, body)
	}
}
