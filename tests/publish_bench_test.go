package tests

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/app/fees"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/app/workers"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/fees/pgfees"
	"github.com/onecode/onecode/persistence/outbox/pgoutbox"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// publishPupils is issue 11's figure: an item published to 5,000 pupils.
const publishPupils = 5000

// BenchmarkPublishItem5000 publishes a fee item to a whole school of 5,000
// pupils on PostgreSQL: one bill issued in each pupil's Account grain (journaled),
// its read-model row, and the fee_published notice queued in the outbox. Each
// iteration seeds a new school (not timed): pupils imported and their accounts
// opened, so the grains are active (a publish after a quiet evening would also
// load them from the journal). The stores' pools are those of `onecode
// serve` (fees.max_conns, the outbox's 8). Reported: seconds per publish, the
// median over the iterations (run -benchtime 1x -count N, or -benchtime Nx).
//
// Issue 11 asks ≤ 5 s. Figures are in README.md (Performance).
func BenchmarkPublishItem5000(b *testing.B) {
	benchmarkPublish(b, func(string) fee.Target { return fee.Target{Kind: fee.TargetSchool} })
}

// BenchmarkPublishItem5000Listed is BenchmarkPublishItem5000 with the item's
// target a list of the 5,000 pupils (as an imported list of pupils bills them).
func BenchmarkPublishItem5000Listed(b *testing.B) {
	benchmarkPublish(b, func(school string) fee.Target {
		ids := make([]string, publishPupils)
		for i := range ids {
			ids[i] = benchAccountID(school, i)
		}
		return fee.Target{Kind: fee.TargetAccounts, AccountIDs: ids}
	})
}

func benchAccountID(school string, i int) string { return fmt.Sprintf("acc_%s_%010d", school, i+1) }

func benchmarkPublish(b *testing.B, target func(school string) fee.Target) {
	env := switchtest.New(b, switchtest.Options{Name: "publish"})
	ctx := context.Background()
	fstore, err := pgfees.Open(ctx, env.DSN, pgfees.Options{MaxConns: publishFeesConns})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { fstore.Close() })
	box, err := pgoutbox.Open(ctx, env.DSN, pgoutbox.Options{MaxConns: 8})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { box.Close() })
	svc, err := fees.New(fees.Deps{Accounts: env.Accounts, Store: fstore, Directory: env.Directory,
		Notices: &notify.Notices{Store: box}, Now: time.Now, Rand: rand.Reader})
	if err != nil {
		b.Fatal(err)
	}
	db, err := pgx.Connect(ctx, env.DSN)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close(context.Background()) })
	var secs []float64
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		school := fmt.Sprintf("%05d", 40000+i)
		seedSchool(b, env, school)
		st := fees.Staff{ID: "stf_bench", SchoolID: school}
		it, err := svc.CreateItem(ctx, st, fees.Definition{Title: "春季校服", Category: fee.Uniform, AmountFen: 12000,
			Target: target(school), DueDay: 20270301})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		pub, err := svc.Publish(ctx, st, it.ID)
		elapsed := time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		checkPublished(b, fstore, db, it.ID, pub)
		secs = append(secs, elapsed.Seconds())
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(secs)
	b.ReportMetric(secs[len(secs)/2], "s/publish(median)")
	b.ReportMetric(float64(publishPupils)/secs[len(secs)/2], "bills/s")
}

// publishFeesConns is the fees store's pool of `onecode serve` (pgfees default).
const publishFeesConns = pgfees.DefaultMaxConns

// seedSchool writes a school, one class per 50 pupils and publishPupils active
// pupils.
func seedSchool(b *testing.B, env *switchtest.Env, school string) {
	b.Helper()
	ctx := context.Background()
	dir := env.Directory
	if err := dir.PutSchool(ctx, directory.School{ID: school, Name: "实验小学" + school, SingleRechargeMax: 100_000,
		BalanceCap: 200_000, DailySpendCap: 5_000, ArrearsCap: 2_000, VoidWindowSeconds: 300}); err != nil {
		b.Fatal(err)
	}
	pupils := make([]directory.Pupil, publishPupils)
	for i := range pupils {
		class := fmt.Sprintf("c%03d", i/50)
		if i%50 == 0 {
			if err := dir.PutClass(ctx, directory.Class{SchoolID: school, ID: class, Name: class, Grade: int32(1 + i/50%6)}); err != nil {
				b.Fatal(err)
			}
		}
		idHash := sha256.Sum256([]byte(school + fmt.Sprint(i)))
		pupils[i] = directory.Pupil{AccountID: benchAccountID(school, i), SchoolID: school,
			StudentNo: fmt.Sprintf("%010d", i+1), Name: "张小明", ClassID: class, IDNumberHash: idHash[:], CardRandom: "07",
			CardExpiry: 20300831, Status: directory.PupilActive}
	}
	if err := dir.BulkImportPupils(ctx, school, pupils); err != nil {
		b.Fatal(err)
	}
	err := workers.ForEach(ctx, len(pupils), 16, func(ctx context.Context, i int) error {
		p := pupils[i]
		resp, err := env.Accounts.Execute(ctx, p.AccountID, &grainv1.ExecuteRequest{IdemKey: "open:" + p.AccountID,
			Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{SchoolId: school, StudentNo: p.StudentNo,
				Limits:     &grainv1.Limits{SingleRechargeMaxFen: 100_000, BalanceCapFen: 200_000, DailySpendCapFen: 5_000, ArrearsCapFen: 2_000},
				CardRandom: p.CardRandom, CardExpiry: "20300831"}}})
		if err == nil && resp.GetAccepted() == nil {
			err = fmt.Errorf("open %s: %v", p.AccountID, resp.GetDeclined())
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

// checkPublished: one bill per pupil in the read model and one notice each queued.
func checkPublished(b *testing.B, fstore interface {
	ClassTotals(ctx context.Context, itemID string) ([]fees.ClassTotal, error)
}, db *pgx.Conn, itemID string, pub fees.Published) {
	b.Helper()
	ctx := context.Background()
	if pub.Bills != publishPupils || pub.Issued != publishPupils {
		b.Fatalf("published %d bills, %d issued; want %d", pub.Bills, pub.Issued, publishPupils)
	}
	totals, err := fstore.ClassTotals(ctx, itemID)
	if err != nil {
		b.Fatal(err)
	}
	var bills int64
	for _, t := range totals {
		bills += t.Bills
	}
	var notices int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM notices WHERE kind = 'fee_published' AND dedupe_key LIKE $1`,
		"%:item:"+itemID).Scan(&notices); err != nil {
		b.Fatal(err)
	}
	if bills != publishPupils || notices != publishPupils {
		b.Fatalf("%d bills in the read model, %d notices queued; want %d each", bills, notices, publishPupils)
	}
}
