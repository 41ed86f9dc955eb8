package directorytest

import (
	"strings"
	"testing"

	"github.com/onecode/onecode/persistence/directory"
)

// testOutboxOutcomes: a permanently failed message is never claimed again and
// keeps its first reason; a delivery receipt is recorded whether or not the
// message was marked sent yet; OutboxMessage shows the whole state.
func testOutboxOutcomes(t *testing.T, s directory.Store) {
	failed := enqueue(t, s, directory.TopicOTP, "phone:bad")
	sent := enqueue(t, s, directory.TopicArrears, "acc:1")
	early := enqueue(t, s, directory.TopicBinding, "par:1")
	if got := claimIDs(t, s, 10); len(got) != 3 {
		t.Fatalf("claimed %v, want 3 messages", got)
	}
	must(t, s.MarkFailed(ctx, failed, "sms: invalid phone"))
	must(t, s.MarkFailed(ctx, failed, "a second reason")) // no change
	must(t, s.MarkSent(ctx, []int64{sent}))
	must(t, s.MarkFailed(ctx, sent, "too late")) // a sent message stays sent
	must(t, s.RecordDelivery(ctx, sent, true, ""))
	must(t, s.RecordDelivery(ctx, early, false, "UNDELIV: handset off")) // before MarkSent

	m, err := s.OutboxMessage(ctx, failed)
	must(t, err)
	if m.FailedAt == nil || m.FailReason != "sms: invalid phone" || m.SentAt != nil || m.Topic != directory.TopicOTP || m.Attempts != 1 {
		t.Errorf("failed message %+v", m)
	}
	m, err = s.OutboxMessage(ctx, sent)
	must(t, err)
	if m.SentAt == nil || m.FailedAt != nil || m.FailReason != "" || m.Delivery != directory.DeliveryDelivered || m.DeliveredAt == nil {
		t.Errorf("sent and delivered message %+v", m)
	}
	m, err = s.OutboxMessage(ctx, early)
	must(t, err)
	if m.SentAt != nil || m.Delivery != directory.DeliveryUndelivered || m.DeliveryDetail != "UNDELIV: handset off" {
		t.Errorf("receipt before sent %+v", m)
	}
	// The early one comes back after its lease; the failed one never does. The
	// lease of this suite's stores is long, so only the failed one's absence is
	// checked here (RunLease checks leases).
	for _, id := range claimIDs(t, s, 10) {
		if id == failed {
			t.Errorf("a failed message was claimed again")
		}
	}

	wantErr(t, "unknown id", s.MarkFailed(ctx, early+1000, "x"), directory.ErrNotFound)
	wantErr(t, "unknown id", s.RecordDelivery(ctx, early+1000, true, ""), directory.ErrNotFound)
	_, err = s.OutboxMessage(ctx, early+1000)
	wantErr(t, "unknown id", err, directory.ErrNotFound)
	wantErr(t, "no reason", s.MarkFailed(ctx, early, ""), directory.ErrInvalid)
	wantErr(t, "long reason", s.MarkFailed(ctx, early, strings.Repeat("x", directory.MaxReasonLen+1)), directory.ErrInvalid)
	wantErr(t, "id 0", s.RecordDelivery(ctx, 0, true, ""), directory.ErrInvalid)
}
