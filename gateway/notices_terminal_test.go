package gateway

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestArrearsNoticeOnOutboxThroughTerminal (issue 12, the new outbox path): two
// override sales on credit at a real terminal stream queue one arrears notice
// each (masked name, the canteen's name); the first goes out; voiding both
// leaves the sent one as it is and withdraws the unsent one.
func TestArrearsNoticeOnOutboxThroughTerminal(t *testing.T) {
	box, err := sqliteoutbox.Open(context.Background(), filepath.Join(t.TempDir(), "outbox.db"), sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	e := newTerminalEnvWith(t, box)
	ctx := tctx(t)
	s := e.dial(t, "T1", secretT1)
	// The balance is 5000: 6250 goes on credit (-1250), then 100 more (-1350).
	r, err := s.Pay(ctx, &apiv1.Pay{Seq: 1, CardQr: e.qr, Lines: lines("6901", 5), ExpectedTotalFen: 6250, Override: true, Operator: "王阿姨"})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 1, Outcome: approved, AmountFen: 6250, BalanceAfterFen: -1250, Arrears: true, MaskedName: "张*明"})
	r, err = s.Pay(ctx, &apiv1.Pay{Seq: 2, CardQr: e.qr, Lines: lines("6902", 1), ExpectedTotalFen: 100, Override: true, Operator: "王阿姨"})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 2, Outcome: approved, AmountFen: 100, BalanceAfterFen: -1350, Arrears: true, MaskedName: "张*明"})

	first, err := box.Claim(ctx, 1, time.Minute) // the sender takes the first one and it goes out
	if err != nil || len(first) != 1 || first[0].Kind != "arrears" || first[0].Recipient != tAccount ||
		!strings.Contains(string(first[0].Payload), "张*明") || !strings.Contains(string(first[0].Payload), "一食堂") ||
		!strings.Contains(string(first[0].Payload), "62.50") || strings.Contains(string(first[0].Payload), tName) {
		t.Fatalf("claimed %+v %v, want the first arrears notice", first, err)
	}
	if err := box.MarkSent(ctx, first[0].ID); err != nil {
		t.Fatal(err)
	}
	for i, pay := range []uint64{1, 2} {
		v, err := s.Void(ctx, uint64(3+i), pay)
		if err != nil || !v.GetVoided() {
			t.Fatalf("void of %d: %v %v", pay, v, err)
		}
	}
	ns, err := box.List(ctx, tSchool, 0, 10)
	if err != nil || len(ns) != 2 {
		t.Fatalf("notices %+v %v, want 2", ns, err)
	}
	got := map[string]outbox.State{}
	for _, n := range ns {
		got[n.Key] = n.State
	}
	if got["arrears:"+tAccount+":T1:1"] != outbox.Sent || got["arrears:"+tAccount+":T1:2"] != outbox.Withdrawn {
		t.Fatalf("states %v, want T1:1 sent (too late to withdraw) and T1:2 withdrawn", got)
	}
}
