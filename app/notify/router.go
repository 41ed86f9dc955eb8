package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox"
)

// Contact is how one guardian (or staff member) of a message is reached; an
// empty address skips that channel for them.
type Contact struct {
	Phone  string
	OpenID string // WeChat official account openid
	Email  string
}

// ContactBook finds the contacts of a message's recipient (an account's
// guardians, a parent). One-time codes never ask it: their phone is in the message.
type ContactBook interface {
	Contacts(ctx context.Context, m Message) ([]Contact, error)
}

// RouterConfig configures a Router.
type RouterConfig struct {
	// Channels deliver (Guarded ones in production); one per name.
	Channels []Channel
	// Routes are the channels of each topic, in order of preference: each contact
	// gets the message on the first channel that has its address and a template.
	// Nil: DefaultRoutes. One-time codes may go by SMS only.
	Routes map[string][]ChannelName
	// Templates per channel and topic.
	Templates map[ChannelName]map[string]Template
	// Contacts of recipients other than a one-time code's phone; nil knows none.
	Contacts ContactBook
	// Fallback takes a message (never a one-time code) that no channel reaches,
	// e.g. the mailbox of a single node; nil: such a message fails for good.
	Fallback Sender
	// PhoneKey opens the sealed phone of a one-time code message (the phone hash
	// key, domain/access.SealPhone).
	PhoneKey []byte
	// Deliveries records each delivery a provider accepted (the channel that
	// actually carried the notice, its provider message id) and is read when a
	// notice is sent again, so that a WeChat or e-mail delivery accepted before
	// a restart is not repeated; nil: this process's memory only. Message ids
	// are then the outbox store's notice ids: a Router that sends the
	// directory's outbox (RunOutbox, another id space) must not have it.
	Deliveries outbox.DeliveryLog
	// Unreachables keeps the addresses a provider said cannot be reached
	// (WeChat 43004, 40003): later notices skip them for the contact's next
	// channel until the guardian links again; nil: every notice tries them.
	Unreachables outbox.Unreachables
	Now          func() time.Time // default time.Now
	Logger       *slog.Logger
}

// DefaultRoutes: the login code by SMS only (never e-mail, never the log);
// arrears, binding notices and every other guardian's notice kind by WeChat
// template message to a guardian who linked WeChat, else by SMS; staff notices
// by e-mail only.
func DefaultRoutes() map[string][]ChannelName {
	routes := map[string][]ChannelName{
		string(directory.TopicOTP):     {SMS},
		string(KindLoginCode):          {SMS},
		string(directory.TopicArrears): {WeChat, SMS},
		string(directory.TopicBinding): {WeChat, SMS},
	}
	for k := range kindTexts {
		routes[string(k)] = []ChannelName{WeChat, SMS}
	}
	routes[string(KindStaffRefundFailed)] = []ChannelName{Email} // staff: e-mail only
	return routes
}

// Router picks the channel of each message per topic and recipient and sends
// it; its Send is the outbox runner's Sender.
type Router struct {
	channels  map[ChannelName]Channel
	routes    map[string][]ChannelName
	templates map[ChannelName]map[string]Template
	contacts  ContactBook
	fallback  Sender
	phoneKey  []byte
	now       func() time.Time
	logger    *slog.Logger
	accepted  accepted     // deliveries accepted lately: not repeated when their message is sent again
	log       *acceptedLog // the durable record of accepted deliveries; nil without one
	unreach   outbox.Unreachables
}

// NewRouter validates cfg: every routed channel exists or is simply skipped,
// but a one-time code may be routed to SMS only.
func NewRouter(cfg RouterConfig) (*Router, error) {
	r := &Router{channels: map[ChannelName]Channel{}, routes: cfg.Routes, templates: cfg.Templates,
		contacts: cfg.Contacts, fallback: cfg.Fallback, phoneKey: cfg.PhoneKey, now: cfg.Now, logger: cfg.Logger}
	if r.routes == nil {
		r.routes = DefaultRoutes()
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}
	r.unreach = cfg.Unreachables
	if cfg.Deliveries != nil {
		r.log = newAcceptedLog(cfg.Deliveries, r.logger)
	}
	for _, ch := range cfg.Channels {
		if _, dup := r.channels[ch.Name()]; dup {
			return nil, fmt.Errorf("notify: channel %s given twice", ch.Name())
		}
		r.channels[ch.Name()] = ch
	}
	for _, name := range append(r.routes[string(directory.TopicOTP)], r.routes[string(KindLoginCode)]...) {
		if name != SMS {
			return nil, fmt.Errorf("notify: one-time codes go by SMS only, not %s", name)
		}
	}
	return r, nil
}

// target is one delivery of a message, and the delivery to the same contact on
// the next channel of the route, tried once when this one's address turns out
// unreachable (ErrUnreachable).
type target struct {
	ch   Channel
	d    Delivery
	next *target
}

// Send delivers m to each of its contacts on their first reachable channel. It
// answers nil when every delivery was accepted (or failed for good while another
// was accepted), a transient failure when any may succeed later (the message
// stays in the outbox), else a permanent one.
func (r *Router) Send(ctx context.Context, m Message) error {
	ps, phone, err := params(m, r.now(), r.phoneKey)
	if err != nil {
		return err
	}
	var contacts []Contact
	if isLoginCode(m.Topic) {
		contacts = []Contact{{Phone: phone}}
	} else if r.contacts != nil {
		if contacts, err = r.contacts.Contacts(ctx, m); err != nil {
			return Transient("contacts", err)
		}
	}
	targets, err := r.skipUnreachable(ctx, r.targets(m, ps, contacts))
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		if r.fallback != nil && !isLoginCode(m.Topic) {
			if err := r.fallback(ctx, m); err != nil {
				return withChannel(Mailbox, err)
			}
			r.recordAccepted(ctx, outbox.Accepted{NoticeID: m.ID, Channel: string(Mailbox), Target: mailboxTarget})
			return nil
		}
		return Permanent("no_route", ErrNoRoute)
	}
	prior, err := r.log.prior(ctx, m)
	if err != nil {
		return err
	}
	var sent int
	var transient, permanent error
	for _, t := range targets {
		err := r.deliver(ctx, m, t, prior)
		r.markUnreachable(ctx, t, err)
		if err != nil && errors.Is(err, ErrUnreachable) && t.next != nil {
			err = r.deliver(ctx, m, *t.next, prior) // once: the next channel's own failure stands
		}
		switch {
		case err == nil:
			sent++
		case IsPermanent(err):
			permanent = err
		default:
			transient = err
		}
	}
	switch {
	case transient != nil:
		return transient
	case sent > 0:
		return nil
	default:
		return permanent
	}
}

// deliver sends one target, unless a provider accepted it before (lately in
// this process, or as the store recorded: prior), records it once accepted and
// logs the outcome (never the address).
func (r *Router) deliver(ctx context.Context, m Message, t target, prior map[string]bool) error {
	// SMS gateways de-duplicate on the out id (per message and phone), across
	// members and restarts: their deliveries are left to them.
	remember := t.ch.Name() != SMS
	key := deliveryKey{id: m.ID, ch: t.ch.Name(), to: t.d.To}
	tgt := AddressTarget(r.phoneKey, t.ch.Name(), t.d.To)
	if remember && (r.accepted.has(key) || prior[string(t.ch.Name())+"/"+tgt]) {
		return nil
	}
	rc, err := t.ch.Send(ctx, t.d)
	if err == nil {
		if remember {
			r.accepted.add(key)
		}
		r.recordAccepted(ctx, outbox.Accepted{NoticeID: m.ID, Channel: string(t.ch.Name()), Target: tgt, ProviderID: providerID(rc.ProviderID)})
		r.logger.Info("notice sent", slog.Int64("id", m.ID), slog.String("topic", m.Topic),
			slog.String("channel", string(t.ch.Name())), slog.String("provider_id", rc.ProviderID))
		return nil
	}
	r.logger.Warn("notice not sent", slog.Int64("id", m.ID), slog.String("topic", m.Topic),
		slog.String("channel", string(t.ch.Name())), slog.String("failure", FailureCode(err)), slog.Bool("permanent", IsPermanent(err)),
		slog.Bool("unreachable", errors.Is(err, ErrUnreachable)))
	return err
}

// recordAccepted records a delivery when the router has a log.
func (r *Router) recordAccepted(ctx context.Context, a outbox.Accepted) {
	if r.log != nil && a.NoticeID > 0 {
		r.log.record(ctx, a)
	}
}

// providerID is a provider's message id as the store keeps it: printable ASCII
// of at most outbox.MaxProviderIDLen bytes, else none.
func providerID(id string) string {
	if len(id) > outbox.MaxProviderIDLen {
		return ""
	}
	for _, c := range []byte(id) {
		if c < ' ' || c > '~' {
			return ""
		}
	}
	return id
}

// targets picks, per contact, the first channel of the topic's route that
// exists, has a template for the topic and an address of the contact, and the
// second such channel as its fallback.
func (r *Router) targets(m Message, ps map[string]string, contacts []Contact) []target {
	var out []target
	for _, c := range contacts {
		var found []target
		for _, name := range r.routes[m.Topic] {
			ch, ok := r.channels[name]
			tpl, hasTpl := r.templates[name][m.Topic]
			to := c.address(name)
			if !ok || !hasTpl || to == "" {
				continue
			}
			found = append(found, target{ch: ch, d: Delivery{MessageID: m.ID, Topic: m.Topic, To: to, Template: tpl, Params: ps}})
			if len(found) == 2 {
				break
			}
		}
		if len(found) == 0 {
			continue
		}
		if len(found) == 2 {
			found[0].next = &found[1]
		}
		out = append(out, found[0])
	}
	return out
}

func (c Contact) address(ch ChannelName) string {
	switch ch {
	case SMS:
		return c.Phone
	case WeChat:
		return c.OpenID
	case Email:
		return c.Email
	}
	return ""
}
