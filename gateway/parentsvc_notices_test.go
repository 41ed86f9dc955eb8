package gateway_test

import (
	"context"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestParentInboxBOLA: a guardian's inbox lists their own notices (to their
// parent id and their phone's login codes, the code masked), never another
// guardian's; staff may not call it.
func TestParentInboxBOLA(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "onecode.db")
	dir, err := sqlitedirectory.Open(ctx, path, sqlitedirectory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	box, err := sqliteoutbox.Open(ctx, path, sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	svc, err := gateway.NewParentNoticesService(gateway.Deps{Directory: dir, Outbox: box})
	if err != nil {
		t.Fatal(err)
	}
	hashA, hashB := access.PhoneHash(testPhoneKey, "13800000001"), access.PhoneHash(testPhoneKey, "13800000002")
	for id, h := range map[string][]byte{"par_a": hashA, "par_b": hashB} {
		if _, err := dir.PutParent(ctx, directory.Parent{ID: id, PhoneHash: h, PhoneMasked: "138****0000"}); err != nil {
			t.Fatal(err)
		}
	}
	ns := notify.Notices{Store: box}
	if err := ns.EnqueueLoginCode(ctx, hex.EncodeToString(hashA), "c1", []byte(`{"code":"123456","expires_unix":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := ns.EnqueueGuardianChange(ctx, notify.GuardianChange{Bound: true, Cause: "b1", SchoolID: "35001", Relation: "父亲",
		MaskedName: "张*明", MaskedStudentNo: "2024****01", Recipients: []string{"par_a"}}); err != nil {
		t.Fatal(err)
	}
	if err := ns.EnqueueLoginCode(ctx, hex.EncodeToString(hashB), "c2", []byte(`{"code":"654321","expires_unix":1}`)); err != nil {
		t.Fatal(err)
	}
	as := func(id string) context.Context {
		return access.ContextWithPrincipal(ctx, access.Principal{Kind: access.KindParent, SubjectID: id})
	}
	resp, err := svc.ListMyNotices(as("par_a"), &apiv1.ListMyNoticesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	got := resp.GetNotices()
	if len(got) != 2 || got[0].GetKind() != "guardian_bound" || got[1].GetKind() != "login_code" {
		t.Fatalf("par_a's inbox: %v", got)
	}
	if !strings.Contains(got[1].GetText(), "******") || strings.Contains(got[1].GetText(), "123456") || !strings.Contains(got[0].GetText(), "张*明") {
		t.Fatalf("texts not masked: %q, %q", got[0].GetText(), got[1].GetText())
	}
	resp, err = svc.ListMyNotices(as("par_b"), &apiv1.ListMyNoticesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range resp.GetNotices() {
		if n.GetId() == got[0].GetId() || n.GetId() == got[1].GetId() {
			t.Fatalf("par_b sees par_a's notice %v", n)
		}
	}
	if len(resp.GetNotices()) != 1 {
		t.Fatalf("par_b's inbox: %v", resp.GetNotices())
	}
	staff := access.ContextWithPrincipal(ctx, access.Principal{Kind: access.KindStaff, SubjectID: "st_1", SchoolID: "35001", Role: access.RoleSchoolAdmin})
	if _, err := svc.ListMyNotices(staff, &apiv1.ListMyNoticesRequest{}); err == nil {
		t.Fatal("staff listed a guardian's inbox")
	}
	if _, err := svc.ListMyNotices(as("par_a"), &apiv1.ListMyNoticesRequest{Limit: 101}); err == nil {
		t.Fatal("limit 101 accepted")
	}
}
