package gateway_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	"github.com/onecode/onecode/terminalclient"
	"google.golang.org/grpc/codes"
)

// TestReissueReplayAnswersTheFirstQR (issue 10, defect 8): a re-issue replayed with
// its request id answers the very QR text the first call answered, and only the
// re-issued card pays: the card printed before it is declined CARD_REPLACED.
func TestReissueReplayAnswersTheFirstQR(t *testing.T) {
	e := newSwitchEnv(t)
	secret := e.school(t, "35001", "C1", "T1", "3-1")
	if _, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", CardExpiry: nextYear(),
		Pupils: []*apiv1.PupilRow{{StudentNo: "2024000101", Name: "王小明", ClassId: "3-1"}}}); err != nil {
		t.Fatal(err)
	}
	const acc = "acc_35001_2024000101"
	if _, err := e.admin.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: acc, AmountFen: 5000, Reason: "meal", RequestId: "sub-1"}); err != nil {
		t.Fatal(err)
	}
	oldQR := e.cardQR(t, acc)
	admin := bearer(e.staffToken(t, "35001", "st_admin", directory.RoleSchoolAdmin, ""))
	req := &apiv1.ReissueCardRequest{AccountId: acc, RequestId: "re-1", CardExpiry: nextYear()}
	r1, err := e.staff.ReissueCard(admin, req)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := e.staff.ReissueCard(admin, req)
	if err != nil {
		t.Fatal(err)
	}
	if r2.GetCardQr() != r1.GetCardQr() || r2.GetCardGeneration() != r1.GetCardGeneration() {
		t.Fatalf("replay answered %q gen %d, want the first answer %q gen %d", r2.GetCardQr(), r2.GetCardGeneration(), r1.GetCardQr(), r1.GetCardGeneration())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := terminalclient.Dial(ctx, e.grpcAddr, "T1", secret)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Scan(ctx, "D1002", 1); err != nil { // the cart stays after a decline
		t.Fatal(err)
	}
	pay := func(seq uint64, qr string) *apiv1.PayResult {
		t.Helper()
		r, err := s.Pay(ctx, &apiv1.Pay{Seq: seq, CardQr: qr, ExpectedTotalFen: 100})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := pay(1, oldQR); r.GetOutcome() != apiv1.PayResult_OUTCOME_DECLINED || r.GetReason() != "CARD_REPLACED" {
		t.Fatalf("the card before the re-issue: %v, want declined CARD_REPLACED", r)
	}
	if r := pay(2, r1.GetCardQr()); r.GetOutcome() != apiv1.PayResult_OUTCOME_APPROVED || r.GetBalanceAfterFen() != 4900 {
		t.Fatalf("the re-issued card: %v, want approved, balance 4900", r)
	}
}

// TestListPupilsOfTheSchool (issue 10, defect 7): without class_id, school admins and
// finance page through the whole school by student number; a teacher lists their
// class and reaches no other.
func TestListPupilsOfTheSchool(t *testing.T) {
	e := newSwitchEnv(t)
	e.school(t, "35001", "C1", "T1", "3-1", "3-2")
	e.school(t, "35002", "C2", "T2", "3-1")
	for _, imp := range []*apiv1.ImportPupilsRequest{
		{SchoolId: "35001", CardExpiry: nextYear(), Pupils: []*apiv1.PupilRow{
			{StudentNo: "2024000201", Name: "赵六", ClassId: "3-2"}, {StudentNo: "2024000101", Name: "王小明", ClassId: "3-1"},
			{StudentNo: "2024000102", Name: "李华", ClassId: "3-1"}, {StudentNo: "2024000202", Name: "孙七", ClassId: "3-2"},
			{StudentNo: "2024000301", Name: "周八", ClassId: "3-1"},
		}},
		{SchoolId: "35002", CardExpiry: nextYear(), Pupils: []*apiv1.PupilRow{{StudentNo: "2024000103", Name: "外校", ClassId: "3-1"}}},
	} {
		if r, err := e.admin.ImportPupils(authed(), imp); err != nil || len(r.GetErrors()) > 0 {
			t.Fatal(r, err)
		}
	}
	list := func(ctx context.Context, req *apiv1.ListPupilsRequest) string {
		t.Helper()
		var got []string
		for range 10 {
			page, err := e.staff.ListPupils(ctx, req)
			if err != nil {
				t.Fatalf("ListPupils(%v): %v", req, err)
			}
			for _, p := range page.GetPupils() {
				got = append(got, p.GetStudentNo()+"/"+p.GetClassId())
			}
			if req.PageToken = page.GetNextPageToken(); req.PageToken == "" {
				return strings.Join(got, " ")
			}
		}
		t.Fatal("pages do not end")
		return ""
	}
	school := "2024000101/3-1 2024000102/3-1 2024000201/3-2 2024000202/3-2 2024000301/3-1"
	for _, role := range []directory.StaffRole{directory.RoleSchoolAdmin, directory.RoleFinance} {
		who := bearer(e.staffToken(t, "35001", "st_"+string(role), role, ""))
		if got := list(who, &apiv1.ListPupilsRequest{PageSize: 2}); got != school {
			t.Errorf("%s lists %q, want the school %q", role, got, school)
		}
		if got := list(who, &apiv1.ListPupilsRequest{ClassId: "3-2"}); got != "2024000201/3-2 2024000202/3-2" {
			t.Errorf("%s lists class 3-2 as %q", role, got)
		}
	}
	teacher := bearer(e.staffToken(t, "35001", "st_t32", directory.RoleTeacher, "3-2"))
	if got := list(teacher, &apiv1.ListPupilsRequest{PageSize: 1}); got != "2024000201/3-2 2024000202/3-2" {
		t.Errorf("the teacher of 3-2 lists %q, want their class", got)
	}
	_, err := e.staff.ListPupils(teacher, &apiv1.ListPupilsRequest{ClassId: "3-1"})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	canteen := bearer(e.staffToken(t, "35001", "st_cm", directory.RoleCanteenManager, ""))
	_, err = e.staff.ListPupils(canteen, &apiv1.ListPupilsRequest{})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
}

// TestImportOutcomesAndUpdateMode (issue 10, defect 4): an import answers per row
// whether it created, updated or left a pupil; in the default mode a row that would
// rename or move an existing pupil is the row error PUPIL_EXISTS and nothing is
// written; IMPORT_MODE_UPDATE changes it (never its card).
func TestImportOutcomesAndUpdateMode(t *testing.T) {
	e := newSwitchEnv(t)
	ctx := context.Background()
	e.school(t, "35001", "C1", "T1", "3-1", "3-2")
	imp := func(mode apiv1.ImportMode, rows ...*apiv1.PupilRow) *apiv1.ImportPupilsResponse {
		t.Helper()
		r, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", CardExpiry: nextYear(), Pupils: rows, Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	outcomes := func(r *apiv1.ImportPupilsResponse) string {
		var got []string
		for _, p := range r.GetPupils() {
			got = append(got, p.GetStudentNo()+":"+strings.TrimPrefix(p.GetOutcome().String(), "IMPORT_OUTCOME_"))
		}
		return fmt.Sprintf("%s created=%d updated=%d unchanged=%d", strings.Join(got, " "), r.GetCreated(), r.GetUpdated(), r.GetUnchanged())
	}
	a := &apiv1.PupilRow{StudentNo: "2024000101", Name: "王小明", ClassId: "3-1"}
	b := &apiv1.PupilRow{StudentNo: "2024000102", Name: "李华", ClassId: "3-1", IdNumber: "110105201503070021"}
	if got, want := outcomes(imp(0, a, b)), "2024000101:CREATED 2024000102:CREATED created=2 updated=0 unchanged=0"; got != want {
		t.Fatalf("first import: %s, want %s", got, want)
	}
	before, _ := e.dir.PupilByAccount(ctx, "acc_35001_2024000101")
	if got, want := outcomes(imp(apiv1.ImportMode_IMPORT_MODE_CREATE_ONLY, a, b)), "2024000101:UNCHANGED 2024000102:UNCHANGED created=0 updated=0 unchanged=2"; got != want {
		t.Fatalf("same rows again: %s, want %s", got, want)
	}

	// Default mode: renaming and moving a, or changing b's ID number, is refused;
	// nothing is written (not even the new pupil c).
	renamed := &apiv1.PupilRow{StudentNo: "2024000101", Name: "王晓明", ClassId: "3-2"}
	newID := &apiv1.PupilRow{StudentNo: "2024000102", Name: "李华", ClassId: "3-1", IdNumber: "110105201503070013"}
	c := &apiv1.PupilRow{StudentNo: "2024000103", Name: "张伟", ClassId: "3-2"}
	r := imp(0, c, renamed, newID)
	var got []string
	for _, re := range r.GetErrors() {
		got = append(got, fmt.Sprintf("%d %s %s", re.GetRow(), re.GetReason(), re.GetMessage()))
	}
	want := []string{
		"2 PUPIL_EXISTS student no 2024000101 is an existing pupil and this row changes its name, class: import in update mode to change it",
		"3 PUPIL_EXISTS student no 2024000102 is an existing pupil and this row changes its ID number: import in update mode to change it",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(r.GetPupils()) != 0 || r.GetCreated() != 0 {
		t.Fatalf("default mode answered %v, %d pupils; want errors\n%s", got, len(r.GetPupils()), strings.Join(want, "\n"))
	}
	if p, _ := e.dir.PupilByAccount(ctx, "acc_35001_2024000101"); p.Name != "王小明" || p.ClassID != "3-1" {
		t.Fatalf("the refused import changed the pupil: %+v", p)
	}
	if _, err := e.dir.PupilByAccount(ctx, "acc_35001_2024000103"); err == nil {
		t.Fatal("the refused import created a pupil")
	}

	// Update mode: the same rows are written, each outcome said; the card stays.
	r = imp(apiv1.ImportMode_IMPORT_MODE_UPDATE, c, renamed, newID)
	if got, want := outcomes(r), "2024000103:CREATED 2024000101:UPDATED 2024000102:UPDATED created=1 updated=2 unchanged=0"; len(r.GetErrors()) > 0 || got != want {
		t.Fatalf("update mode: %s %v, want %s", got, r.GetErrors(), want)
	}
	after, _ := e.dir.PupilByAccount(ctx, "acc_35001_2024000101")
	if after.Name != "王晓明" || after.ClassID != "3-2" || after.CardRandom != before.CardRandom || after.CardExpiry != before.CardExpiry {
		t.Fatalf("updated pupil %+v, before %+v", after, before)
	}

	// A file: the outcome of each row by its line; a refused change names the line.
	finance := bearer(e.staffToken(t, "35001", "st_fin", directory.RoleFinance, ""))
	file := []byte("学号,姓名,班级\n2024000101,王晓明,3-2\n\n2024000104,赵六,3-1\n2024000103,张伟,3-1\n")
	fr, err := e.staff.ImportPupilsFile(finance, &apiv1.ImportPupilsFileRequest{Format: "csv", Content: file, CardExpiry: nextYear()})
	if err != nil || len(fr.GetErrors()) != 1 || fr.GetErrors()[0].GetRow() != 5 || fr.GetErrors()[0].GetReason() != "PUPIL_EXISTS" || fr.GetImported() != 0 {
		t.Fatalf("file in default mode: %v %v, want PUPIL_EXISTS on line 5", fr, err)
	}
	fr, err = e.staff.ImportPupilsFile(finance, &apiv1.ImportPupilsFileRequest{Format: "csv", Content: file, CardExpiry: nextYear(), Mode: apiv1.ImportMode_IMPORT_MODE_UPDATE})
	if err != nil || len(fr.GetErrors()) > 0 {
		t.Fatal(fr, err)
	}
	got = nil
	for _, row := range fr.GetRows() {
		got = append(got, fmt.Sprintf("%d:%s:%s", row.GetRow(), row.GetAccountId(), strings.TrimPrefix(row.GetOutcome().String(), "IMPORT_OUTCOME_")))
	}
	if want := "2:acc_35001_2024000101:UNCHANGED 4:acc_35001_2024000104:CREATED 5:acc_35001_2024000103:UPDATED"; strings.Join(got, " ") != want ||
		fr.GetImported() != 3 || fr.GetCreated() != 1 || fr.GetUpdated() != 1 || fr.GetUnchanged() != 1 {
		t.Fatalf("file rows %q (%v), want %q", got, fr, want)
	}
}
