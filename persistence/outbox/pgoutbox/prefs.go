package pgoutbox

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/outbox"
)

var _ outbox.PreferenceStore = (*Store)(nil)

// Preferences implements outbox.PreferenceStore.
func (s *Store) Preferences(ctx context.Context, parentID string) (outbox.Preferences, error) {
	p := outbox.Preferences{ParentID: parentID}
	var at time.Time
	err := s.pool.QueryRow(ctx, "SELECT channels, muted, updated_at FROM notice_preferences WHERE parent_id = $1", parentID).
		Scan(&p.Channels, &p.Muted, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return outbox.Preferences{ParentID: parentID}, nil
	}
	if err != nil {
		return p, mapErr("preferences", err)
	}
	p.UpdatedAt, p.Stored = at.UTC(), true
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
	rows, err := s.pool.Query(ctx, "SELECT parent_id, channels, muted, updated_at FROM notice_preferences WHERE parent_id = ANY($1)", parentIDs)
	if err != nil {
		return nil, mapErr("preferences of parents", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p outbox.Preferences
		var at time.Time
		if err := rows.Scan(&p.ParentID, &p.Channels, &p.Muted, &at); err != nil {
			return nil, mapErr("preferences of parents", err)
		}
		p.UpdatedAt, p.Stored = at.UTC(), true
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
	_, err := s.pool.Exec(ctx, `INSERT INTO notice_preferences (parent_id, channels, muted, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (parent_id) DO UPDATE SET channels = excluded.channels, muted = excluded.muted, updated_at = excluded.updated_at`,
		p.ParentID, p.Channels, p.Muted, outbox.Micro(s.now()))
	return mapErr("put preferences", err)
}
