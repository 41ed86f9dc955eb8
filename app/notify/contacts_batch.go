package notify

import (
	"context"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox"
)

// Prefetcher is a ContactBook that can read the contacts of a claimed batch
// of messages at once: Prefetch answers a context that carries them, and
// Contacts under that context (or one derived from it) reads them from there
// instead of asking the stores once per message.
type Prefetcher interface {
	Prefetch(ctx context.Context, ms []Message) context.Context
}

// GuardiansOf is what a Parents may offer to read the guardians of many
// accounts at once (directory.Store).
type GuardiansOf interface {
	GuardianParentsOf(ctx context.Context, accountIDs []string) (map[string][]directory.Parent, error)
}

// contactCache is what GuardianBook.Prefetch read for one batch. It is read
// only once built (the batch's senders share it).
type contactCache struct {
	parents  map[string][]directory.Parent // by account id; every account read has a key
	prefs    map[string]outbox.Preferences // by parent id; every parent read has a key
	prefsSet bool                          // prefs were read
}

type contactCacheKey struct{}

// cacheOf is the contact cache ctx carries, if any (one guardians' book
// drains an outbox: Prefetch and Contacts are of the same).
func (b GuardianBook) cacheOf(ctx context.Context) *contactCache {
	c, _ := ctx.Value(contactCacheKey{}).(*contactCache)
	return c
}

// toAccount reports whether a message goes to the guardians of its recipient
// account (the case that reads the directory's guardianships).
func toAccount(topic string) bool {
	if toParent(topic) || topic == string(directory.TopicBinding) || topic == string(directory.TopicReminder) {
		return false
	}
	_, isKind := kindTexts[Kind(topic)]
	return isKind
}

// Prefetch implements Prefetcher: one directory read for the guardians of
// every account of ms, then reads of the preferences of all those parents
// (one per outbox.MaxPage parents). A read that fails leaves the messages to
// read their own contacts, so that each meets the failure as before; so does
// an account id the directory would reject.
func (b GuardianBook) Prefetch(ctx context.Context, ms []Message) context.Context {
	gp, ok := b.Directory.(GuardiansOf)
	if !ok {
		return ctx
	}
	var accounts []string
	seen := map[string]bool{}
	for _, m := range ms {
		if toAccount(m.Topic) && !seen[m.Recipient] && directory.ValidateAccountID(m.Recipient) == nil && len(accounts) < directory.MaxPage {
			seen[m.Recipient] = true
			accounts = append(accounts, m.Recipient)
		}
	}
	if len(accounts) == 0 {
		return ctx
	}
	parents, err := gp.GuardianParentsOf(ctx, accounts)
	if err != nil {
		return ctx
	}
	for _, a := range accounts {
		if _, ok := parents[a]; !ok {
			parents[a] = nil // no guardians
		}
	}
	c := &contactCache{parents: parents}
	if b.Prefs != nil {
		c.prefs, c.prefsSet = b.prefetchPrefs(ctx, parents)
	}
	return context.WithValue(ctx, contactCacheKey{}, c)
}

// prefetchPrefs reads the preferences of the parents of the batch, every one
// with a key (its defaults when none are stored); false when a read failed.
func (b GuardianBook) prefetchPrefs(ctx context.Context, parents map[string][]directory.Parent) (map[string]outbox.Preferences, bool) {
	var ids []string
	out := map[string]outbox.Preferences{}
	for _, ps := range parents {
		for _, p := range ps {
			if _, ok := out[p.ID]; !ok {
				out[p.ID] = outbox.Preferences{ParentID: p.ID}
				ids = append(ids, p.ID)
			}
		}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), outbox.MaxPage)]
		ids = ids[len(chunk):]
		got, err := b.Prefs.PreferencesOf(ctx, chunk)
		if err != nil {
			return nil, false
		}
		for id, p := range got {
			out[id] = p
		}
	}
	return out, true
}

// preferences are a parent's preferences: from the batch's cache, else read.
func (b GuardianBook) preferences(ctx context.Context, parentID string) (outbox.Preferences, error) {
	if c := b.cacheOf(ctx); c != nil && c.prefsSet {
		if p, ok := c.prefs[parentID]; ok {
			return p, nil
		}
	}
	return b.Prefs.Preferences(ctx, parentID)
}

// cachedGuardians are the guardians of an account from the batch's cache.
func (b GuardianBook) cachedGuardians(ctx context.Context, accountID string) ([]directory.Parent, bool) {
	c := b.cacheOf(ctx)
	if c == nil {
		return nil, false
	}
	ps, ok := c.parents[accountID]
	return ps, ok
}

// Prefetch implements Prefetcher: the guardians' book reads ahead for the
// messages it will be asked about (not the staff's).
func (b Books) Prefetch(ctx context.Context, ms []Message) context.Context {
	pf, ok := b.Guardians.(Prefetcher)
	if !ok {
		return ctx
	}
	var gs []Message
	for _, m := range ms {
		if !Kind(m.Topic).ToStaff() {
			gs = append(gs, m)
		}
	}
	return pf.Prefetch(ctx, gs)
}

// Prefetch implements Prefetcher for the router's contact book (a no-op when
// it cannot read ahead): pass it as RunOptions.Prefetch with Send.
func (r *Router) Prefetch(ctx context.Context, ms []Message) context.Context {
	if pf, ok := r.contacts.(Prefetcher); ok {
		return pf.Prefetch(ctx, ms)
	}
	return ctx
}
