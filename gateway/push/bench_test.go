package push_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/pgoutbox"
	"github.com/onecode/onecode/persistence/pgtest"
)

// benchNotices is the figure: 5,000 fee notices.
const benchNotices = 5000

// BenchmarkDrainFeeNotices drains 5,000 fee reminders from the PostgreSQL
// outbox through the sandbox SMS channel (signed HTTP on loopback, the guarded
// channel with its breaker and a rate limit of rate/s) and reports notices/s.
// Enqueueing is not timed. rate=50 is the shipped push.rate default.
//
// 2026-12-05, GOMAXPROCS=2 on the shared 2-core machine, -benchtime 1x -count 5
// (rate=5000): one notice at a time (before): 177, 220, 297 notices/s (median
// 220; the CPU 14% busy: each send waited on loopback HTTP then on its commit);
// 16 senders per batch (now): 558, 630, 683, 1094, 1138 (median 683).
//
// 2026-12-06, same machine (as busy), -benchtime 1x -count 3 -short: without
// the record of accepted deliveries (record=false) 2950, 1173, 1602 notices/s
// (median 1602); with it (record=true: each send waits for its group's insert
// into notice_deliveries before its mark) 837, 795, 865 (median 837).
func BenchmarkDrainFeeNotices(b *testing.B) {
	for _, tc := range []struct {
		rate   float64
		record bool // the router records each accepted delivery in the store
	}{{50, true}, {5000, false}, {5000, true}} {
		b.Run(fmt.Sprintf("rate=%v/record=%v", tc.rate, tc.record), func(b *testing.B) {
			if tc.rate == 50 && testing.Short() {
				b.Skip("100 s at the default rate")
			}
			for range b.N {
				drainOnce(b, tc.rate, tc.record)
			}
		})
	}
}

func drainOnce(b *testing.B, rate float64, record bool) {
	b.StopTimer()
	ctx := context.Background()
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC) // 10:00 in China: no quiet hours
	store, err := pgoutbox.Open(ctx, pgtest.DSN(b), pgoutbox.Options{MaxConns: 8, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	sb, err := sandbox.New(sandbox.Config{SMS: creds, WeChatAppID: "wx", WeChatSecret: "wx-secret", MaxMessages: 10})
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	api := httptest.NewServer(sb.Handler())
	defer api.Close()
	client, err := sms.NewClient(sms.Config{BaseURL: api.URL, Credentials: creds, SignName: "一码通"})
	if err != nil {
		b.Fatal(err)
	}
	limits := notify.DefaultLimits()
	limits.Rate, limits.Burst = rate, max(10, int(rate/10))
	guarded, err := notify.Guard(client, limits, &notify.Stats{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var deliveries outbox.DeliveryLog
	if record {
		deliveries = store
	}
	router, err := notify.NewRouter(notify.RouterConfig{Channels: []notify.Channel{guarded}, Deliveries: deliveries,
		Templates: map[notify.ChannelName]map[string]notify.Template{notify.SMS: notify.KindTemplates(map[notify.Kind]string{notify.KindFeeReminder: "SMS_FEE"})},
		Contacts:  contacts{{Phone: "13900000001"}}})
	if err != nil {
		b.Fatal(err)
	}
	ns := notify.Notices{Store: store, Now: func() time.Time { return now }}
	for i := range benchNotices {
		if _, _, err := ns.Enqueue(ctx, notify.Notice{Kind: notify.KindFeeReminder, Cause: fmt.Sprint("bill-", i), SchoolID: "35001",
			Recipient: fmt.Sprintf("acc_35001_%010d", i), Params: kindParams(notify.KindFeeReminder)}); err != nil {
			b.Fatal(err)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	b.StartTimer()
	start := time.Now()
	go func() {
		defer close(done)
		notify.RunNotices(runCtx, store, router.Send, notify.RunOptions{Batch: outbox.MaxPage, Interval: 5 * time.Millisecond,
			Now: func() time.Time { return now }}, slog.New(slog.DiscardHandler))
	}()
	for sb.Stats().SMSAccepted < benchNotices {
		time.Sleep(2 * time.Millisecond) // polling the figure, not synchronising a test
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	b.ReportMetric(float64(benchNotices)/elapsed.Seconds(), "notices/s")
}
