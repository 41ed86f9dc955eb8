package ops

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to alter rows behind the switch's back
	_ "modernc.org/sqlite"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/persistence/alarms"
	"github.com/onecode/onecode/persistence/alarms/sqlitealarms"
	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/journal/pgjournal"
	"github.com/onecode/onecode/persistence/journal/sqlitejournal"
	"github.com/onecode/onecode/persistence/pgtest"
)

// auditJournal is a real journal store and a raw connection to the same
// database, to alter rows as an intruder (or a bad migration) would.
type auditJournal struct {
	store journal.Store
	raw   *sql.DB
	// corruptPosting adds one fen to the first posting of an event.
	corruptPosting string
}

func journals(t *testing.T) map[string]func(t *testing.T) auditJournal {
	return map[string]func(t *testing.T) auditJournal{
		"sqlite": func(t *testing.T) auditJournal {
			path := filepath.Join(t.TempDir(), "onecode.db")
			s, err := sqlitejournal.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { raw.Close(); s.Close() })
			return auditJournal{store: s, raw: raw,
				corruptPosting: `UPDATE postings SET amount = amount + 1 WHERE account = $1 AND seq = $2 AND idx = 0`}
		},
		"postgres": func(t *testing.T) auditJournal {
			dsn := pgtest.DSN(t)
			s, err := pgjournal.Open(context.Background(), dsn, pgjournal.Options{})
			if err != nil {
				t.Fatal(err)
			}
			raw, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { raw.Close(); s.Close() })
			return auditJournal{store: s, raw: raw,
				corruptPosting: `UPDATE events SET posting_amounts[1] = posting_amounts[1] + 1 WHERE account = $1 AND seq = $2`}
		},
	}
}

var auditT0 = time.Date(2026, 9, 1, 3, 0, 0, 0, time.UTC)

// writeAccount journals an opening, two recharges and a snapshot at seq 3, as the
// account grain does (actors/account.go).
func writeAccount(t *testing.T, s journal.Store, id string) account.State {
	t.Helper()
	events := []account.Event{
		account.AccountOpened{AccountID: id, SchoolID: "35001", StudentNo: id[len(id)-4:], CardRandom: "07",
			Limits: account.Limits{SingleRechargeMax: 50000, BalanceCap: 100000, DailySpendCap: 3000},
			Expiry: 20300831, At: auditT0},
		account.RechargeCredited{OrderID: "o1-" + id, Amount: money.Amount(1000), At: auditT0.Add(time.Minute)},
		account.RechargeCredited{OrderID: "o2-" + id, Amount: money.Amount(500), At: auditT0.Add(2 * time.Minute)},
	}
	var state account.State
	app := journal.Append{Account: id}
	for i, e := range events {
		typ, data, err := codec.EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		je := journal.Event{Seq: int64(i + 1), Type: typ, Data: data, At: e.OccurredAt()}
		for _, p := range account.Postings(id, "35001", e) {
			je.Postings = append(je.Postings, journal.Posting{Ledger: string(p.Account), Amount: int64(p.Amount)})
		}
		je.Amount = walletChange(id, je.Postings)
		app.Events = append(app.Events, je)
		state = account.Apply(state, e)
	}
	snap, err := codec.EncodeState(state)
	if err != nil {
		t.Fatal(err)
	}
	app.Snapshot = &journal.Snapshot{Seq: 3, Data: snap}
	if errs := s.AppendBatch(context.Background(), []journal.Append{app}); errs[0] != nil {
		t.Fatalf("append %s: %v", id, errs[0])
	}
	return state
}

func walletChange(id string, ps []journal.Posting) int64 {
	var n int64
	for _, p := range ps {
		if p.Ledger == "wallet:"+id {
			n += p.Amount
		}
	}
	return n
}

func openAlarms(t *testing.T) alarms.Store {
	s, err := sqlitealarms.Open(context.Background(), filepath.Join(t.TempDir(), "alarms.db"), sqlitealarms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openAlarmsOfKind(t *testing.T, s alarms.Store, kind string) []alarms.Alarm {
	t.Helper()
	list, err := s.List(context.Background(), alarms.Filter{OpenOnly: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []alarms.Alarm
	for _, a := range list {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

type countingNotifier struct{ n map[string]int }

func (c *countingNotifier) NotifyAlarm(_ context.Context, a Alarm) error { c.n[a.Key]++; return nil }

func TestAuditorFindsTamperedSnapshotAndUnbalancedPosting(t *testing.T) {
	for name, open := range journals(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			j := open(t)
			healthy := writeAccount(t, j.store, "acc_35001_20240001")
			writeAccount(t, j.store, "acc_35001_20240002")
			writeAccount(t, j.store, "acc_35001_20240003")
			store := openAlarms(t)
			sent := &countingNotifier{n: map[string]int{}}
			al := NewAlarms(store, sent, func() time.Time { return auditT0.Add(time.Hour) }, nil)
			aud, err := NewAuditor(AuditConfig{Reader: j.store.(journal.AuditReader), Alarms: al, AccountsPerStep: 2})
			if err != nil {
				t.Fatal(err)
			}
			if err := aud.Pass(ctx); err != nil {
				t.Fatal(err)
			}
			if got := openAlarmsOfKind(t, store, KindWalletAnomaly); len(got) != 0 {
				t.Fatalf("healthy journal: alarms %+v", got)
			}

			// Behind the switch's back: account 2's snapshot holds 100 fen more, an
			// event of account 3 posts one fen out of balance.
			bad := healthy
			bad.AccountID, bad.StudentNo, bad.Balance = "acc_35001_20240002", "0002", healthy.Balance+100
			data, err := codec.EncodeState(bad)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := j.raw.ExecContext(ctx, `UPDATE snapshots SET data = $1 WHERE account = $2 AND seq = 3`,
				data, "acc_35001_20240002"); err != nil {
				t.Fatal(err)
			}
			if _, err := j.raw.ExecContext(ctx, j.corruptPosting, "acc_35001_20240003", 2); err != nil {
				t.Fatal(err)
			}
			for range 2 { // a second pass raises nothing new
				if err := aud.Pass(ctx); err != nil {
					t.Fatal(err)
				}
			}
			wallets := openAlarmsOfKind(t, store, KindWalletAnomaly)
			if len(wallets) != 2 {
				t.Fatalf("wallet alarms = %+v, want accounts 2 and 3", wallets)
			}
			byMsg := map[string]alarms.Alarm{}
			for _, a := range wallets {
				byMsg[a.Subject] = a
				if a.Count != 2 || strings.Contains(a.Message, "20240002") || strings.Contains(a.Key, "20240002") {
					t.Errorf("alarm %+v: want counted twice, no student number in key or message", a)
				}
			}
			if a := byMsg["acc_35001_****0002"]; !strings.Contains(a.Message, "holds balance 1600 fen, the events fold to 1500") {
				t.Errorf("snapshot alarm = %+v", a)
			}
			if a := byMsg["acc_35001_****0003"]; !strings.Contains(a.Message, "postings of event 2 sum to 1 fen") {
				t.Errorf("posting alarm = %+v", a)
			}
			ledgers := openAlarmsOfKind(t, store, KindLedgerImbalance)
			if len(ledgers) != 1 || ledgers[0].SchoolID != "35001" || !strings.Contains(ledgers[0].Message, "sums to 1 fen") {
				t.Fatalf("ledger alarms = %+v, want school 35001 off by 1 fen", ledgers)
			}
			for k, n := range sent.n {
				if n != 1 {
					t.Errorf("alarm %s delivered %d times, want once", k, n)
				}
			}
			if len(sent.n) != 3 {
				t.Errorf("delivered %d alarms, want 3", len(sent.n))
			}

			// Repaired: the alarms clear.
			if _, err := j.raw.ExecContext(ctx, strings.Replace(j.corruptPosting, "+ 1", "- 1", 1), "acc_35001_20240003", 2); err != nil {
				t.Fatal(err)
			}
			good, _ := codec.EncodeState(func() account.State {
				s := healthy
				s.AccountID, s.StudentNo = "acc_35001_20240002", "0002"
				return s
			}())
			if _, err := j.raw.ExecContext(ctx, `UPDATE snapshots SET data = $1 WHERE account = $2 AND seq = 3`,
				good, "acc_35001_20240002"); err != nil {
				t.Fatal(err)
			}
			if err := aud.Pass(ctx); err != nil {
				t.Fatal(err)
			}
			if got := append(openAlarmsOfKind(t, store, KindWalletAnomaly), openAlarmsOfKind(t, store, KindLedgerImbalance)...); len(got) != 0 {
				t.Fatalf("after repair: open alarms %+v", got)
			}
		})
	}
}
