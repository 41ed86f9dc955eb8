package sqliteoutbox

import (
	"context"
	"strings"

	"github.com/onecode/onecode/persistence/outbox"
)

// ListTo implements outbox.Store (on the index notices_recipient).
func (s *Store) ListTo(ctx context.Context, recipients []string, before int64, limit int) ([]outbox.Notice, error) {
	if err := outbox.ValidateRecipients(recipients); err != nil {
		return nil, err
	}
	if err := outbox.ValidateLimit(limit); err != nil {
		return nil, err
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	args := make([]any, 0, len(recipients)+2)
	for _, r := range recipients {
		args = append(args, r)
	}
	args = append(args, before, limit)
	marks := strings.TrimSuffix(strings.Repeat("?,", len(recipients)), ",")
	rows, err := s.db.QueryContext(ctx, "SELECT "+cols+" FROM notices WHERE recipient IN ("+marks+") AND id < ? ORDER BY id DESC LIMIT ?", args...)
	if err != nil {
		return nil, mapErr("list to", err)
	}
	defer rows.Close()
	var out []outbox.Notice
	for rows.Next() {
		n, err := scan(rows)
		if err != nil {
			return nil, mapErr("list to", err)
		}
		out = append(out, n)
	}
	return out, mapErr("list to", rows.Err())
}
