package outbox

import (
	"context"
	"time"
)

// Accepted is one delivery of a notice that a provider accepted: the channel
// that actually carried it, the address as an opaque keyed hash (Target: never
// a phone, openid or e-mail) and the provider's message id.
type Accepted struct {
	NoticeID   int64
	Channel    string // ChannelSMS, ChannelWeChat, ChannelEmail, ChannelMailbox
	Target     string // 1..MaxTargetLen printable ASCII bytes
	ProviderID string // ≤ MaxProviderIDLen printable ASCII bytes; empty when the channel gives none
	At         time.Time
}

// Delivery channels the store records.
const (
	ChannelSMS     = "sms"
	ChannelWeChat  = "wechat"
	ChannelEmail   = "email"
	ChannelMailbox = "mailbox" // the single node's mailbox file: a fallback, not an address
)

// Bounds of deliveries and marks.
const (
	MaxTargetLen     = 64
	MaxProviderIDLen = 128
	MaxCodeLen       = 64
)

// DeliveryLog records the deliveries providers accepted (pgoutbox and
// sqliteoutbox; outboxtest.RunDeliveries checks both).
type DeliveryLog interface {
	// RecordAccepted records 1..MaxPage accepted deliveries (At set by the
	// store) in one statement: all valid or none written. A delivery (notice,
	// channel, target) recorded before keeps its first record.
	RecordAccepted(ctx context.Context, ds []Accepted) error
	// AcceptedOf answers the deliveries recorded for any of ids (1..MaxPage
	// positive ids), by notice id, then time, channel and target.
	AcceptedOf(ctx context.Context, ids []int64) ([]Accepted, error)
}

// Unreachables keeps the addresses a provider said cannot be reached (a WeChat
// user who unsubscribed), by channel and opaque target.
type Unreachables interface {
	// MarkUnreachable marks the address (code: the provider's, e.g.
	// "wechat:43004", 1..MaxCodeLen bytes); marking it again keeps the first mark.
	MarkUnreachable(ctx context.Context, channel, target, code string) error
	// Unreachable answers which of targets (1..MaxPage) are marked on channel.
	Unreachable(ctx context.Context, channel string, targets []string) (map[string]bool, error)
	// ClearUnreachable removes the mark (the guardian linked again); false when
	// there was none.
	ClearUnreachable(ctx context.Context, channel, target string) (bool, error)
}

func validChannel(ch string, mailbox bool) bool {
	switch ch {
	case ChannelSMS, ChannelWeChat, ChannelEmail:
		return true
	case ChannelMailbox:
		return mailbox
	}
	return false
}

func validTarget(t string) bool { return t != "" && len(t) <= MaxTargetLen && printable(t) }

// ValidateAccepted checks the deliveries of a RecordAccepted.
func ValidateAccepted(ds []Accepted) error {
	if len(ds) == 0 || len(ds) > MaxPage {
		return invalid("%d deliveries, want 1..%d", len(ds), MaxPage)
	}
	for _, d := range ds {
		if d.NoticeID <= 0 {
			return invalid("notice id %d", d.NoticeID)
		}
		if !validChannel(d.Channel, true) {
			return invalid("channel %q", d.Channel)
		}
		if !validTarget(d.Target) {
			return invalid("target: want 1..%d printable ASCII bytes", MaxTargetLen)
		}
		if len(d.ProviderID) > MaxProviderIDLen || !printable(d.ProviderID) {
			return invalid("provider id: want at most %d printable ASCII bytes", MaxProviderIDLen)
		}
	}
	return nil
}

// ValidateMark checks a channel and target of an Unreachables call, and its
// code unless code is "-" (a clear or a lookup).
func ValidateMark(channel, target, code string) error {
	if !validChannel(channel, false) {
		return invalid("channel %q", channel)
	}
	if !validTarget(target) {
		return invalid("target: want 1..%d printable ASCII bytes", MaxTargetLen)
	}
	if code != "-" && (code == "" || len(code) > MaxCodeLen || !printable(code)) {
		return invalid("code: want 1..%d printable ASCII bytes", MaxCodeLen)
	}
	return nil
}

// ValidateTargets checks the targets of an Unreachable lookup.
func ValidateTargets(channel string, targets []string) error {
	if len(targets) == 0 || len(targets) > MaxPage {
		return invalid("%d targets, want 1..%d", len(targets), MaxPage)
	}
	for _, t := range targets {
		if err := ValidateMark(channel, t, "-"); err != nil {
			return err
		}
	}
	return nil
}
