package notify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
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
// where a demo reads its one-time codes. It logs as LogSender does. It is
// idempotent: a message whose id the file already holds (a re-send after a
// lease ran out, or after a restart) appends nothing; the ids are read from the
// file on first use.
func FileSender(path string, now func() time.Time, logger *slog.Logger) Sender {
	var mu sync.Mutex
	var seen map[int64]bool
	var torn bool // the file ends in a torn line (a crash mid-write): start a new one
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
		if seen == nil {
			if seen, torn, err = mailboxIDs(path); err != nil {
				return err
			}
		}
		if seen[m.ID] {
			return nil // already in the mailbox
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("notify: open mailbox: %w", err)
		}
		if torn {
			b = append([]byte{'\n'}, b...)
		}
		_, err = f.Write(append(b, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("notify: write mailbox: %w", err)
		}
		seen[m.ID], torn = true, false
		logMessage(logger, m, path)
		return nil
	}
}

// mailboxIDs reads the message ids the mailbox file holds (none when it does
// not exist) and whether it ends in a torn line, which holds no id.
func mailboxIDs(path string) (map[int64]bool, bool, error) {
	ids := map[int64]bool{}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ids, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("notify: read mailbox: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), len(b)+1)
	for sc.Scan() {
		var l struct {
			ID int64 `json:"id"`
		}
		if json.Unmarshal(sc.Bytes(), &l) == nil {
			ids[l.ID] = true
		}
	}
	return ids, len(b) > 0 && b[len(b)-1] != '\n', nil
}
