package push_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/onecode/onecode/app/notify"
	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/pgdirectory"
	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/pgoutbox"
	"github.com/onecode/onecode/persistence/pgtest"
)

var benchSealKey = []byte("the phone seal key of 32 bytes!!")

// BenchmarkDrainFeeNoticesGuardianBook is BenchmarkDrainFeeNotices (rate=5000,
// record=true) with the guardians' contact book of production: each notice's
// guardian and preferences read from the PostgreSQL directory and outbox store
// (5,000 pupils, one guardian each with a sealed phone and stored preferences).
//
// 2026-12-06, GOMAXPROCS=2 on the shared 2-core machine, -benchtime 1x -count 3:
// one read per notice (before, Prefetch left out): 1761, 1732, 1470 notices/s
// (median 1732); a batch's guardians and preferences read at once (now): 1277,
// 1425, 1895 (median 1425): within this machine's noise, the loopback reads being
// cheap next to the sends. onecode loadgen --drain-notices 5000 (a separate
// switch process, canteen load at 1000/s) on the same machine, two runs of two
// rounds each: before 616 and 872 notices/s, now 790 and 1047.
func BenchmarkDrainFeeNoticesGuardianBook(b *testing.B) {
	ctx := context.Background()
	dir, err := pgdirectory.Open(ctx, pgtest.DSN(b), pgdirectory.Options{MaxConns: 8})
	if err != nil {
		b.Fatal(err)
	}
	defer dir.Close()
	seedGuardians(b, dir)
	for range b.N {
		drainWithBook(b, dir)
	}
}

// seedGuardians puts the school, benchNotices pupils and a guardian of each.
func seedGuardians(b *testing.B, dir directory.Store) {
	ctx := context.Background()
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(dir.PutSchool(ctx, directory.School{ID: "35001", Name: "第一实验小学", SingleRechargeMax: 100_000, BalanceCap: 200_000,
		DailySpendCap: 5_000, ArrearsCap: 2_000, VoidWindowSeconds: 300}))
	must(dir.PutClass(ctx, directory.Class{SchoolID: "35001", ID: "3-1", Name: "3-1", Grade: 3}))
	var pupils []directory.Pupil
	for i := range benchNotices {
		h := sha256.Sum256([]byte(fmt.Sprint("id number ", i)))
		pupils = append(pupils, directory.Pupil{AccountID: fmt.Sprintf("acc_35001_%010d", i), SchoolID: "35001",
			StudentNo: fmt.Sprintf("%010d", i), Name: fmt.Sprint("学生", i), ClassID: "3-1", IDNumberHash: h[:],
			CardRandom: "07", CardExpiry: 20300831, Status: directory.PupilActive})
	}
	must(dir.BulkImportPupils(ctx, "35001", pupils))
	for i := range benchNotices {
		phone := fmt.Sprintf("139%08d", i)
		sealed, err := policy.SealPhone(benchSealKey, phone, rand.Reader)
		must(err)
		h := sha256.Sum256([]byte(phone))
		_, err = dir.PutParent(ctx, directory.Parent{ID: fmt.Sprint("par_", i), PhoneHash: h[:], PhoneMasked: phone[:3] + "****" + phone[7:],
			PhoneSealed: sealed})
		must(err)
		must(dir.Bind(ctx, directory.Guardianship{ParentID: fmt.Sprint("par_", i), AccountID: pupils[i].AccountID, Relation: "mother"}))
	}
}

func drainWithBook(b *testing.B, dir directory.Store) {
	b.StopTimer()
	ctx := context.Background()
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC) // 10:00 in China: no quiet hours
	store, err := pgoutbox.Open(ctx, pgtest.DSN(b), pgoutbox.Options{MaxConns: 8, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	for i := range benchNotices {
		if err := store.PutPreferences(ctx, outbox.Preferences{ParentID: fmt.Sprint("par_", i), Channels: []string{"sms", "wechat"}, Muted: []string{"low_balance"}}); err != nil {
			b.Fatal(err)
		}
	}
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
	limits.Rate, limits.Burst = 5000, 500
	guarded, err := notify.Guard(client, limits, &notify.Stats{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	book := notify.GuardianBook{Directory: dir, SealKey: benchSealKey, Prefs: store}
	router, err := notify.NewRouter(notify.RouterConfig{Channels: []notify.Channel{guarded}, Deliveries: store,
		Templates: map[notify.ChannelName]map[string]notify.Template{notify.SMS: notify.KindTemplates(map[notify.Kind]string{notify.KindFeeReminder: "SMS_FEE"})},
		Contacts:  notify.Books{Guardians: book, Staff: notify.StaffBook{Directory: dir}}})
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
	opts := notify.RunOptions{Batch: outbox.MaxPage, Interval: 5 * time.Millisecond, Now: func() time.Time { return now },
		Prefetch: router.Prefetch}
	timeDrain(b, sb, func(ctx context.Context) {
		notify.RunNotices(ctx, store, router.Send, opts, slog.New(slog.DiscardHandler))
	})
}

// timeDrain times run until the sandbox accepted benchNotices SMS.
func timeDrain(b *testing.B, sb *sandbox.Sandbox, run func(ctx context.Context)) {
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.StartTimer()
	start := time.Now()
	go func() {
		defer close(done)
		run(runCtx)
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for sb.Stats().SMSAccepted < benchNotices {
		if time.Now().After(deadline) {
			b.Fatalf("drained %+v in 2 minutes", sb.Stats())
		}
		time.Sleep(2 * time.Millisecond) // polling the figure, not synchronising a test
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	b.ReportMetric(float64(benchNotices)/elapsed.Seconds(), "notices/s")
}
