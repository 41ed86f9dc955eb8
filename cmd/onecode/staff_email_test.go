package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appnotify "github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// TestStaffRefundFailedByEmail (issue 12): a refund the provider failed, told
// twice (a repeated notification), reaches the school's active finance staff
// who keep an e-mail once each, over STARTTLS to a real SMTP server on
// loopback through the operators' SMTP settings; a teacher, a disabled finance
// member and one without an e-mail get nothing.
func TestStaffRefundFailedByEmail(t *testing.T) {
	ctx := context.Background()
	ms := startOpsMailServer(t)
	pwFile := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(pwFile, []byte("pw-Zq81\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Server.DataDir = t.TempDir()
	cfg.Ops.SMTP = OpsSMTP{Addr: ms.addr, From: "OneCode <notices@onecode.test>", Username: "alarms", PasswordFile: pwFile,
		CAFile: ms.caFile, ServerName: "mail.test"}
	dir := schoolDir(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []directory.StaffUser{
		{ID: "st_cw1", Username: "cw1", Role: directory.RoleFinance, Status: directory.StaffActive, Email: "cw1@school.test"},
		{ID: "st_cw2", Username: "cw2", Role: directory.RoleFinance, Status: directory.StaffActive},
		{ID: "st_cw3", Username: "cw3", Role: directory.RoleFinance, Status: directory.StaffDisabled, Email: "cw3@school.test"},
		{ID: "st_t1", Username: "t1", Role: directory.RoleTeacher, ClassID: "3-1", Status: directory.StaffActive, Email: "t1@school.test"},
	} {
		u.SchoolID, u.PasswordHash = "35001", "$argon2id$v=19$test"
		must(dir.PutStaff(ctx, u))
	}
	now := func() time.Time { return time.Date(2026, 10, 30, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) } // not in quiet hours
	box, err := sqliteoutbox.Open(ctx, filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{Now: now})
	must(err)
	defer box.Close()
	rn := appnotify.RefundNotices{Notices: appnotify.Notices{Store: box, Now: now}, Pupils: dir, Staff: dir}
	for range 2 {
		must(rn.RefundSettled(ctx, appnotify.SettledRefund{RefundNo: "FABCDEF", SchoolID: "35001", AccountID: "acc_1", AmountFen: 1250}))
	}
	var logs bytes.Buffer
	p, err := setupPush(cfg, false, dir, box, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	must(err)
	defer p.Close()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go appnotify.RunNotices(runCtx, box, p.send, appnotify.RunOptions{Interval: 10 * time.Millisecond, Now: now}, nil)
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := box.Get(ctx, 1)
		if err == nil && n.State == outbox.Sent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the notice was not sent: %+v %v", n, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	got := ms.mails()
	if len(got) != 1 || got[0].to != "cw1@school.test" || !got[0].tls {
		t.Fatalf("mails %+v, want one to cw1@school.test over TLS", got)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].data))
	must(err)
	body, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	if subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); subj != staffEmailSubject ||
		!strings.Contains(string(body), "FABCDEF") || !strings.Contains(string(body), "12.50") {
		t.Errorf("subject %q, body %q", msg.Header.Get("Subject"), body)
	}
	if strings.Contains(logs.String(), "cw1@") || strings.Contains(logs.String(), "pw-Zq81") {
		t.Errorf("the log shows an address or the password:\n%s", logs.String())
	}
}
