package notify

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox"
)

// ParentLookup finds a guardian (directory.Store).
type ParentLookup interface {
	ParentByID(ctx context.Context, id string) (directory.Parent, error)
}

// InboxNotice is one notice as its guardian sees it: the text masked (a login
// code never shows), never the payload.
type InboxNotice struct {
	ID        int64
	Kind      string
	Text      string
	State     string // queued, sent, delivered, failed, withdrawn
	CreatedAt time.Time
}

// Inbox lists the notices sent to one guardian: those addressed to their
// parent id and those to their phone (login codes). The edge passes the
// caller's parent id, never one from the request.
type Inbox struct {
	Store   outbox.Store
	Parents ParentLookup
}

// List returns the guardian's notices with ids below before (0: the newest),
// newest first, at most limit (1..outbox.MaxPage).
func (b Inbox) List(ctx context.Context, parentID string, before int64, limit int) ([]InboxNotice, error) {
	p, err := b.Parents.ParentByID(ctx, parentID)
	if err != nil {
		return nil, err
	}
	to := []string{parentID}
	if len(p.PhoneHash) > 0 {
		to = append(to, hex.EncodeToString(p.PhoneHash))
	}
	ns, err := b.Store.ListTo(ctx, to, before, limit)
	if err != nil {
		return nil, err
	}
	out := make([]InboxNotice, len(ns))
	for i, n := range ns {
		state := string(n.State)
		switch {
		case n.State == outbox.Sent && n.Delivery == outbox.DeliveryDelivered:
			state = "delivered"
		case n.State == outbox.Sent && n.Delivery == outbox.DeliveryUndelivered:
			state = string(outbox.Failed)
		}
		out[i] = InboxNotice{ID: n.ID, Kind: n.Kind, Text: InboxText(n), State: state, CreatedAt: n.CreatedAt}
	}
	return out, nil
}

// InboxText is a notice's text as its guardian may see it again: a login code
// masked (******), a kind's text filled with its (already masked) parameters.
func InboxText(n outbox.Notice) string {
	if isLoginCode(n.Kind) {
		minutes := "5"
		var p otpPayload
		if json.Unmarshal(n.Payload, &p) == nil && p.ExpiresUnix > n.CreatedAt.Unix() {
			minutes = strconv.FormatInt((p.ExpiresUnix-n.CreatedAt.Unix()+59)/60, 10)
		}
		return Template{Text: TextOTP}.Render(map[string]string{"code": "******", "minutes": minutes})
	}
	text, ok := kindTexts[Kind(n.Kind)]
	if !ok {
		return "【一码通】" + n.Kind
	}
	var p noticePayload
	if json.Unmarshal(n.Payload, &p) != nil || checkParams(Kind(n.Kind), p.Params) != nil {
		return "【一码通】" + n.Kind // a payload that does not fit: show nothing of it
	}
	return Template{Text: text}.Render(p.Params)
}
