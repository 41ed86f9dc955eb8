package gateway

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/ops"
	"github.com/onecode/onecode/persistence/alarms/sqlitealarms"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	"github.com/onecode/onecode/terminalclient"
)

// TestTerminalEdgeTellsOperators: the terminal edge reports sessions (online,
// version, last sign of life), first answers to pays and failed handshakes to the
// operators' board; a bad MAC storm becomes one illegal-access alarm.
func TestTerminalEdgeTellsOperators(t *testing.T) {
	e := newTerminalEnv(t)
	ctx := tctx(t)

	s := e.dial(t, "T1", secretT1)
	r, err := s.Pay(ctx, &apiv1.Pay{Seq: 1, CardQr: e.qr, Lines: lines("6901", 1), ExpectedTotalFen: 1250})
	if err != nil || r.GetOutcome() != apiv1.PayResult_OUTCOME_APPROVED {
		t.Fatalf("pay: %v, %v", r, err)
	}
	if _, err := s.Pay(ctx, &apiv1.Pay{Seq: 1, CardQr: e.qr, Lines: lines("6901", 1), ExpectedTotalFen: 1250}); err != nil {
		t.Fatal(err) // a replay: not a second sale
	}
	other := e.dial(t, "T9", secretT9)
	for seq := range uint64(5) { // a card of school 35001 at school 35002's T9, five times: illegal access
		if _, err := other.Pay(ctx, &apiv1.Pay{Seq: seq + 1, CardQr: e.qr, Lines: lines("6901", 1), ExpectedTotalFen: 1250}); err != nil {
			t.Fatal(err)
		}
	}
	byID := map[string]ops.TerminalFigures{}
	for _, f := range e.board.Terminals("") {
		byID[f.TerminalID] = f
	}
	t1, t9 := byID["T1"], byID["T9"]
	if !t1.Online || t1.SchoolID != tSchool || t1.Software == "" || t1.SalesToday != 1 || t1.SalesFenToday != 1250 || t1.LastSeen.IsZero() {
		t.Errorf("T1 on the board = %+v", t1)
	}
	if t9.SalesToday != 0 || t9.DeclinesToday["WRONG_SCHOOL"] != 5 {
		t.Errorf("T9 on the board = %+v", t9)
	}

	for range 6 { // a bad MAC storm on T1
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if _, err := terminalclient.Dial(dctx, e.addr, "T1", secretT3); err == nil {
			t.Fatal("bad MAC accepted")
		}
		cancel()
	}
	store, err := sqlitealarms.Open(ctx, filepath.Join(t.TempDir(), "alarms.db"), sqlitealarms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	al := ops.NewAlarms(store, nil, time.Now, nil)
	w, err := ops.NewWatcher(ops.WatchConfig{Alarms: al, Member: "m1", Board: e.board, Access: e.access, IllegalPerMin: 5})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := w.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	operator := access.ContextWithPrincipal(ctx, access.Principal{Kind: access.KindOperator})
	list, _, err := al.List(operator, true, 10, "")
	bySubject := map[string]ops.Alarm{}
	for _, a := range list {
		bySubject[a.Subject] = a
	}
	if a := bySubject["T1"]; err != nil || len(list) != 2 || a.Kind != ops.KindIllegalAccess || a.SchoolID != tSchool || a.Count != 2 {
		t.Fatalf("alarms after a bad MAC storm = %+v, %v; want one illegal-access alarm for T1", list, err)
	}
	if a := bySubject["T9/wrong-school"]; a.Kind != ops.KindIllegalAccess || a.SchoolID == tSchool || a.SchoolID == "" {
		t.Fatalf("alarms after other school's cards at T9 = %+v; want one illegal-access alarm of T9's school", list)
	}

	s.Close() // the session ends: T1 goes offline on the board
	deadline := time.Now().Add(10 * time.Second)
	for {
		if f := e.board.Terminals(tSchool); len(f) == 1 && !f[0].Online {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("T1 still online on the board after its session closed: %+v", e.board.Terminals(tSchool))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
