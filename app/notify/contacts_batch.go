package notify

import (
	"context"
	"errors"
	"fmt"

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

// WeChatLinkBatch is what a WeChatLinkReader may offer to read the links of
// many parents at once (directory.WeChatLinks): a parent without a link has
// no key.
type WeChatLinkBatch interface {
	WeChatLinksOf(ctx context.Context, parentIDs []string) (map[string]directory.WeChatLink, error)
}

// The directory's WeChat links (what cmd/onecode sets as GuardianBook.WeChat)
// are read a batch at once.
var _ WeChatLinkBatch = directory.WeChatLinks(nil)

// contactCache is what GuardianBook.Prefetch read for one batch. It is read
// only once built (the batch's senders share it).
type contactCache struct {
	parents  map[string][]directory.Parent // by account id; every account read has a key
	prefs    map[string]outbox.Preferences // by parent id; every parent read has a key
	prefsSet bool                          // prefs were read
	links    map[string]string             // WeChat openids by parent id ("": no link); every parent read has a key
	linksSet bool                          // links were read
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
// (one per outbox.MaxPage parents) and, when the WeChat reader offers
// WeChatLinkBatch, of their WeChat links (one per directory.MaxLinkBatch). A
// read that fails leaves the messages to read their own contacts (or
// preferences, or links), so that each meets the failure as before; so does
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
	ids := parentIDs(parents)
	if b.Prefs != nil {
		c.prefs, c.prefsSet = b.prefetchPrefs(ctx, ids)
	}
	if lb, ok := b.WeChat.(WeChatLinkBatch); ok {
		c.links, c.linksSet = prefetchLinks(ctx, lb, ids)
	}
	return context.WithValue(ctx, contactCacheKey{}, c)
}

// parentIDs are the ids of the parents of the batch, each once.
func parentIDs(parents map[string][]directory.Parent) []string {
	var ids []string
	seen := map[string]bool{}
	for _, ps := range parents {
		for _, p := range ps {
			if !seen[p.ID] {
				seen[p.ID] = true
				ids = append(ids, p.ID)
			}
		}
	}
	return ids
}

// prefetchLinks reads the WeChat links of the parents of the batch, every
// one with a key (an empty openid when not linked) but an id the directory
// would reject (its message reads, and fails, alone); false when a read
// failed.
func prefetchLinks(ctx context.Context, lb WeChatLinkBatch, ids []string) (map[string]string, bool) {
	out := map[string]string{}
	var valid []string
	for _, id := range ids {
		if directory.ValidateID("parent", id) == nil {
			out[id] = ""
			valid = append(valid, id)
		}
	}
	for len(valid) > 0 {
		chunk := valid[:min(len(valid), directory.MaxLinkBatch)]
		valid = valid[len(chunk):]
		got, err := lb.WeChatLinksOf(ctx, chunk)
		if err != nil {
			return nil, false
		}
		for id, l := range got {
			if _, ok := out[id]; ok {
				out[id] = l.OpenID
			}
		}
	}
	return out, true
}

// prefetchPrefs reads the preferences of the parents of the batch, every one
// with a key (its defaults when none are stored); false when a read failed.
func (b GuardianBook) prefetchPrefs(ctx context.Context, ids []string) (map[string]outbox.Preferences, bool) {
	out := make(map[string]outbox.Preferences, len(ids))
	for _, id := range ids {
		out[id] = outbox.Preferences{ParentID: id}
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

// openID is a parent's WeChat openid ("" when not linked): from the batch's
// cache, else read.
func (b GuardianBook) openID(ctx context.Context, parentID string) (string, error) {
	if c := b.cacheOf(ctx); c != nil && c.linksSet {
		if id, ok := c.links[parentID]; ok {
			return id, nil
		}
	}
	l, err := b.WeChat.WeChatLinkOf(ctx, parentID)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("notify: WeChat link of the message's parent: %w", err)
	}
	return l.OpenID, nil
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
