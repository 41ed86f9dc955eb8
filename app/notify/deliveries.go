package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
)

// recordTimeout bounds one group's RecordAccepted; like the marks it runs on a
// context a shutdown does not cancel.
const recordTimeout = 10 * time.Second

// mailboxTarget is the target of a notice the fallback took (not an address).
const mailboxTarget = "mailbox"

// AddressTarget is the opaque key under which the outbox store keeps an
// address on a channel (its accepted deliveries, an unreachable mark): a keyed
// hash (the phone seal key), so the store holds no phone, openid or e-mail.
func AddressTarget(key []byte, ch ChannelName, address string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ch))
	m.Write([]byte{0})
	m.Write([]byte(address))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// acceptedLog records the deliveries providers accepted in group commits
// (groupCommit: N deliveries in flight cost one insert, not N); a delivery is
// durable before its notice's Send returns.
type acceptedLog struct {
	log    outbox.DeliveryLog
	logger *slog.Logger
	group  *groupCommit[outbox.Accepted]
}

func newAcceptedLog(log outbox.DeliveryLog, logger *slog.Logger) *acceptedLog {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l := &acceptedLog{log: log, logger: logger}
	l.group = newGroupCommit(outbox.MaxPage, recordTimeout, func(ctx context.Context, ds []outbox.Accepted) error {
		err := log.RecordAccepted(ctx, ds)
		if err != nil {
			logger.Warn("notices: record of accepted deliveries failed", slog.Int("deliveries", len(ds)), slog.Any("error", err))
		}
		return err
	})
	return l
}

// record makes a durable and returns once its group was written; a failure is
// logged (the delivery was accepted: only its record is missing).
func (l *acceptedLog) record(ctx context.Context, a outbox.Accepted) {
	_ = l.group.add(ctx, a)
}

// priorDeliveries answers the targets (channel and target) of message id's
// deliveries recorded before; nil on the first attempt, when no attempt can
// have recorded one, or without a log. A failed read is transient: sending
// blind could repeat a WeChat message.
func (l *acceptedLog) prior(ctx context.Context, m Message) (map[string]bool, error) {
	if l == nil || m.Attempts == 1 {
		return nil, nil
	}
	as, err := l.log.AcceptedOf(ctx, []int64{m.ID})
	if err != nil {
		return nil, Transient("accepted_lookup", err)
	}
	out := make(map[string]bool, len(as))
	for _, a := range as {
		out[a.Channel+"/"+a.Target] = true
	}
	return out, nil
}
