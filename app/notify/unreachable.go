package notify

import (
	"context"
	"errors"
	"log/slog"

	"github.com/onecode/onecode/persistence/outbox"
)

// skipUnreachable replaces each target whose address a provider said cannot be
// reached (an unreachable mark, RouterConfig.Unreachables) by the contact's
// next channel, or drops it when there is none: a guardian who left the
// official account gets SMS at once, without a failing WeChat call first. One
// lookup per channel of the message; SMS addresses are never marked.
func (r *Router) skipUnreachable(ctx context.Context, targets []target) ([]target, error) {
	if r.unreach == nil {
		return targets, nil
	}
	byChannel := map[ChannelName][]string{}
	for _, t := range targets {
		if name := t.ch.Name(); name != SMS {
			byChannel[name] = append(byChannel[name], AddressTarget(r.phoneKey, name, t.d.To))
		}
	}
	marked := map[string]bool{}
	for name, tgts := range byChannel {
		m, err := r.unreach.Unreachable(ctx, string(name), tgts)
		if err != nil {
			return nil, Transient("unreachable_lookup", err)
		}
		for tgt := range m {
			marked[string(name)+"/"+tgt] = true
		}
	}
	if len(marked) == 0 {
		return targets, nil
	}
	out := targets[:0]
	for _, t := range targets {
		if !marked[string(t.ch.Name())+"/"+AddressTarget(r.phoneKey, t.ch.Name(), t.d.To)] {
			out = append(out, t)
		} else if t.next != nil {
			out = append(out, *t.next)
		}
	}
	return out, nil
}

// markUnreachable marks t's address after its provider said it cannot be
// reached (err wraps ErrUnreachable: WeChat's 43004, 40003), until the guardian
// links again (ClearUnreachable). A failed mark is logged: the next notice
// tries the address once more.
func (r *Router) markUnreachable(ctx context.Context, t target, err error) {
	if r.unreach == nil || t.ch.Name() == SMS || !errors.Is(err, ErrUnreachable) {
		return
	}
	code := FailureCode(err)
	if code == "" || len(code) > outbox.MaxCodeLen {
		code = "unreachable"
	}
	tgt := AddressTarget(r.phoneKey, t.ch.Name(), t.d.To)
	if err := r.unreach.MarkUnreachable(ctx, string(t.ch.Name()), tgt, code); err != nil {
		r.logger.Warn("notices: unreachable mark failed", slog.String("channel", string(t.ch.Name())), slog.Any("error", err))
	}
}

// ClearUnreachable is the hook of a parent's new WeChat link (wxlink's
// Config.Linked): the openid's unreachable mark, if any, is removed, so notices
// go by WeChat again. key is the router's PhoneKey.
func ClearUnreachable(store outbox.Unreachables, key []byte) func(ctx context.Context, openID string) error {
	return func(ctx context.Context, openID string) error {
		_, err := store.ClearUnreachable(ctx, string(WeChat), AddressTarget(key, WeChat, openID))
		return err
	}
}
