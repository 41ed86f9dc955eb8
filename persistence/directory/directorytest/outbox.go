package directorytest

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

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

func enqueue(t *testing.T, s directory.Store, topic directory.Topic, to string) int64 {
	t.Helper()
	id, err := s.Enqueue(ctx, directory.Message{Topic: topic, Recipient: to, Payload: []byte(`{"amount": 1200, "who": "张三"}`)})
	must(t, err)
	return id
}

func claimIDs(t *testing.T, s directory.Store, limit int) []int64 {
	t.Helper()
	ms, err := s.ClaimBatch(ctx, limit)
	must(t, err)
	var ids []int64
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func testOutbox(t *testing.T, s directory.Store) {
	before := time.Now().Add(-time.Second)
	a := enqueue(t, s, directory.TopicArrears, "parent:1")
	b := enqueue(t, s, directory.TopicOTP, "phone:abc")
	c := enqueue(t, s, directory.TopicReminder, "parent:2")
	ms, err := s.ClaimBatch(ctx, 2)
	must(t, err)
	if len(ms) != 2 || ms[0].ID != a || ms[1].ID != b {
		t.Fatalf("claimed %+v, want ids %d, %d", ms, a, b)
	}
	m := ms[0]
	if m.Topic != directory.TopicArrears || m.Recipient != "parent:1" || string(m.Payload) != `{"amount": 1200, "who": "张三"}` ||
		m.Attempts != 1 || m.SentAt != nil || m.CreatedAt.Before(before) || m.CreatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("claimed %+v", m)
	}
	if got := claimIDs(t, s, 10); !reflect.DeepEqual(got, []int64{c}) {
		t.Errorf("second claim got %v, want [%d]", got, c)
	}
	if got := claimIDs(t, s, 10); len(got) != 0 {
		t.Errorf("third claim got %v, want none (all leased)", got)
	}
	must(t, s.MarkSent(ctx, []int64{a, b, a}))
	must(t, s.MarkSent(ctx, []int64{a})) // again: no change
	wantErr(t, "unknown id", s.MarkSent(ctx, []int64{c, c + 1000}), directory.ErrNotFound)
	wantErr(t, "no ids", s.MarkSent(ctx, nil), directory.ErrInvalid)
	_, err = s.ClaimBatch(ctx, 0)
	wantErr(t, "limit 0", err, directory.ErrInvalid)
	for i, m := range []directory.Message{
		{Topic: "sms", Recipient: "x", Payload: []byte(`{}`)},
		{Topic: directory.TopicOTP, Recipient: "", Payload: []byte(`{}`)},
		{Topic: directory.TopicOTP, Recipient: "x", Payload: []byte(`{"a":`)},
		{Topic: directory.TopicOTP, Recipient: "x", Payload: make([]byte, directory.MaxPayload+1)},
	} {
		_, err := s.Enqueue(ctx, m)
		wantErr(t, fmt.Sprint("bad message ", i), err, directory.ErrInvalid)
	}
}

// testConcurrentClaimers has several senders claim and mark concurrently:
// every message is claimed exactly once.
func testConcurrentClaimers(t *testing.T, s directory.Store) {
	const messages, claimers = 120, 4
	want := map[int64]bool{}
	for i := range messages {
		want[enqueue(t, s, directory.TopicReminder, fmt.Sprint("parent:", i))] = true
	}
	var mu sync.Mutex
	got := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, claimers)
	for range claimers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range messages { // bounded: each round claims ≥ 1 or stops
				ms, err := s.ClaimBatch(ctx, 7)
				if err != nil {
					errs <- err
					return
				}
				if len(ms) == 0 {
					return
				}
				ids := make([]int64, len(ms))
				mu.Lock()
				for i, m := range ms {
					got[m.ID]++
					ids[i] = m.ID
				}
				mu.Unlock()
				if err := s.MarkSent(ctx, ids); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("claimed %d distinct messages, want %d", len(got), len(want))
	}
	for id, n := range got {
		if n != 1 || !want[id] {
			t.Errorf("message %d claimed %d times (enqueued: %v)", id, n, want[id])
		}
	}
}
