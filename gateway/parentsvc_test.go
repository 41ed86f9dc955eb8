package gateway_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// parentWorld is school 35001 with one pupil, opened, and one parent.
func parentWorld(t *testing.T) (*switchEnv, context.Context) {
	t.Helper()
	e := newSwitchEnv(t)
	e.school(t, "35001", "C1", "T1", "3-1")
	resp, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", CardExpiry: nextYear(), Pupils: []*apiv1.PupilRow{
		{StudentNo: "2024000101", Name: "王小明", ClassId: "3-1", IdNumber: "110105201503070021"},
		{StudentNo: "2024000102", Name: "李华", ClassId: "3-1"},
	}})
	if err != nil || len(resp.GetErrors()) > 0 {
		t.Fatalf("import: %v %v", resp, err)
	}
	return e, bearer(e.parentToken(t, "par_1", 1))
}

func TestFindChildAnswersNoHintAndIsRateLimited(t *testing.T) {
	e, parent := parentWorld(t)
	find := func(school, name, no, id string) error {
		_, err := e.parent.FindChild(parent, &apiv1.FindChildRequest{SchoolId: school, Name: name, StudentNo: no, IdNumber: id})
		return err
	}
	// Every miss is the same answer, whatever field was wrong.
	miss := errKey(find("35001", "王小明", "2024000199", ""))
	for _, tc := range [][4]string{
		{"35009", "王小明", "2024000101", ""},                   // unknown school
		{"35001", "王小华", "2024000101", ""},                   // another name
		{"35001", "王小明", "2024000101", "110105201503070013"}, // another ID number
		{"35001", "王小明", "2024000102", ""},                   // another pupil's number
		{"35001", "李华", "2024000102", "110105201503070021"},  // no ID number on file: an ID number cannot match
	} {
		if got := errKey(find(tc[0], tc[1], tc[2], tc[3])); got != miss || !strings.Contains(got, "CHILD_NOT_FOUND") {
			t.Fatalf("%v: %s, want %s", tc, got, miss)
		}
	}
	// Malformed requests say what is malformed (they reveal nothing of the records).
	wantCode(t, find("35001", "王小明", "", "110105201503070021"), codes.InvalidArgument, "STUDENT_NO_REQUIRED")
	wantCode(t, find("35001", "王小明", "123", ""), codes.InvalidArgument, "INVALID_ARGUMENT")
	wantCode(t, find("35001", "王小明", "2024000101", "12345678901234567X"), codes.InvalidArgument, "INVALID_ID_NUMBER")
	// 6 look-ups so far (malformed requests are not counted): 4 more, then the
	// per-parent bucket (10 an hour) is empty.
	for range 4 {
		if err := find("35001", "王小明", "2024000101", ""); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, find("35001", "王小明", "2024000101", ""), codes.ResourceExhausted, "RATE_LIMITED")
	// Another parent from the same address still gets answers.
	other := bearer(e.parentToken(t, "par_2", 2))
	if _, err := e.parent.FindChild(other, &apiv1.FindChildRequest{SchoolId: "35001", Name: "王小明", StudentNo: "2024000101"}); err != nil {
		t.Fatal(err)
	}
}

func TestBindTicketIsSingleUseAndPersonal(t *testing.T) {
	e, parent := parentWorld(t)
	other := bearer(e.parentToken(t, "par_2", 2))
	found, err := e.parent.FindChild(parent, &apiv1.FindChildRequest{SchoolId: "35001", Name: "王小明", StudentNo: "2024000101", IdNumber: "110105201503070021"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.parent.BindChild(other, &apiv1.BindChildRequest{BindTicket: found.GetBindTicket()})
	wantCode(t, err, codes.FailedPrecondition, "BIND_TICKET_INVALID")
	// Concurrent redemptions: one binds.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.parent.BindChild(parent, &apiv1.BindChildRequest{BindTicket: found.GetBindTicket(), Relation: "father"})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantCode(t, err, codes.FailedPrecondition, "BIND_TICKET_INVALID")
		}
	}
	if ok != 1 {
		t.Fatalf("%d redemptions of one ticket succeeded", ok)
	}
	for _, bad := range []string{"", "short", "!!!!!!!!!!!!!!!!!!!!!!"} {
		_, err = e.parent.BindChild(parent, &apiv1.BindChildRequest{BindTicket: bad})
		wantCode(t, err, codes.FailedPrecondition, "BIND_TICKET_INVALID")
	}
	_, err = e.parent.BindChild(parent, &apiv1.BindChildRequest{BindTicket: found.GetBindTicket(), Relation: "a relation far too long to store"})
	wantCode(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
	// Several guardians per child (each with a proof: the ID number given
	// to BindChild, a bind code), several children per parent.
	f2, err := e.parent.FindChild(other, &apiv1.FindChildRequest{SchoolId: "35001", Name: "王小明", StudentNo: "2024000101"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.parent.BindChild(other, &apiv1.BindChildRequest{BindTicket: f2.GetBindTicket(), Relation: "mother", IdNumber: "110105201503070021"}); err != nil {
		t.Fatal(err)
	}
	f3, err := e.parent.FindChild(parent, &apiv1.FindChildRequest{SchoolId: "35001", Name: "李华", StudentNo: "2024000102"})
	if err != nil {
		t.Fatal(err)
	}
	admin := bearer(e.staffToken(t, "35001", "st_admin", directory.RoleSchoolAdmin, ""))
	code, err := e.staff.IssueBindCode(admin, &apiv1.IssueBindCodeRequest{AccountId: "acc_35001_2024000102"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.parent.BindChild(parent, &apiv1.BindChildRequest{BindTicket: f3.GetBindTicket(), BindCode: code.GetBindCode()}); err != nil {
		t.Fatal(err)
	}
	list, err := e.parent.ListChildren(parent, &apiv1.ListChildrenRequest{})
	if err != nil || len(list.GetChildren()) != 2 {
		t.Fatalf("children: %v %v", list, err)
	}
	for _, c := range list.GetChildren() {
		if c.GetMaskedName() != "王*明" && c.GetMaskedName() != "李*" {
			t.Fatalf("name not masked: %v", c)
		}
	}
	g, err := e.dir.Guardians(context.Background(), "acc_35001_2024000101")
	if err != nil || len(g) != 2 || g[0].Relation != "father" {
		t.Fatalf("guardians %v %v", g, err)
	}
}

func bindDirect(t *testing.T, e *switchEnv, parentID, account string) {
	t.Helper()
	if err := e.dir.Bind(context.Background(), directory.Guardianship{ParentID: parentID, AccountID: account, Relation: "mother"}); err != nil {
		t.Fatal(err)
	}
}

func TestListHistoryPages(t *testing.T) {
	e, parent := parentWorld(t)
	const acc = "acc_35001_2024000101"
	bindDirect(t, e, "par_1", acc)
	for i := range 25 {
		if _, err := e.admin.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: acc, AmountFen: int64(i + 1), Reason: "r", RequestId: fmt.Sprint("s", i)}); err != nil {
			t.Fatal(err)
		}
	}
	// 26 events: opened (not shown) and 25 subsidies, newest first, 20 then 5.
	page := func(size int32, token string) (*apiv1.ListHistoryResponse, error) {
		return e.parent.ListHistory(parent, &apiv1.ListHistoryRequest{AccountId: acc, PageSize: size, PageToken: token})
	}
	p1, err := page(0, "")
	if err != nil || len(p1.GetLines()) != 20 || p1.GetLines()[0].GetAmountFen() != 25 || p1.GetLines()[0].GetKind() != "subsidy" || p1.GetNextPageToken() == "" {
		t.Fatalf("page 1: %v %v", p1, err)
	}
	p2, err := page(0, p1.GetNextPageToken())
	if err != nil || len(p2.GetLines()) != 5 || p2.GetLines()[4].GetAmountFen() != 1 || p2.GetNextPageToken() != "" {
		t.Fatalf("page 2: %v %v", p2, err)
	}
	p3, err := page(25, "")
	if err != nil || len(p3.GetLines()) != 25 || p3.GetNextPageToken() != "" {
		t.Fatalf("exact page: %d lines, next %q, %v", len(p3.GetLines()), p3.GetNextPageToken(), err)
	}
	for _, tc := range []struct {
		size   int32
		token  string
		reason string
	}{
		{-1, "", "INVALID_PAGE_SIZE"}, {101, "", "INVALID_PAGE_SIZE"}, {1 << 30, "", "INVALID_PAGE_SIZE"},
		{0, "abc", "INVALID_PAGE_TOKEN"}, {0, "-5", "INVALID_PAGE_TOKEN"}, {0, "1", "INVALID_PAGE_TOKEN"},
		{0, "99999999999999999999", "INVALID_PAGE_TOKEN"}, {0, "+12", "INVALID_PAGE_TOKEN"},
	} {
		_, err := page(tc.size, tc.token)
		wantCode(t, err, codes.InvalidArgument, tc.reason)
	}
}

func TestParentReportLossAndDailyCap(t *testing.T) {
	e, parent := parentWorld(t)
	const acc = "acc_35001_2024000101"
	bindDirect(t, e, "par_1", acc)
	r1, err := e.parent.ReportLoss(parent, &apiv1.ReportLossRequest{AccountId: acc, RequestId: "lost-1"})
	if err != nil || r1.GetCardState() != "lost" {
		t.Fatalf("report loss: %v %v", r1, err)
	}
	r2, err := e.parent.ReportLoss(parent, &apiv1.ReportLossRequest{AccountId: acc, RequestId: "lost-1"})
	if err != nil || r2.GetCardGeneration() != r1.GetCardGeneration() {
		t.Fatalf("repeated report: %v %v", r2, err)
	}
	st, err := e.accounts.State(context.Background(), acc)
	if err != nil || st.GetCardState() != "lost" || st.GetSeq() != 2 {
		t.Fatalf("state after two identical reports: %v %v", st, err)
	}
	_, err = e.parent.ReportLoss(parent, &apiv1.ReportLossRequest{AccountId: acc})
	wantCode(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")

	cap1, err := e.parent.SetDailyCap(parent, &apiv1.SetDailyCapRequest{AccountId: acc, AmountFen: 2500, RequestId: "cap-1"})
	if err != nil || cap1.GetDailySpendCapFen() != 2500 {
		t.Fatalf("cap: %v %v", cap1, err)
	}
	_, err = e.parent.SetDailyCap(parent, &apiv1.SetDailyCapRequest{AccountId: acc, AmountFen: 3000, RequestId: "cap-1"})
	wantCode(t, err, codes.AlreadyExists, "IDEMPOTENCY_CONFLICT")
	_, err = e.parent.SetDailyCap(parent, &apiv1.SetDailyCapRequest{AccountId: acc, AmountFen: -1, RequestId: "cap-2"})
	wantCode(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
	c, err := e.parent.GetChild(parent, &apiv1.GetChildRequest{AccountId: acc})
	if err != nil || c.GetChild().GetDailySpendCapFen() != 2500 || c.GetChild().GetCardState() != "lost" {
		t.Fatalf("child: %v %v", c, err)
	}
	h, err := e.parent.ListHistory(parent, &apiv1.ListHistoryRequest{AccountId: acc})
	if err != nil || len(h.GetLines()) != 2 || h.GetLines()[0].GetKind() != "limits" || h.GetLines()[1].GetKind() != "loss_report" {
		t.Fatalf("history: %v %v", h, err)
	}
	// Recharge: limits come from the recharge component, after the reach check.
	_, err = e.parent.CreateRecharge(parent, &apiv1.CreateRechargeRequest{AccountId: acc, AmountFen: 100001, RequestId: "big"})
	if status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("over the single max: %v", err)
	}
}
