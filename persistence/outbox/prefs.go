package outbox

import (
	"context"
	"slices"
	"time"
)

// Preferences are one guardian's notice preferences: the channels they may be
// reached on and the notice kinds they turned off. The zero value (no record) is
// every channel, every kind. Which kinds may not be turned off is app/notify's
// rule (login codes, arrears); the store keeps what it is given.
type Preferences struct {
	ParentID  string
	Channels  []string // enabled channels, e.g. "sms", "wechat"; sorted, unique
	Muted     []string // notice kinds turned off; sorted, unique
	UpdatedAt time.Time
	Stored    bool // a record exists (else the defaults were answered)
}

// Bounds of preferences.
const (
	MaxPrefItems  = 32
	MaxParentLen  = 128
	maxPrefItemLn = MaxKindLen
)

// PreferenceStore keeps the guardians' notice preferences (pgoutbox and
// sqliteoutbox; outboxtest.RunPreferences checks both).
type PreferenceStore interface {
	// Preferences answers a parent's preferences; Stored false (and nil
	// Channels, Muted) when none were put.
	Preferences(ctx context.Context, parentID string) (Preferences, error)
	// PreferencesOf answers the stored preferences of up to MaxPage parents
	// in one read, keyed by parent id: a parent without a record has no key
	// (Preferences answers its defaults). ErrInvalid beyond MaxPage ids.
	PreferencesOf(ctx context.Context, parentIDs []string) (map[string]Preferences, error)
	// PutPreferences replaces a parent's preferences (UpdatedAt set by the store).
	PutPreferences(ctx context.Context, p Preferences) error
}

// ValidatePreferences checks and normalises p (sorted, unique items of [a-z_]).
func ValidatePreferences(p *Preferences) error {
	if p.ParentID == "" || len(p.ParentID) > MaxParentLen || !printable(p.ParentID) {
		return invalid("parent id: want 1..%d printable ASCII bytes", MaxParentLen)
	}
	for _, list := range []*[]string{&p.Channels, &p.Muted} {
		if len(*list) > MaxPrefItems {
			return invalid("more than %d preference items", MaxPrefItems)
		}
		for _, it := range *list {
			if it == "" || len(it) > maxPrefItemLn {
				return invalid("preference item %q", it)
			}
			for _, c := range []byte(it) {
				if (c < 'a' || c > 'z') && c != '_' {
					return invalid("preference item %q: want [a-z_]", it)
				}
			}
		}
		*list = append([]string{}, slices.Compact(slices.Sorted(slices.Values(*list)))...)
	}
	return nil
}

// ValidatePreferenceBatch checks the parent ids of PreferencesOf: at most MaxPage.
func ValidatePreferenceBatch(parentIDs []string) error {
	if len(parentIDs) > MaxPage {
		return invalid("%d parent ids, want at most %d", len(parentIDs), MaxPage)
	}
	return nil
}
