package notify

import (
	"context"
	"errors"
	"fmt"
)

// ChannelName names a delivery channel; it labels metrics and failure reasons.
type ChannelName string

// Channels.
const (
	SMS     ChannelName = "sms"
	WeChat  ChannelName = "wechat"
	Email   ChannelName = "email"
	Mailbox ChannelName = "mailbox" // <data-dir>/outbox.jsonl of a single node
)

// Delivery is one message to one address on one channel. To, Params and Text
// are personal data or secrets (a phone, a one-time code): no code logs them.
type Delivery struct {
	// MessageID is the outbox id: the provider's reference, which its delivery
	// receipts carry back.
	MessageID int64
	Topic     string
	To        string            // a phone (SMS), an openid (WeChat), an e-mail address
	Template  Template          // the topic's template on this channel
	Params    map[string]string // the template's placeholders
}

// Text is the template rendered with the parameters (the e-mail body; SMS and
// WeChat providers render their own copy of the template from its id).
func (d Delivery) Text() string { return d.Template.Render(d.Params) }

// Receipt is what a provider answered when it accepted a delivery.
type Receipt struct {
	ProviderID string // the provider's message id (not personal)
}

// Channel delivers to one kind of address. Send answers nil only once the
// provider accepted the message; a failure is a *Failure (Permanent or
// Transient) or any other error, taken as transient. Implementations are safe
// for concurrent use and carry no breaker or retry of their own: Guard adds them.
type Channel interface {
	Name() ChannelName
	Send(ctx context.Context, d Delivery) (Receipt, error)
}

// Failure is a typed delivery failure. Code is short and holds no personal data
// (a provider's error code, "http_503", "invalid_phone"): it becomes the
// outbox's failure reason and a log field.
type Failure struct {
	Channel   ChannelName
	Permanent bool // retrying cannot help: bad address, rejected template, unsubscribed
	Code      string
	Err       error
}

func (f *Failure) Error() string {
	kind := "transient"
	if f.Permanent {
		kind = "permanent"
	}
	msg := fmt.Sprintf("notify: %s %s failure %s", f.Channel, kind, f.Code)
	if f.Err != nil {
		msg += ": " + f.Err.Error()
	}
	return msg
}

func (f *Failure) Unwrap() error { return f.Err }

// Permanent is a failure that retrying cannot cure.
func Permanent(code string, err error) error { return &Failure{Permanent: true, Code: code, Err: err} }

// Transient is a failure that a later attempt may not meet.
func Transient(code string, err error) error { return &Failure{Code: code, Err: err} }

// Sentinels wrapped by the failures this package makes.
var (
	ErrBreakerOpen = errors.New("notify: the channel's breaker is open")
	ErrNoRoute     = errors.New("notify: no channel reaches any recipient of the message")
	ErrBadPayload  = errors.New("notify: the message payload does not fit its topic")
	ErrExpired     = errors.New("notify: the one-time code expired before it could be sent")
	// ErrUnreachable is wrapped by a permanent failure of the address on its
	// channel (a WeChat user who unsubscribed, an openid the account does not
	// know): the Router tries the contact's next channel once.
	ErrUnreachable = errors.New("notify: the recipient cannot be reached at this address")
)

// IsPermanent reports whether err is a permanent failure: the message is marked
// failed and never tried again. Every other error leaves it in the outbox.
func IsPermanent(err error) bool {
	var f *Failure
	return errors.As(err, &f) && f.Permanent
}

// FailureCode is the code of err's *Failure ("" when it has none), prefixed by
// its channel when known: "sms:invalid_phone".
func FailureCode(err error) string {
	var f *Failure
	if !errors.As(err, &f) {
		return ""
	}
	if f.Channel == "" {
		return f.Code
	}
	return string(f.Channel) + ":" + f.Code
}

// withChannel stamps ch on err's *Failure, or wraps a plain error as transient.
func withChannel(ch ChannelName, err error) error {
	var f *Failure
	if errors.As(err, &f) {
		if f.Channel == "" {
			c := *f
			c.Channel = ch
			return &c
		}
		return err
	}
	return &Failure{Channel: ch, Code: "error", Err: err}
}
