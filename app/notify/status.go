package notify

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
)

// NoticeStatus is one notice as a school's staff see it: its kind, its
// recipient masked, where it is and why; never its payload.
type NoticeStatus struct {
	ID              int64
	Kind            string
	MaskedRecipient string
	State           string // queued, sent, delivered, failed, withdrawn
	Reason          string
	Attempts        int32
	// Channel is the preferred one: the first of its kind's route (wechat, sms,
	// email); a recipient without an address on it gets the notice on the
	// route's next channel or the fallback.
	Channel string
	// Delivered are the channels that actually carried it (wechat, sms, email,
	// mailbox), each once, in the order providers accepted them; empty while
	// none did, or without a delivery log.
	Delivered []string
	CreatedAt time.Time
	DoneAt    *time.Time
}

// Status lists the notices of one school (the caller's: the edge passes the
// staff member's school, never one from the request).
type Status struct {
	Store outbox.Store
	// Routes are the router's (RouterConfig.Routes); nil: DefaultRoutes.
	Routes map[string][]ChannelName
	// Deliveries are the router's (RouterConfig.Deliveries); nil: the Store's
	// when it keeps them.
	Deliveries outbox.DeliveryLog
}

// List returns the school's notices with ids below before (0: the newest),
// newest first, at most limit (1..outbox.MaxPage).
func (s Status) List(ctx context.Context, schoolID string, before int64, limit int) ([]NoticeStatus, error) {
	ns, err := s.Store.List(ctx, schoolID, before, limit)
	if err != nil {
		return nil, err
	}
	routes := s.Routes
	if routes == nil {
		routes = DefaultRoutes()
	}
	delivered, err := s.delivered(ctx, ns)
	if err != nil {
		return nil, err
	}
	out := make([]NoticeStatus, len(ns))
	for i, n := range ns {
		st := NoticeStatus{ID: n.ID, Kind: n.Kind, MaskedRecipient: MaskRecipient(n.Recipient), State: string(n.State),
			Reason: n.Reason, Attempts: n.Attempts, CreatedAt: n.CreatedAt, DoneAt: n.DoneAt, Delivered: delivered[n.ID]}
		if r := routes[n.Kind]; len(r) > 0 {
			st.Channel = string(r[0])
		}
		switch {
		case n.State == outbox.Sent && n.Delivery == outbox.DeliveryDelivered:
			st.State = "delivered"
		case n.State == outbox.Sent && n.Delivery == outbox.DeliveryUndelivered:
			st.State, st.Reason = string(outbox.Failed), n.Detail
		}
		out[i] = st
	}
	return out, nil
}

// delivered answers the channels that carried each of ns, in one read.
func (s Status) delivered(ctx context.Context, ns []outbox.Notice) (map[int64][]string, error) {
	log := s.Deliveries
	if log == nil {
		log, _ = s.Store.(outbox.DeliveryLog)
	}
	if log == nil || len(ns) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	as, err := log.AcceptedOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]string, len(ns))
	for _, a := range as {
		if !slices.Contains(out[a.NoticeID], a.Channel) {
			out[a.NoticeID] = append(out[a.NoticeID], a.Channel)
		}
	}
	return out, nil
}

// MaskRecipient shows an account or parent id as its prefix and last two
// characters (acc_****01): an account id embeds the student number.
func MaskRecipient(r string) string {
	prefix := ""
	if i := strings.IndexByte(r, '_'); i >= 0 && i < 8 {
		prefix, r = r[:i+1], r[i+1:]
	}
	if len(r) <= 2 {
		return prefix + "****"
	}
	return prefix + "****" + r[len(r)-2:]
}
