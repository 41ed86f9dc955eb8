package gateway_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
	"github.com/onecode/onecode/persistence/journal/sqlitejournal"
	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestStaffListNoticesIsSchoolScoped: a school admin sees their school's
// notices only (another school's never, whatever the request), recipients
// masked, with state and reason; a teacher may not list them.
func TestStaffListNoticesIsSchoolScoped(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "onecode.db")
	dir, err := sqlitedirectory.Open(ctx, path, sqlitedirectory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	js, err := sqlitejournal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { js.Close() })
	box, err := sqliteoutbox.Open(ctx, path, sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	ring, kek, err := card.NewKeyring(rand.Reader, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	keyring, err := card.LoadKeyring(ring, kek)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := gateway.NewStaffService(gateway.Deps{Accounts: &actors.Accounts{}, Directory: dir, Journal: js, Keyring: keyring,
		Outbox: box, IDHashKey: testIDHashKey, Now: time.Now, Rand: rand.Reader, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ns := notify.Notices{Store: box}
	params := map[string]string{"name": "张*明", "canteen": "一食堂", "amount": "12.00", "balance": "-3.00"}
	mine, _, err := ns.Enqueue(ctx, notify.Notice{Kind: notify.KindArrears, Cause: "T1:1", SchoolID: "35001", Recipient: "acc_35001_2024000101", Params: params})
	if err != nil {
		t.Fatal(err)
	}
	voided, _, err := ns.Enqueue(ctx, notify.Notice{Kind: notify.KindArrears, Cause: "T1:2", SchoolID: "35001", Recipient: "acc_35001_2024000101", Params: params})
	if err != nil {
		t.Fatal(err)
	}
	if err := ns.WithdrawArrears(ctx, "acc_35001_2024000101", "T1:2"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ns.Enqueue(ctx, notify.Notice{Kind: notify.KindArrears, Cause: "T9:1", SchoolID: "35002", Recipient: "acc_35002_2024000101", Params: params}); err != nil {
		t.Fatal(err)
	}
	// The notice went by SMS to one guardian and by WeChat to another: both
	// channels are shown, in the order the providers accepted them.
	if err := box.RecordAccepted(ctx, []outbox.Accepted{{NoticeID: mine, Channel: "sms", Target: "t1", ProviderID: "p1"}}); err != nil {
		t.Fatal(err)
	}
	if err := box.RecordAccepted(ctx, []outbox.Accepted{{NoticeID: mine, Channel: "wechat", Target: "t2"},
		{NoticeID: mine, Channel: "sms", Target: "t3"}}); err != nil {
		t.Fatal(err)
	}
	as := func(school string, role access.Role) context.Context {
		return access.ContextWithPrincipal(ctx, access.Principal{Kind: access.KindStaff, SubjectID: "st_" + school, SchoolID: school, Role: role})
	}
	resp, err := svc.ListNotices(as("35001", access.RoleSchoolAdmin), &apiv1.ListNoticesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	got := resp.GetNotices()
	if len(got) != 2 || got[0].GetId() != voided || got[1].GetId() != mine {
		t.Fatalf("school 35001 sees %v, want its two notices newest first", got)
	}
	if got[0].GetState() != "withdrawn" || got[0].GetReason() != "sale voided" || got[1].GetState() != "queued" ||
		got[1].GetKind() != "arrears" || got[1].GetMaskedRecipient() != "acc_****01" || got[1].GetChannel() != "wechat" { // the kind's first channel: WeChat, then SMS
		t.Errorf("notices %v", got)
	}
	if d := got[1].GetDeliveredChannels(); len(d) != 2 || d[0] != "sms" || d[1] != "wechat" || len(got[0].GetDeliveredChannels()) != 0 {
		t.Errorf("delivered channels %v and %v, want [sms wechat] and none", d, got[0].GetDeliveredChannels())
	}
	other, err := svc.ListNotices(as("35002", access.RoleSchoolAdmin), &apiv1.ListNoticesRequest{BeforeId: mine + 100})
	if err != nil || len(other.GetNotices()) != 1 || other.GetNotices()[0].GetMaskedRecipient() != "acc_****01" || other.GetNotices()[0].GetId() == mine {
		t.Fatalf("school 35002 sees %v %v, want its one notice only", other, err)
	}
	_, err = svc.ListNotices(as("35001", access.RoleTeacher), &apiv1.ListNoticesRequest{})
	if r, ok := reason.As(err); !ok || r.Kind != reason.KindPermissionDenied {
		t.Errorf("a teacher: %v, want permission denied", err)
	}
	_, err = svc.ListNotices(as("35001", access.RoleSchoolAdmin), &apiv1.ListNoticesRequest{Limit: 1000})
	if r, ok := reason.As(err); !ok || r.Kind != reason.KindInvalid {
		t.Errorf("limit 1000: %v, want invalid", err)
	}
}
