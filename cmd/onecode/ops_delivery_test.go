package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/app/ops"
	"github.com/onecode/onecode/persistence/alarms/sqlitealarms"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// alarmDeliveryRig is alarms on a real alarm store whose deliveries go through a
// real outbox store and the notices' runner to the SMTP server of ms.
type alarmDeliveryRig struct {
	al  *ops.Alarms
	box *sqliteoutbox.Store
}

func newAlarmDeliveryRig(t *testing.T, ms *opsMailServer) *alarmDeliveryRig {
	t.Helper()
	pwFile := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(pwFile, []byte("pw-Zq81"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := defaultOpsConfig()
	cfg.AlarmEmail = []string{"duty@school.test"}
	cfg.SMTP = OpsSMTP{Addr: ms.addr, From: "alarms@onecode.test", Username: "alarms", PasswordFile: pwFile,
		CAFile: ms.caFile, ServerName: "mail.test"}
	logger := slog.New(slog.DiscardHandler)
	targets, _, err := alarmEmailTargets(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlitealarms.Open(ctx, filepath.Join(dir, "alarms.db"), sqlitealarms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	box, err := sqliteoutbox.Open(ctx, filepath.Join(dir, "outbox.db"), sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	d := ops.Deliveries{Store: box, Targets: targets}
	others := func(context.Context, notify.Message) error { return errors.New("not an alarm") }
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	// A short lease: a failed attempt is claimed again within a second.
	go func() {
		defer close(done)
		notify.RunNotices(runCtx, box, ops.RouteAlarms(d.Send, others),
			notify.RunOptions{Interval: 20 * time.Millisecond, Lease: time.Second}, logger)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return &alarmDeliveryRig{al: ops.NewAlarms(store, d, time.Now, logger), box: box}
}

// drained waits until no delivery is queued and want mails arrived.
func (r *alarmDeliveryRig) drained(t *testing.T, ms *opsMailServer, want int) {
	t.Helper()
	deadline := time.Now().Add(8 * time.Second)
	for {
		q, err := r.box.CountQueued(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if q == 0 && len(ms.mails()) >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries queued, %d mails, want 0 and %d", q, len(ms.mails()), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mailBody(t *testing.T, m opsMail) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.data))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	return string(body)
}

// TestAlarmDeliveryRetriedUntilAcceptedAndOnce: the SMTP server refuses the
// alarm mail on the whole first attempt (the channel's own 3 tries); the
// delivery stays on the outbox, is claimed again after its lease and accepted:
// exactly one mail, though the alarm was raised three times and its delivery
// queued again. It goes out now although the test may run in quiet hours.
func TestAlarmDeliveryRetriedUntilAcceptedAndOnce(t *testing.T) {
	ms := startOpsMailServer(t)
	ms.mu.Lock()
	ms.refuse = 3
	ms.mu.Unlock()
	r := newAlarmDeliveryRig(t, ms)
	ctx := context.Background()
	a := ops.Alarm{Key: ops.Key(ops.KindJournal, "m1", "writer"), Kind: ops.KindJournal, Level: ops.Critical,
		Subject: "writer", Message: "journal writer: flush failed"}
	var got ops.Alarm
	for range 3 {
		var err error
		if got, _, err = r.al.Raise(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := (ops.Deliveries{Store: r.box, Targets: nil}).NotifyAlarm(ctx, got); err != nil {
		t.Fatal(err)
	}
	r.drained(t, ms, 1)
	ms.mu.Lock()
	refused := ms.refused
	ms.mu.Unlock()
	if refused != 3 {
		t.Errorf("%d refusals, want 3", refused)
	}
	mails := ms.mails()
	if len(mails) != 1 || mails[0].to != "duty@school.test" || !strings.Contains(mailBody(t, mails[0]), ops.KindJournal) {
		t.Fatalf("%d mails, want one journal alarm to duty@", len(mails))
	}
	ns, err := r.box.List(ctx, "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].Kind != string(ops.KindAlarm) || ns[0].Attempts < 2 || strings.Contains(ns[0].Recipient, "@") {
		t.Fatalf("outbox holds %+v, want one alarm delivery sent on its second attempt, no address", ns)
	}
}

// TestEachAlarmKindMailedOnce: every alarm kind of seed 2 (§7), raised twice
// while open, gives one mail.
func TestEachAlarmKindMailedOnce(t *testing.T) {
	ms := startOpsMailServer(t)
	r := newAlarmDeliveryRig(t, ms)
	ctx := context.Background()
	kinds := []string{ops.KindTerminalOffline, ops.KindIllegalAccess, ops.KindWalletAnomaly, ops.KindLedgerImbalance,
		ops.KindJournal, ops.KindBreakerOpen, ops.KindOrderOverdue}
	for _, k := range kinds {
		a := ops.Alarm{Key: ops.Key(k, "", "S-1"), Kind: k, Level: ops.Warning, Subject: "S-1", Message: k + " provoked"}
		for range 2 {
			if _, _, err := r.al.Raise(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	r.drained(t, ms, len(kinds))
	per := map[string]int{}
	for _, m := range ms.mails() {
		body := mailBody(t, m)
		for _, k := range kinds {
			if strings.Contains(body, k+" provoked") {
				per[k]++
			}
		}
	}
	for _, k := range kinds {
		if per[k] != 1 {
			t.Errorf("%s mailed %d times, want 1", k, per[k])
		}
	}
	if n := len(ms.mails()); n != len(kinds) {
		t.Errorf("%d mails, want %d", n, len(kinds))
	}
}
