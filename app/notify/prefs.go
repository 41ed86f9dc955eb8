package notify

import (
	"context"
	"fmt"
	"slices"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox"
)

// GuardianChannels are the channels a guardian chooses among.
var GuardianChannels = []ChannelName{SMS, WeChat}

// GuardianKinds are the notice kinds a guardian sees in their preferences, in
// the order of the page; KindLoginCode and KindArrears are always on.
var GuardianKinds = []Kind{
	KindLoginCode, KindArrears, KindLowBalance, KindRechargeReceipt, KindCardLoss, KindCardReissue,
	KindGuardianBound, KindFeePublished, KindFeeReminder, KindFeeDueTomorrow, KindRefundDone,
}

// ChannelPref is one channel of a guardian's preferences.
type ChannelPref struct {
	Channel ChannelName
	On      bool
}

// KindPref is one notice kind of a guardian's preferences.
type KindPref struct {
	Kind     Kind
	On       bool
	AlwaysOn bool // login codes and arrears: cannot be turned off
}

// PrefView is a guardian's preferences as the parent page shows them.
type PrefView struct {
	Channels []ChannelPref
	Kinds    []KindPref
}

// Prefs reads and changes the guardians' notice preferences. The caller checks
// that parentID is the signed-in parent (a parent sees and changes only their own).
type Prefs struct {
	Store outbox.PreferenceStore
}

// Get answers a guardian's preferences (every channel and kind on without a record).
func (p Prefs) Get(ctx context.Context, parentID string) (PrefView, error) {
	stored, err := p.Store.Preferences(ctx, parentID)
	if err != nil {
		return PrefView{}, err
	}
	return view(stored), nil
}

// Update replaces a guardian's preferences: the channels on and the kinds off. A
// kind that is always on, turned off, is reason NoticeAlwaysOn; an unknown channel
// or kind is InvalidArgument; either changes nothing.
func (p Prefs) Update(ctx context.Context, parentID string, channelsOn []ChannelName, kindsOff []Kind) (PrefView, error) {
	rec := outbox.Preferences{ParentID: parentID, Channels: []string{}, Muted: []string{}}
	for _, ch := range channelsOn {
		if !slices.Contains(GuardianChannels, ch) {
			return PrefView{}, reason.Invalid(reason.InvalidArgument, "unknown notice channel %q", ch)
		}
		rec.Channels = append(rec.Channels, string(ch))
	}
	for _, k := range kindsOff {
		if k.Urgent() {
			return PrefView{}, reason.Invalid(reason.NoticeAlwaysOn, "%s notices cannot be turned off", k)
		}
		if !slices.Contains(GuardianKinds, k) {
			return PrefView{}, reason.Invalid(reason.InvalidArgument, "unknown notice kind %q", k)
		}
		rec.Muted = append(rec.Muted, string(k))
	}
	if err := p.Store.PutPreferences(ctx, rec); err != nil {
		return PrefView{}, fmt.Errorf("notify: preferences: %w", err)
	}
	return p.Get(ctx, parentID)
}

func view(s outbox.Preferences) PrefView {
	var v PrefView
	for _, ch := range GuardianChannels {
		v.Channels = append(v.Channels, ChannelPref{Channel: ch, On: !s.Stored || slices.Contains(s.Channels, string(ch))})
	}
	for _, k := range GuardianKinds {
		v.Kinds = append(v.Kinds, KindPref{Kind: k, AlwaysOn: k.Urgent(), On: k.Urgent() || !slices.Contains(s.Muted, string(k))})
	}
	return v
}

// topicKind is the notice kind of a message topic (the directory's older topics
// included).
func topicKind(topic string) Kind {
	switch directory.Topic(topic) {
	case directory.TopicOTP:
		return KindLoginCode
	case directory.TopicBinding:
		return KindGuardianBound
	case directory.TopicReminder:
		return KindFeeReminder
	}
	return Kind(topic)
}

// applyPrefs filters a guardian's contact by their preferences for a message of
// topic: false when they turned its kind off (never for urgent kinds), else the
// contact without the addresses of the channels they turned off. An urgent kind
// keeps its SMS address even with SMS off, so that it still arrives.
func applyPrefs(c Contact, s outbox.Preferences, topic string) (Contact, bool) {
	if !s.Stored {
		return c, true
	}
	k := topicKind(topic)
	if k.Urgent() {
		if !slices.Contains(s.Channels, string(WeChat)) {
			c.OpenID = ""
		}
		return c, true
	}
	if slices.Contains(s.Muted, string(k)) {
		return Contact{}, false
	}
	if !slices.Contains(s.Channels, string(SMS)) {
		c.Phone = ""
	}
	if !slices.Contains(s.Channels, string(WeChat)) {
		c.OpenID = ""
	}
	return c, true
}
