package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// LogSender writes to the log that a message went: its id, topic, attempt and size.
// Never its recipient (a phone hash, an account id that holds a student number) nor
// its payload (one-time codes, amounts, names).
func LogSender(logger *slog.Logger) Sender {
	return func(_ context.Context, m Message) error {
		logMessage(logger, m, "")
		return nil
	}
}

func logMessage(logger *slog.Logger, m Message, where string) {
	attrs := []any{slog.Int64("id", m.ID), slog.String("topic", m.Topic), slog.Int("attempt", int(m.Attempts)),
		slog.Int("payload_bytes", len(m.Payload))}
	if where != "" {
		attrs = append(attrs, slog.String("written_to", where))
	}
	logger.Info("outbox message", attrs...)
}

// fileLine is one message in a FileSender's file.
type fileLine struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	Topic     string          `json:"topic"`
	Recipient string          `json:"recipient"`
	Payload   json.RawMessage `json:"payload,omitempty"`
	Text      string          `json:"text,omitempty"` // a payload that is not JSON
}

// FileSender appends each message as one JSON line to the file at path (created
// with mode 0600): the mailbox of a single node without an SMS or push provider,
// where a demo reads its one-time codes. It logs as LogSender does.
func FileSender(path string, now func() time.Time, logger *slog.Logger) Sender {
	var mu sync.Mutex
	return func(_ context.Context, m Message) error {
		l := fileLine{ID: m.ID, At: now().UTC(), Topic: m.Topic, Recipient: m.Recipient}
		if json.Valid(m.Payload) {
			l.Payload = m.Payload
		} else {
			l.Text = string(m.Payload)
		}
		b, err := json.Marshal(l)
		if err != nil {
			return fmt.Errorf("notify: encode message %d: %w", m.ID, err)
		}
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("notify: open mailbox: %w", err)
		}
		_, err = f.Write(append(b, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("notify: write mailbox: %w", err)
		}
		logMessage(logger, m, path)
		return nil
	}
}
