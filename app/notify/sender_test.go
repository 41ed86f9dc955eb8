package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// secret parts of a one-time code message: none may reach the log.
const (
	otpCode      = "482916"
	otpRecipient = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	maskedPhone  = "139****1111"
)

func otpMessage() Message {
	return Message{ID: 7, Topic: "otp", Recipient: otpRecipient, Attempts: 1,
		Payload: []byte(`{"code":"` + otpCode + `","masked_phone":"` + maskedPhone + `","expires_unix":1700000000}`)}
}

func arrearsMessage() Message {
	return Message{ID: 8, Topic: "arrears", Recipient: "acc_35001_2024000101", Attempts: 2,
		Payload: []byte(`{"account_id":"acc_35001_2024000101","purchase_key":"T1:9","amount_fen":1200,"balance_fen":-300}`)}
}

// secrets are what the log must never show of the test messages.
var secrets = []string{otpCode, otpRecipient, maskedPhone, "2024000101", "T1:9", "amount_fen", "code"}

func TestLogSenderLogsNoContent(t *testing.T) {
	var buf bytes.Buffer
	send := LogSender(slog.New(slog.NewJSONHandler(&buf, nil)))
	for _, m := range []Message{otpMessage(), arrearsMessage()} {
		if err := send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	got := buf.String()
	for _, s := range secrets {
		if strings.Contains(got, s) {
			t.Errorf("the log shows %q:\n%s", s, got)
		}
	}
	if !strings.Contains(got, `"topic":"otp"`) || !strings.Contains(got, `"id":8`) {
		t.Errorf("the log does not say which message went:\n%s", got)
	}
}

func TestFileSenderWritesTheMailboxNotTheLog(t *testing.T) {
	var buf bytes.Buffer
	path := filepath.Join(t.TempDir(), "outbox.jsonl")
	at := time.Date(2024, 9, 2, 4, 0, 0, 0, time.UTC)
	send := FileSender(path, func() time.Time { return at }, slog.New(slog.NewJSONHandler(&buf, nil)))
	notJSON := Message{ID: 9, Topic: "reminder", Recipient: "p1", Payload: []byte("plain")}
	for _, m := range []Message{otpMessage(), arrearsMessage(), notJSON} {
		if err := send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range secrets {
		if strings.Contains(buf.String(), s) {
			t.Errorf("the log shows %q:\n%s", s, buf.String())
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("mailbox mode %v, want 0600", got)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines in the mailbox, want 3:\n%s", len(lines), b)
	}
	var first struct {
		ID      int64 `json:"id"`
		Topic   string
		Payload struct{ Code string }
		At      time.Time
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.ID != 7 || first.Topic != "otp" || first.Payload.Code != otpCode || !first.At.Equal(at) {
		t.Errorf("first line %+v: want the one-time code readable in the mailbox", first)
	}
	if !strings.Contains(lines[2], `"text":"plain"`) {
		t.Errorf("non-JSON payload line %s", lines[2])
	}
}

// TestFileSenderResendAppendsNothing: a notice sent again (its lease ran out,
// the switch restarted: a new FileSender on the same file) appends nothing; a
// torn last line left by a crash does not swallow the next message.
func TestFileSenderResendAppendsNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.jsonl")
	now := func() time.Time { return time.Unix(1_790_000_000, 0) }
	m := Message{ID: 7, Topic: "fee_published", Recipient: "acc_1", Payload: []byte(`{"params":{}}`)}
	send := FileSender(path, now, slog.New(slog.DiscardHandler))
	for range 2 {
		if err := send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"id":8,"to`) // a crash mid-line
	f.Close()
	again := FileSender(path, now, slog.New(slog.DiscardHandler)) // after a restart
	for _, id := range []int64{7, 9, 9} {
		m.ID = id
		if err := again(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var l fileLine
		if json.Unmarshal([]byte(line), &l) == nil {
			ids = append(ids, l.ID)
		}
	}
	if len(ids) != 2 || ids[0] != 7 || ids[1] != 9 {
		t.Fatalf("mailbox ids %v, want [7 9]:\n%s", ids, b)
	}
}
