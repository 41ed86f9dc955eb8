package sqliteoutbox

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
)

var _ outbox.PreferenceStore = (*Store)(nil)

// Preferences implements outbox.PreferenceStore.
func (s *Store) Preferences(ctx context.Context, parentID string) (outbox.Preferences, error) {
	p := outbox.Preferences{ParentID: parentID}
	var channels, muted string
	var at int64
	err := s.db.QueryRowContext(ctx, "SELECT channels, muted, updated_at FROM notice_preferences WHERE parent_id = ?", parentID).
		Scan(&channels, &muted, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, mapErr("preferences", err)
	}
	p.Channels, p.Muted, p.UpdatedAt, p.Stored = split(channels), split(muted), time.UnixMicro(at).UTC(), true
	return p, nil
}

// PreferencesOf implements outbox.PreferenceStore.
func (s *Store) PreferencesOf(ctx context.Context, parentIDs []string) (map[string]outbox.Preferences, error) {
	if err := outbox.ValidatePreferenceBatch(parentIDs); err != nil {
		return nil, err
	}
	out := map[string]outbox.Preferences{}
	if len(parentIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(parentIDs))
	for i, id := range parentIDs {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, "SELECT parent_id, channels, muted, updated_at FROM notice_preferences WHERE parent_id IN (?"+
		strings.Repeat(", ?", len(args)-1)+")", args...)
	if err != nil {
		return nil, mapErr("preferences of parents", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p outbox.Preferences
		var channels, muted string
		var at int64
		if err := rows.Scan(&p.ParentID, &channels, &muted, &at); err != nil {
			return nil, mapErr("preferences of parents", err)
		}
		p.Channels, p.Muted, p.UpdatedAt, p.Stored = split(channels), split(muted), time.UnixMicro(at).UTC(), true
		out[p.ParentID] = p
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("preferences of parents", err)
	}
	return out, nil
}

// PutPreferences implements outbox.PreferenceStore.
func (s *Store) PutPreferences(ctx context.Context, p outbox.Preferences) error {
	if err := outbox.ValidatePreferences(&p); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO notice_preferences (parent_id, channels, muted, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (parent_id) DO UPDATE SET channels = excluded.channels, muted = excluded.muted, updated_at = excluded.updated_at`,
		p.ParentID, strings.Join(p.Channels, ","), strings.Join(p.Muted, ","), outbox.Micro(s.now()).UnixMicro())
	return mapErr("put preferences", err)
}

func split(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
