package gateway_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// restGet GETs path with a bearer token as the console does and answers the status,
// content type and body.
func (e *switchEnv) restGet(t *testing.T, token, path string) (int, string, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.httpBase+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// TestGetPupilCard: one pupil's label as PDF, by the class sheet's roles and
// reach; a lost card has nothing to print.
func TestGetPupilCard(t *testing.T) {
	e := newSwitchEnv(t)
	e.school(t, "35001", "C1", "T1", "3-1", "3-2")
	e.school(t, "35002", "C2", "T2", "9-9")
	resp, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", CardExpiry: nextYear(), Pupils: []*apiv1.PupilRow{
		{StudentNo: "2024000101", Name: "Wang Xiaoming", ClassId: "3-1"}, {StudentNo: "2024000201", Name: "赵六", ClassId: "3-2"},
	}})
	if err != nil || len(resp.GetErrors()) > 0 {
		t.Fatal(resp, err)
	}
	const acc, other = "acc_35001_2024000101", "acc_35001_2024000201"
	teacher := bearer(e.staffToken(t, "35001", "st_t31", directory.RoleTeacher, "3-1"))
	pdf, err := e.staff.GetPupilCard(teacher, &apiv1.GetPupilCardRequest{AccountId: acc})
	if err != nil || pdf.GetContentType() != "application/pdf" || !strings.HasPrefix(string(pdf.GetData()), "%PDF-") {
		t.Fatalf("card: %v", err)
	}
	code, ctype, body := e.restGet(t, e.staffToken(t, "35001", "st_admin", directory.RoleSchoolAdmin, ""), "/v1/staff/pupils/"+acc+"/card.pdf")
	if code != http.StatusOK || ctype != "application/pdf" || !strings.HasPrefix(string(body), "%PDF-") {
		t.Fatalf("REST card: %d %s", code, ctype)
	}
	// Out of reach: another class for a teacher, another school, a role without pupils.
	_, err = e.staff.GetPupilCard(teacher, &apiv1.GetPupilCardRequest{AccountId: other})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	_, err = e.staff.GetPupilCard(bearer(e.staffToken(t, "35002", "st_admin2", directory.RoleSchoolAdmin, "")), &apiv1.GetPupilCardRequest{AccountId: acc})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	_, err = e.staff.GetPupilCard(bearer(e.staffToken(t, "35001", "st_cm", directory.RoleCanteenManager, "")), &apiv1.GetPupilCardRequest{AccountId: acc})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	// A lost card is not printed.
	if _, err := e.staff.ReportPupilLoss(teacher, &apiv1.ReportPupilLossRequest{AccountId: acc, RequestId: "l1"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.staff.GetPupilCard(teacher, &apiv1.GetPupilCardRequest{AccountId: acc})
	wantCode(t, err, codes.FailedPrecondition, "NO_CARDS")
}

// TestGetDishLabels: the barcode labels of a canteen's dishes on sale as PDF, for
// its canteen manager and school admin; a withdrawn dish is not printed.
func TestGetDishLabels(t *testing.T) {
	e := newSwitchEnv(t)
	e.school(t, "35001", "C1", "T1", "3-1")
	e.school(t, "35002", "C2", "T2", "9-9")
	manager := bearer(e.staffToken(t, "35001", "st_cm", directory.RoleCanteenManager, ""))
	pdf, err := e.staff.GetDishLabels(manager, &apiv1.GetDishLabelsRequest{CanteenId: "C1"})
	if err != nil || pdf.GetContentType() != "application/pdf" || !strings.HasPrefix(string(pdf.GetData()), "%PDF-") {
		t.Fatalf("labels: %v", err)
	}
	code, ctype, body := e.restGet(t, e.staffToken(t, "35001", "st_admin", directory.RoleSchoolAdmin, ""), "/v1/staff/canteens/C1/labels.pdf")
	if code != http.StatusOK || ctype != "application/pdf" || !strings.HasPrefix(string(body), "%PDF-") {
		t.Fatalf("REST labels: %d %s", code, ctype)
	}
	_, err = e.staff.GetDishLabels(manager, &apiv1.GetDishLabelsRequest{CanteenId: "C2"})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	_, err = e.staff.GetDishLabels(bearer(e.staffToken(t, "35001", "st_fin", directory.RoleFinance, "")), &apiv1.GetDishLabelsRequest{CanteenId: "C1"})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	code, _, body = e.restGet(t, e.staffToken(t, "35001", "st_t", directory.RoleTeacher, "3-1"), "/v1/staff/canteens/C1/labels.pdf")
	if code != http.StatusForbidden || !strings.Contains(string(body), "ROLE_NOT_ALLOWED") {
		t.Fatalf("REST as a teacher: %d %s", code, body)
	}
	// With every dish withdrawn there is nothing to print.
	for _, b := range []string{"D1001", "D1002"} {
		d := &apiv1.Dish{CanteenId: "C1", Barcode: b, Name: "停售", PriceFen: 100, Active: proto.Bool(false)}
		if _, err := e.staff.PutCanteenDish(manager, &apiv1.PutCanteenDishRequest{CanteenId: "C1", Barcode: b, Dish: d}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.staff.GetDishLabels(manager, &apiv1.GetDishLabelsRequest{CanteenId: "C1"})
	wantCode(t, err, codes.FailedPrecondition, "NO_DISHES")
}
