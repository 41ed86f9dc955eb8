package catalog

import (
	"context"

	"github.com/onecode/onecode/persistence/directory"
)

// Bounds of ListCanteens: one directory page each (a school has a few canteens, a
// canteen a few windows).
const (
	MaxCanteens         = directory.MaxPage
	MaxCanteenTerminals = directory.MaxPage
)

// CanteenView is a canteen with its terminals (none unless asked for), each without
// its secret.
type CanteenView struct {
	Canteen
	Terminals []Terminal
}

// ListCanteens lists the canteens of the staff scope's school by id (at most
// MaxCanteens), with their terminals (at most MaxCanteenTerminals each, by id,
// SecretHash never set) when withTerminals. The operator's scope lists nothing: it
// has no school.
func (s *Service) ListCanteens(ctx context.Context, sc Scope, withTerminals bool) ([]CanteenView, error) {
	if sc.operator || sc.schoolID == "" {
		return nil, nil
	}
	cs, err := s.dir.ListCanteens(ctx, sc.schoolID, "", MaxCanteens)
	if err != nil {
		return nil, err
	}
	out := make([]CanteenView, len(cs))
	for i, c := range cs {
		out[i].Canteen = c
		if !withTerminals {
			continue
		}
		ts, err := s.dir.ListTerminals(ctx, c.ID, "", MaxCanteenTerminals)
		if err != nil {
			return nil, err
		}
		for j := range ts {
			ts[j].SecretHash = nil
		}
		out[i].Terminals = ts
	}
	return out, nil
}
