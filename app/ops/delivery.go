package ops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/persistence/outbox"
)

// KindAlarm is the outbox kind of one alarm delivery (notify.KindOpsAlarm:
// urgent, it goes out in quiet hours too).
const KindAlarm = notify.KindOpsAlarm

// maxAlarmText bounds the alarm message kept in a delivery's payload.
const maxAlarmText = 1024

// errUnknownTarget: the delivery's recipient is no configured target any more
// (the operators' addresses changed since it was queued).
var errUnknownTarget = errors.New("ops: alarm recipient no longer configured")

// alarmPayload is the stored payload of an alarm delivery: no address (the
// recipient names the target by a hash of it).
type alarmPayload struct {
	Alarm   int64  `json:"alarm"`
	Level   string `json:"level"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// Deliveries delivers alarms through the durable outbox (persistence/outbox):
// each new alarm queues one notice per target, deduped by alarm id and target,
// and the notices' runner (notify.RunNotices) sends them, retrying a failed one
// after its lease until the channel accepts it. It is a Notifier; Send is the
// runner's sender for KindAlarm notices.
type Deliveries struct {
	Store   outbox.Store
	Targets []Target
}

// recipient names a target in the outbox without its address: the channel and
// a hash of the address.
func recipient(t Target) string {
	h := sha256.Sum256([]byte(t.To))
	return string(t.Channel.Name()) + ":" + hex.EncodeToString(h[:8])
}

// DeliveryKey is the dedupe key of alarm id's delivery to recipient.
func DeliveryKey(alarmID int64, recipient string) string {
	return fmt.Sprintf("%s:%d:%s", KindAlarm, alarmID, recipient)
}

// NotifyAlarm implements Notifier: it queues a's deliveries (queued before:
// nothing changes).
func (d Deliveries) NotifyAlarm(ctx context.Context, a Alarm) error {
	msg := a.Message
	if len(msg) > maxAlarmText {
		msg = msg[:maxAlarmText]
	}
	payload, err := json.Marshal(alarmPayload{Alarm: a.ID, Level: string(a.Level), Kind: a.Kind, Message: msg})
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range d.Targets {
		r := recipient(t)
		if _, _, err := d.Store.Enqueue(ctx, outbox.Notice{Key: DeliveryKey(a.ID, r), Kind: string(KindAlarm),
			Recipient: r, Payload: payload}); err != nil {
			errs = append(errs, fmt.Errorf("alarm %d on %s: queue: %w", a.ID, t.Channel.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// Send delivers one KindAlarm notice to its target: nil once the channel
// accepted it; a transient failure leaves it queued for a later attempt.
func (d Deliveries) Send(ctx context.Context, m notify.Message) error {
	var p alarmPayload
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		return notify.Permanent("bad_payload", err)
	}
	for _, t := range d.Targets {
		if recipient(t) != m.Recipient {
			continue
		}
		_, err := t.Channel.Send(ctx, notify.Delivery{MessageID: m.ID, Topic: string(KindAlarm), To: t.To, Template: t.Template,
			Params: map[string]string{"level": p.Level, "kind": p.Kind, "message": p.Message}})
		return err
	}
	return notify.Permanent("unknown_recipient", errUnknownTarget)
}

// RouteAlarms is a sender for the notices' runner: KindAlarm notices go to
// alarms, every other one to others.
func RouteAlarms(alarms, others notify.Sender) notify.Sender {
	return func(ctx context.Context, m notify.Message) error {
		if m.Topic == string(KindAlarm) {
			return alarms(ctx, m)
		}
		return others(ctx, m)
	}
}
