package actors

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/pgdirectory"
	"github.com/onecode/onecode/persistence/pgtest"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

func TestMaskName(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"张小明", "张*明"},
		{"欧阳小明", "欧*明"},
		{"张三", "张*"},
		{"张", "*"},
		{"", ""},
		{"Li Lei", "L*i"},
	} {
		if got := MaskName(tc.name); got != tc.want {
			t.Errorf("MaskName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestTerminalSeqs(t *testing.T) {
	var none *TerminalSeqs
	none.Note("T1", 5)
	if got := none.Last("T1"); got != 0 {
		t.Fatalf("nil record: got %d, want 0", got)
	}
	s := NewTerminalSeqs()
	for _, seq := range []uint64{3, 9, 4} {
		s.Note("T1", seq)
	}
	if got, want := s.Last("T1"), uint64(9); got != want {
		t.Fatalf("got %d, want %d", got, want)
	}
	if got := s.Last("T2"); got != 0 {
		t.Fatalf("unknown terminal: got %d, want 0", got)
	}
}

func TestRecentPaysBounded(t *testing.T) {
	s := newTerminalSession(&TerminalSessionDeps{}, TerminalIdentity{TerminalID: "T1"})
	for seq := uint64(1); seq <= 3*recentPays; seq++ {
		s.rememberPay(seq, fmt.Sprintf("acc-%d", seq))
	}
	if len(s.pays) != recentPays || len(s.payOrder) != recentPays {
		t.Fatalf("remembers %d/%d pays, want %d", len(s.pays), len(s.payOrder), recentPays)
	}
	if _, ok := s.pays[2*recentPays]; ok {
		t.Fatal("an old pay is still remembered")
	}
	if got := s.pays[3*recentPays]; got != fmt.Sprintf("acc-%d", 3*recentPays) {
		t.Fatalf("last pay maps to %q", got)
	}
}

// sessionWithCatalog is a session of terminal T1 (canteen C1) over a real directory.
func sessionWithCatalog(t *testing.T) (*terminalSession, directory.Store) {
	t.Helper()
	ctx := context.Background()
	dir, err := pgdirectory.Open(ctx, pgtest.DSN(t), pgdirectory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	if err := dir.PutSchool(ctx, directory.School{ID: "35001", Name: "s", SingleRechargeMax: 100, BalanceCap: 200, DailySpendCap: 50}); err != nil {
		t.Fatal(err)
	}
	if err := dir.PutCanteen(ctx, directory.Canteen{SchoolID: "35001", ID: "C1", Name: "一食堂"}); err != nil {
		t.Fatal(err)
	}
	for i := range MaxCartLines + 1 {
		if _, err := dir.PutDish(ctx, directory.Dish{CanteenID: "C1", Barcode: fmt.Sprintf("D%03d", i), Name: "菜", PriceFen: 100, Active: i != MaxCartLines}); err != nil {
			t.Fatal(err)
		}
	}
	deps := &TerminalSessionDeps{Directory: dir, Now: time.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		CallTimeout: 5 * time.Second, PayTimeout: 5 * time.Second}
	return newTerminalSession(deps, TerminalIdentity{TerminalID: "T1", SchoolID: "35001", CanteenID: "C1", CatalogVersion: MaxCartLines + 1}), dir
}

func scanReq(barcode string, qty int32) *apiv1.SessionRequest {
	return &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_ScanDish{ScanDish: &apiv1.ScanDish{Barcode: barcode, Qty: qty}}}
}

func TestSessionCartBounds(t *testing.T) {
	s, _ := sessionWithCatalog(t)
	ctx := context.Background()
	cartOf := func(req *apiv1.SessionRequest) *apiv1.Cart {
		t.Helper()
		out := s.handle(ctx, req)
		if len(out) != 1 || out[0].GetCart() == nil {
			t.Fatalf("%v: got %v, want one cart", req, out)
		}
		return out[0].GetCart()
	}
	for _, tc := range []struct {
		barcode string
		qty     int32
		reason  reason.Code
	}{
		{"D000", -1, reason.InvalidQty},
		{"D000", MaxLineQty + 1, reason.InvalidQty},
		{"", 1, reason.UnknownDish},
		{"bad\nbarcode", 1, reason.UnknownDish},
		{fmt.Sprintf("D%03d", MaxCartLines), 1, reason.DishWithdrawn},
	} {
		if c := cartOf(scanReq(tc.barcode, tc.qty)); reason.Code(c.GetReason()) != tc.reason || len(c.GetLines()) != 0 {
			t.Errorf("scan %q x%d: got %v, want rejected %s", tc.barcode, tc.qty, c, tc.reason)
		}
	}
	cartOf(scanReq("D000", MaxLineQty))
	if c := cartOf(scanReq("D000", 1)); reason.Code(c.GetReason()) != reason.InvalidQty || c.GetLines()[0].GetQty() != MaxLineQty {
		t.Errorf("line above the quantity bound: %v", c)
	}
	for i := 1; i < MaxCartLines; i++ {
		cartOf(scanReq(fmt.Sprintf("D%03d", i), 0))
	}
	c := cartOf(scanReq("D000", -5))
	if len(c.GetLines()) != MaxCartLines || c.GetTotalFen() != int64(100*(MaxLineQty+MaxCartLines-1)) {
		t.Fatalf("full cart: %d lines, total %d", len(c.GetLines()), c.GetTotalFen())
	}
	if c := cartOf(&apiv1.SessionRequest{Msg: &apiv1.SessionRequest_ClearCart{ClearCart: &apiv1.ClearCart{}}}); len(c.GetLines()) != 0 || c.GetTotalFen() != 0 {
		t.Fatalf("cleared cart: %v", c)
	}
}

func TestSessionRefusesWithoutTouchingAccounts(t *testing.T) {
	s, dir := sessionWithCatalog(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		req    *apiv1.SessionRequest
		reason reason.Code
	}{
		{"hello again", &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_Hello{Hello: &apiv1.Hello{}}}, reason.UnexpectedMessage},
		{"empty request", &apiv1.SessionRequest{}, reason.UnexpectedMessage},
		{"pay seq 0", &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_Pay{Pay: &apiv1.Pay{}}}, reason.InvalidSeq},
		{"void seq 0", &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_VoidSale{VoidSale: &apiv1.VoidSale{PaySeq: 1}}}, reason.InvalidSeq},
	} {
		out := s.safeHandle(ctx, tc.req)
		if len(out) != 1 || reason.Code(out[0].GetError().GetReason()) != tc.reason {
			t.Errorf("%s: got %v, want SessionError %s", tc.name, out, tc.reason)
		}
	}
	// A request whose handling panics (here: no directory) is still answered.
	broken := newTerminalSession(&TerminalSessionDeps{Logger: s.deps.Logger, CallTimeout: time.Second}, s.id)
	if out := broken.safeHandle(ctx, scanReq("D000", 1)); len(out) != 1 || reason.Code(out[0].GetError().GetReason()) != reason.Internal {
		t.Errorf("panic: got %v, want SessionError %s", out, reason.Internal)
	}
	out := s.handle(ctx, &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_Pay{Pay: &apiv1.Pay{Seq: 2, Override: true}}})
	if r := out[0].GetPayResult(); reason.Code(r.GetReason()) != reason.OverrideNotAllowed || r.GetSeq() != 2 {
		t.Errorf("override without permission: %v", out)
	}
	out = s.handle(ctx, &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_VoidSale{VoidSale: &apiv1.VoidSale{Seq: 3, PaySeq: 1}}})
	if r := out[0].GetVoidResult(); r.GetVoided() || reason.Code(r.GetReason()) != reason.UnknownSale || r.GetSeq() != 3 {
		t.Errorf("void of an unknown sale: %v", out)
	}

	// Heartbeats push a catalog change once, before the ack.
	hb := &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_Heartbeat{Heartbeat: &apiv1.Heartbeat{}}}
	if out := s.handle(ctx, hb); len(out) != 1 || out[0].GetHeartbeatAck().GetCatalogVersion() != MaxCartLines+1 {
		t.Fatalf("heartbeat without change: %v", out)
	}
	if _, err := dir.PutDish(ctx, directory.Dish{CanteenID: "C1", Barcode: "D000", Name: "菜", PriceFen: 120, Active: true}); err != nil {
		t.Fatal(err)
	}
	out = s.handle(ctx, hb)
	if len(out) != 2 || out[0].GetPush().GetCatalogChanged().GetCatalogVersion() != MaxCartLines+2 || out[1].GetHeartbeatAck().GetCatalogVersion() != MaxCartLines+2 {
		t.Fatalf("heartbeat after a change: %v", out)
	}
	if out := s.handle(ctx, hb); len(out) != 1 {
		t.Fatalf("the change was pushed twice: %v", out)
	}
}
