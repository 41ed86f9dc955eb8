package ops

import (
	"context"
	"errors"
	"fmt"

	"github.com/onecode/onecode/app/notify"
)

// Channel is the part of app/notify's guarded channels (notify.Guarded) the
// alarms use: one delivery to one address, behind the channel's own breaker,
// rate limit and retries.
type Channel interface {
	Name() notify.ChannelName
	Send(ctx context.Context, d notify.Delivery) (notify.Receipt, error)
}

// TopicAlarm is the notification topic of an alarm.
const TopicAlarm = "ops_alarm"

// TextAlarm is the alarm template's text (e-mail body, SMS copy).
const TextAlarm = "【一码通】运维告警（{level}）：{kind} {message}"

// Target is one operator address on one channel.
type Target struct {
	Channel  Channel
	To       string // a phone (SMS), an e-mail address; never logged
	Template notify.Template
}

// ChannelNotifier delivers a new alarm to every target through app/notify's
// channels (e-mail, SMS): a Notifier.
type ChannelNotifier struct {
	Targets []Target
}

// NotifyAlarm implements Notifier: every target is tried; the failures are
// joined (each names its channel, never the address).
func (n ChannelNotifier) NotifyAlarm(ctx context.Context, a Alarm) error {
	var errs []error
	for _, t := range n.Targets {
		d := notify.Delivery{MessageID: a.ID, Topic: TopicAlarm, To: t.To, Template: t.Template,
			Params: map[string]string{"level": string(a.Level), "kind": a.Kind, "message": a.Message}}
		if _, err := t.Channel.Send(ctx, d); err != nil {
			errs = append(errs, fmt.Errorf("alarm %d on %s: %w", a.ID, t.Channel.Name(), err))
		}
	}
	return errors.Join(errs...)
}
