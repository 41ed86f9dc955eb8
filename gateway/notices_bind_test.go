package gateway_test

import (
	"context"
	"strings"
	"testing"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestBindingNoticeOnOutbox (issue 12, the new outbox path): a parent binds a
// child through the API with the ID number; the guardian already bound is told
// once (masked name and student number), the new one is not.
func TestBindingNoticeOnOutbox(t *testing.T) {
	e := newSwitchEnvOutbox(t)
	e.school(t, "35001", "C1", "T1", "3-1")
	resp, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", CardExpiry: nextYear(), Pupils: []*apiv1.PupilRow{
		{StudentNo: "2024000101", Name: "王小明", ClassId: "3-1", IdNumber: "110105201503070021"}}})
	if err != nil || len(resp.GetErrors()) > 0 {
		t.Fatalf("import: %v %v", resp, err)
	}
	e.parentToken(t, "par_1", 1)
	bindDirect(t, e, "par_1", accWang)
	second := bearer(e.parentToken(t, "par_2", 2))
	ticket := findTicket(t, e, second, "王小明", "2024000101")
	if _, err := e.parent.BindChild(second, &apiv1.BindChildRequest{BindTicket: ticket, IdNumber: "110105201503070021"}); err != nil {
		t.Fatal(err)
	}
	ns, err := e.outbox.List(context.Background(), "35001", 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, n := range ns {
		if n.Kind != "guardian_bound" {
			continue
		}
		told = append(told, n.Recipient)
		for _, secret := range []string{"王小明", "110105201503070021", "2024000101"} {
			if strings.Contains(string(n.Payload), secret) {
				t.Errorf("notice carries %q unmasked: %s", secret, n.Payload)
			}
		}
	}
	if len(told) != 1 || told[0] != "par_1" {
		t.Fatalf("binding told to %v, want par_1 once", told)
	}
}
