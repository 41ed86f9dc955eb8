package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

const (
	accWang = "acc_35001_2024000101" // 王小明, ID number on file
	accLi   = "acc_35001_2024000102" // 李华, no ID number on file
)

// bindingNotices claims the queued binding notices, by recipient.
func bindingNotices(t *testing.T, e *switchEnv) map[string][]map[string]string {
	t.Helper()
	msgs, err := e.dir.ClaimBatch(context.Background(), directory.MaxPage)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]map[string]string{}
	for _, m := range msgs {
		if m.Topic != directory.TopicBinding {
			continue
		}
		for _, secret := range []string{"王小明", "李华", "110105201503070021", "2024000101", "2024000102"} {
			if strings.Contains(string(m.Payload), secret) {
				t.Errorf("notice to %s carries %q unmasked: %s", m.Recipient, secret, m.Payload)
			}
		}
		var p map[string]string
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		out[m.Recipient] = append(out[m.Recipient], p)
	}
	return out
}

func findTicket(t *testing.T, e *switchEnv, parent context.Context, name, no string) string {
	t.Helper()
	f, err := e.parent.FindChild(parent, &apiv1.FindChildRequest{SchoolId: "35001", Name: name, StudentNo: no})
	if err != nil {
		t.Fatal(err)
	}
	return f.GetBindTicket()
}

// TestBindNeedsMoreThanPrintedFacts is issue 10, defect 2: a name and a
// student number (printed on the class sheet) no longer bind a child.
func TestBindNeedsMoreThanPrintedFacts(t *testing.T) {
	e, first := parentWorld(t)
	bindDirect(t, e, "par_1", accWang)
	attackerToken := e.parentToken(t, "par_x", 9)
	attacker := bearer(attackerToken)
	before, err := e.accounts.State(context.Background(), accWang)
	if err != nil {
		t.Fatal(err)
	}
	// The old attack, over REST: find, then bind with the ticket alone.
	ticket := findTicket(t, e, attacker, "王小明", "2024000101")
	code, body := restCall(t, "POST", e.httpBase+"/v1/parent/children:bind", attackerToken, map[string]any{"bindTicket": ticket})
	if code != http.StatusBadRequest || errorReason(body) != "BIND_PROOF_REQUIRED" {
		t.Fatalf("bind with printed facts only: %d %v", code, body)
	}
	_, err = e.parent.BindChild(attacker, &apiv1.BindChildRequest{BindTicket: ticket})
	wantCode(t, err, codes.FailedPrecondition, "BIND_PROOF_REQUIRED")
	_, err = e.parent.SetDailyCap(attacker, &apiv1.SetDailyCapRequest{AccountId: accWang, AmountFen: 1, RequestId: "cap-x"})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	_, err = e.parent.ReportLoss(attacker, &apiv1.ReportLossRequest{AccountId: accWang, RequestId: "loss-x"})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	if g, err := e.dir.Guardians(context.Background(), accWang); err != nil || len(g) != 1 {
		t.Fatalf("guardians after the attack: %v %v", g, err)
	}
	if after, err := e.accounts.State(context.Background(), accWang); err != nil || after.GetSeq() != before.GetSeq() {
		t.Fatalf("account changed: %v %v", after, err)
	}
	if n := bindingNotices(t, e); len(n) != 0 {
		t.Fatalf("notices after a refused binding: %v", n)
	}
	if _, err := e.parent.GetChild(first, &apiv1.GetChildRequest{AccountId: accWang}); err != nil {
		t.Fatal(err)
	}
}

// TestBindCodeOnceAndLimited: a code from the school binds once; a wrong code
// is refused and counted, until the pupil's limit refuses even the right one.
func TestBindCodeOnceAndLimited(t *testing.T) {
	e, first := parentWorld(t)
	bindDirect(t, e, "par_1", accWang)
	second, third := bearer(e.parentToken(t, "par_2", 2)), bearer(e.parentToken(t, "par_3", 3))
	teacher := bearer(e.staffToken(t, "35001", "st_teacher", directory.RoleTeacher, "3-1"))
	issued, err := e.staff.IssueBindCode(teacher, &apiv1.IssueBindCodeRequest{AccountId: accWang})
	if err != nil || len(issued.GetBindCode()) != 11 || issued.GetExpiresUnix() == 0 {
		t.Fatalf("issue: %v %v", issued, err)
	}
	// Typed in lower case without the hyphen: still the code.
	typed := strings.ToLower(strings.ReplaceAll(issued.GetBindCode(), "-", " "))
	r, err := e.parent.BindChild(second, &apiv1.BindChildRequest{BindTicket: findTicket(t, e, second, "王小明", "2024000101"), BindCode: typed, Relation: "father"})
	if err != nil || r.GetChild().GetAccountId() != accWang {
		t.Fatalf("bind with the code: %v %v", r, err)
	}
	// The first guardian is told, masked; the new one is not.
	notices := bindingNotices(t, e)
	if len(notices) != 1 || len(notices["par_1"]) != 1 || notices["par_1"][0]["event"] != "bound" ||
		notices["par_1"][0]["masked_name"] != "王*明" || notices["par_1"][0]["masked_phone"] != "138****0000" {
		t.Fatalf("notices: %v", notices)
	}
	// The same code again: used up.
	ticket := findTicket(t, e, third, "王小明", "2024000101")
	_, err = e.parent.BindChild(third, &apiv1.BindChildRequest{BindTicket: ticket, BindCode: issued.GetBindCode()})
	wantCode(t, err, codes.FailedPrecondition, "BIND_PROOF_INVALID")
	_, err = e.parent.BindChild(third, &apiv1.BindChildRequest{BindTicket: ticket, BindCode: "not a code"})
	wantCode(t, err, codes.InvalidArgument, "BIND_PROOF_INVALID")
	// Li Hua: a fresh code, guessed wrong until the pupil's limit (5 at once).
	admin := bearer(e.staffToken(t, "35001", "st_admin", directory.RoleSchoolAdmin, ""))
	li, err := e.staff.IssueBindCode(admin, &apiv1.IssueBindCodeRequest{AccountId: accLi})
	if err != nil {
		t.Fatal(err)
	}
	ticket = findTicket(t, e, third, "李华", "2024000102")
	wrong := "00000-00000"
	if li.GetBindCode() == wrong {
		wrong = "00000-00001"
	}
	for range 5 {
		_, err = e.parent.BindChild(third, &apiv1.BindChildRequest{BindTicket: ticket, BindCode: wrong})
		wantCode(t, err, codes.FailedPrecondition, "BIND_PROOF_INVALID")
	}
	_, err = e.parent.BindChild(third, &apiv1.BindChildRequest{BindTicket: ticket, BindCode: li.GetBindCode()})
	wantCode(t, err, codes.ResourceExhausted, "RATE_LIMITED")
	if g, err := e.dir.Guardians(context.Background(), accLi); err != nil || len(g) != 0 {
		t.Fatalf("Li Hua's guardians: %v %v", g, err)
	}
	if _, err := e.parent.GetChild(first, &apiv1.GetChildRequest{AccountId: accWang}); err != nil {
		t.Fatal(err)
	}
}

// TestBindWithIDNumberAndUnbind: the pupil's ID number proves a binding; a
// guardian unbinds themself and the school unbinds another, each time telling
// the remaining guardians; staff of another school reach nothing.
func TestBindWithIDNumberAndUnbind(t *testing.T) {
	e, first := parentWorld(t)
	e.school(t, "35002", "C2", "T2", "2A")
	bindDirect(t, e, "par_1", accWang)
	second, third := bearer(e.parentToken(t, "par_2", 2)), bearer(e.parentToken(t, "par_3", 3))
	ticket := findTicket(t, e, second, "王小明", "2024000101")
	_, err := e.parent.BindChild(second, &apiv1.BindChildRequest{BindTicket: ticket, IdNumber: "110105201503070013"})
	wantCode(t, err, codes.FailedPrecondition, "BIND_PROOF_INVALID")
	_, err = e.parent.BindChild(second, &apiv1.BindChildRequest{BindTicket: ticket, IdNumber: "110105201503070021", BindCode: "00000-00000"})
	wantCode(t, err, codes.InvalidArgument, "BIND_PROOF_INVALID")
	if _, err := e.parent.BindChild(second, &apiv1.BindChildRequest{BindTicket: ticket, IdNumber: "1101 0520 1503 0700 21"}); err != nil {
		t.Fatal(err)
	}
	// Li Hua has no ID number on file: no ID number binds him.
	_, err = e.parent.BindChild(third, &apiv1.BindChildRequest{BindTicket: findTicket(t, e, third, "李华", "2024000102"), IdNumber: "110105201503070021"})
	wantCode(t, err, codes.FailedPrecondition, "BIND_PROOF_INVALID")
	if n := bindingNotices(t, e); len(n["par_1"]) != 1 || len(n) != 1 {
		t.Fatalf("notices after the ID number binding: %v", n)
	}

	// Staff of another school, a teacher, finance: no codes, no unbinding.
	other := bearer(e.staffToken(t, "35002", "st_admin2", directory.RoleSchoolAdmin, ""))
	teacher := bearer(e.staffToken(t, "35001", "st_teacher", directory.RoleTeacher, "3-1"))
	finance := bearer(e.staffToken(t, "35001", "st_finance", directory.RoleFinance, ""))
	_, err = e.staff.IssueBindCode(other, &apiv1.IssueBindCodeRequest{AccountId: accWang})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	_, err = e.staff.IssueBindCode(finance, &apiv1.IssueBindCodeRequest{AccountId: accWang})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	for _, who := range []context.Context{other, teacher, finance} {
		_, err = e.staff.UnbindGuardian(who, &apiv1.UnbindGuardianRequest{AccountId: accWang, ParentId: "par_2"})
		if c := status.Code(err); c != codes.NotFound && c != codes.PermissionDenied {
			t.Fatalf("unbind by foreign or lesser staff: %v", err)
		}
	}
	if g, err := e.dir.Guardians(context.Background(), accWang); err != nil || len(g) != 2 {
		t.Fatalf("guardians after refused unbinds: %v %v", g, err)
	}

	// A guardian unbinds themself: the other is told; the child is out of reach.
	if _, err := e.parent.UnbindChild(second, &apiv1.UnbindChildRequest{AccountId: accWang}); err != nil {
		t.Fatal(err)
	}
	_, err = e.parent.GetChild(second, &apiv1.GetChildRequest{AccountId: accWang})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	_, err = e.parent.UnbindChild(second, &apiv1.UnbindChildRequest{AccountId: accWang})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	if n := bindingNotices(t, e); len(n) != 1 || len(n["par_1"]) != 1 || n["par_1"][0]["event"] != "unbound" {
		t.Fatalf("notices after unbinding: %v", n)
	}

	// The school admin sees the guardians and unbinds one; the rest are told.
	admin := bearer(e.staffToken(t, "35001", "st_admin", directory.RoleSchoolAdmin, ""))
	bindDirect(t, e, "par_3", accWang)
	gs, err := e.staff.ListPupilGuardians(teacher, &apiv1.ListPupilGuardiansRequest{AccountId: accWang})
	if err != nil || len(gs.GetGuardians()) != 2 || gs.GetGuardians()[1].GetParentId() != "par_3" || gs.GetGuardians()[1].GetMaskedPhone() != "138****0000" {
		t.Fatalf("guardians: %v %v", gs, err)
	}
	if _, err := e.staff.UnbindGuardian(admin, &apiv1.UnbindGuardianRequest{AccountId: accWang, ParentId: "par_3"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.staff.UnbindGuardian(admin, &apiv1.UnbindGuardianRequest{AccountId: accWang, ParentId: "par_3"})
	wantCode(t, err, codes.NotFound, "NOT_BOUND")
	if n := bindingNotices(t, e); len(n) != 1 || len(n["par_1"]) != 1 || n["par_1"][0]["event"] != "unbound_staff" {
		t.Fatalf("notices after the school unbound: %v", n)
	}
	if _, err := e.parent.GetChild(first, &apiv1.GetChildRequest{AccountId: accWang}); err != nil {
		t.Fatal(err)
	}
}
