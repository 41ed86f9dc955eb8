package notify

import (
	"context"
	"errors"
	"fmt"

	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox"
)

// Parents is what GuardianBook reads of the directory (directory.Store).
type Parents interface {
	Guardians(ctx context.Context, accountID string) ([]directory.Guardianship, error)
	ParentByID(ctx context.Context, id string) (directory.Parent, error)
}

// GuardianBook is the ContactBook of parents: an arrears notice (and every
// notice kind but KindGuardianBound) reaches every guardian of its account (the
// message's recipient), a binding notice the parent it names. A parent's phone is opened from their record (sealed under SealKey,
// the phone seal key); a parent without one (created before phones were kept,
// not logged in since) has no contact, so a message none of whose guardians has
// a phone goes to the router's fallback.
type GuardianBook struct {
	Directory Parents
	SealKey   []byte
	// WeChat are the parents' WeChat links (nil: nobody is reached by WeChat).
	WeChat WeChatLinkReader
	// Prefs are the guardians' notice preferences (nil: every channel and kind).
	Prefs outbox.PreferenceStore
}

// WeChatLinkReader is what GuardianBook reads of the WeChat links
// (directory.WeChatLinks; a batch's with WeChatLinkBatch when it offers it).
type WeChatLinkReader interface {
	WeChatLinkOf(ctx context.Context, parentID string) (directory.WeChatLink, error)
}

// GuardianParents is what a Parents may offer to read a pupil's guardians
// with their records in one query (directory.Store); without it GuardianBook
// reads the bindings, then each parent.
type GuardianParents interface {
	GuardianParents(ctx context.Context, accountID string) ([]directory.Parent, error)
}

// parents are the parent records a message reaches.
func (b GuardianBook) parents(ctx context.Context, m Message) ([]directory.Parent, error) {
	var ids []string
	_, isKind := kindTexts[Kind(m.Topic)]
	switch {
	case toParent(m.Topic) || m.Topic == string(directory.TopicBinding) || m.Topic == string(directory.TopicReminder):
		ids = []string{m.Recipient}
	case isKind: // arrears of both outboxes, and every kind to an account's guardians
		if ps, ok := b.cachedGuardians(ctx, m.Recipient); ok {
			return ps, nil
		}
		if gp, ok := b.Directory.(GuardianParents); ok {
			ps, err := gp.GuardianParents(ctx, m.Recipient)
			if err != nil {
				return nil, fmt.Errorf("notify: guardians of the message's account: %w", err)
			}
			return ps, nil
		}
		gs, err := b.Directory.Guardians(ctx, m.Recipient)
		if err != nil {
			return nil, fmt.Errorf("notify: guardians of the message's account: %w", err)
		}
		for _, g := range gs {
			ids = append(ids, g.ParentID)
		}
	}
	var out []directory.Parent
	for _, id := range ids {
		p, err := b.Directory.ParentByID(ctx, id)
		if errors.Is(err, directory.ErrNotFound) || errors.Is(err, directory.ErrInvalid) {
			continue // a recipient that is no parent (an opaque test recipient, a deleted one)
		}
		if err != nil {
			return nil, fmt.Errorf("notify: parent of the message: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Contacts implements ContactBook. A directory failure is an error (the
// message is retried).
func (b GuardianBook) Contacts(ctx context.Context, m Message) ([]Contact, error) {
	parents, err := b.parents(ctx, m)
	if err != nil {
		return nil, err
	}
	var out []Contact
	for _, p := range parents {
		id := p.ID
		c, err := b.contact(ctx, p)
		if err != nil {
			return nil, err
		}
		if c == (Contact{}) {
			continue
		}
		if b.Prefs != nil {
			prefs, err := b.preferences(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("notify: preferences of the message's parent: %w", err)
			}
			var ok bool
			if c, ok = applyPrefs(c, prefs, m.Topic); !ok || c == (Contact{}) {
				continue
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// contact is how parent p is reached: their phone (a sealed phone that does not
// open under the key is skipped, as if none were kept: the key was replaced and
// the next login reseals it) and their openid.
func (b GuardianBook) contact(ctx context.Context, p directory.Parent) (Contact, error) {
	var c Contact
	if p.PhoneSealed != "" {
		if phone, err := policy.OpenPhone(b.SealKey, p.PhoneSealed); err == nil {
			c.Phone = phone
		}
	}
	if b.WeChat == nil {
		return c, nil
	}
	openID, err := b.openID(ctx, p.ID)
	if err != nil {
		return Contact{}, err
	}
	c.OpenID = openID
	return c, nil
}
