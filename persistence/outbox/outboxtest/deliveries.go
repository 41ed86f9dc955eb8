package outboxtest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
)

// DeliveryStore is a store of accepted deliveries and unreachable addresses.
type DeliveryStore interface {
	outbox.DeliveryLog
	outbox.Unreachables
}

// DeliveryOpener returns a new, empty store whose clock is now.
type DeliveryOpener func(t *testing.T, now func() time.Time) DeliveryStore

// RunDeliveries checks a DeliveryLog and Unreachables: deliveries recorded in
// one statement, the first record of a delivery kept, a page read back in
// order, bad input rejected and changing nothing; marks set, read, cleared.
func RunDeliveries(t *testing.T, open DeliveryOpener) {
	t.Run("RecordAccepted", func(t *testing.T) {
		c := &Clock{t: time.Date(2026, 9, 1, 11, 30, 0, 123456789, time.UTC)}
		testRecordAccepted(t, open(t, c.Now), c)
	})
	t.Run("Unreachable", func(t *testing.T) {
		c := &Clock{t: time.Date(2026, 9, 1, 11, 30, 0, 123456789, time.UTC)}
		testUnreachable(t, open(t, c.Now))
	})
}

func testRecordAccepted(t *testing.T, s DeliveryStore, c *Clock) {
	first := outbox.Micro(c.Now())
	must(t, s.RecordAccepted(ctx, []outbox.Accepted{
		{NoticeID: 7, Channel: "wechat", Target: "t-a", ProviderID: "wx-1"},
		{NoticeID: 8, Channel: "mailbox", Target: "mailbox"},
	}))
	c.Add(time.Second)
	// The same delivery again (a re-send recorded twice) keeps its first record.
	must(t, s.RecordAccepted(ctx, []outbox.Accepted{
		{NoticeID: 7, Channel: "sms", Target: "t-b", ProviderID: "sms-9"},
		{NoticeID: 7, Channel: "wechat", Target: "t-a", ProviderID: "wx-2"},
	}))
	got, err := s.AcceptedOf(ctx, []int64{7, 8, 9})
	must(t, err)
	want := []outbox.Accepted{
		{NoticeID: 7, Channel: "wechat", Target: "t-a", ProviderID: "wx-1", At: first},
		{NoticeID: 7, Channel: "sms", Target: "t-b", ProviderID: "sms-9", At: first.Add(time.Second)},
		{NoticeID: 8, Channel: "mailbox", Target: "mailbox", At: first},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("accepted\n got %+v\nwant %+v", got, want)
	}
	if got, err := s.AcceptedOf(ctx, []int64{9}); err != nil || len(got) != 0 {
		t.Errorf("a notice without deliveries: %+v, %v", got, err)
	}
	long := make([]byte, outbox.MaxProviderIDLen+1)
	for i := range long {
		long[i] = 'x'
	}
	for name, ds := range map[string][]outbox.Accepted{
		"none":        nil,
		"too many":    make([]outbox.Accepted, outbox.MaxPage+1),
		"bad channel": {{NoticeID: 9, Channel: "fax", Target: "t"}},
		"no target":   {{NoticeID: 9, Channel: "sms"}},
		"bad id":      {{NoticeID: 0, Channel: "sms", Target: "t"}},
		"long id":     {{NoticeID: 9, Channel: "sms", Target: "t", ProviderID: string(long)}},
		"one invalid": {{NoticeID: 9, Channel: "sms", Target: "t"}, {NoticeID: 9, Channel: "sms", Target: "t\n"}},
	} {
		wantErr(t, name, s.RecordAccepted(ctx, ds), outbox.ErrInvalid)
	}
	if got, err := s.AcceptedOf(ctx, []int64{9}); err != nil || len(got) != 0 {
		t.Errorf("rejected records wrote %+v, %v", got, err)
	}
	for name, ids := range map[string][]int64{"none": nil, "zero": {0}, "too many": make([]int64, outbox.MaxPage+1)} {
		_, err := s.AcceptedOf(ctx, ids)
		wantErr(t, "accepted of "+name, err, outbox.ErrInvalid)
	}
	// A full page in one statement.
	page := make([]outbox.Accepted, outbox.MaxPage)
	ids := make([]int64, outbox.MaxPage)
	for i := range page {
		page[i] = outbox.Accepted{NoticeID: int64(100 + i), Channel: "sms", Target: "t", ProviderID: "p"}
		ids[i] = int64(100 + i)
	}
	must(t, s.RecordAccepted(ctx, page))
	if got, err := s.AcceptedOf(ctx, ids); err != nil || len(got) != outbox.MaxPage {
		t.Errorf("a full page: %d records, %v", len(got), err)
	}
}

func testUnreachable(t *testing.T, s DeliveryStore) {
	must(t, s.MarkUnreachable(ctx, "wechat", "t-a", "wechat:43004"))
	must(t, s.MarkUnreachable(ctx, "wechat", "t-a", "wechat:40003")) // marked again: kept
	got, err := s.Unreachable(ctx, "wechat", []string{"t-a", "t-b"})
	must(t, err)
	if !reflect.DeepEqual(got, map[string]bool{"t-a": true}) {
		t.Fatalf("unreachable %v, want t-a only", got)
	}
	if got, err := s.Unreachable(ctx, "sms", []string{"t-a"}); err != nil || len(got) != 0 {
		t.Errorf("another channel: %v, %v", got, err)
	}
	cleared, err := s.ClearUnreachable(ctx, "wechat", "t-a")
	if err != nil || !cleared {
		t.Fatalf("clear: %v, %v", cleared, err)
	}
	if cleared, err := s.ClearUnreachable(ctx, "wechat", "t-a"); err != nil || cleared {
		t.Errorf("clear again: %v, %v, want false", cleared, err)
	}
	if got, err := s.Unreachable(ctx, "wechat", []string{"t-a"}); err != nil || len(got) != 0 {
		t.Errorf("after clear: %v, %v", got, err)
	}
	for name, err := range map[string]error{
		"mark mailbox":   s.MarkUnreachable(ctx, "mailbox", "t", "x"),
		"mark no code":   s.MarkUnreachable(ctx, "wechat", "t", ""),
		"mark no target": s.MarkUnreachable(ctx, "wechat", "", "x"),
	} {
		if !errors.Is(err, outbox.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	_, err = s.Unreachable(ctx, "wechat", nil)
	wantErr(t, "lookup of none", err, outbox.ErrInvalid)
}
