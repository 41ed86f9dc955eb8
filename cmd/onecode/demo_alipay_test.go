package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestSeedDemoAlipaySchool: the demo seeds school 35002 once (a second seed writes
// nothing), and its recharges go to the demo's Alipay sandbox while 35001 stays on
// the WeChat Pay sandbox.
func TestSeedDemoAlipaySchool(t *testing.T) {
	ctx := context.Background()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	sw := switchtest.New(t, switchtest.Options{Name: "demo-alipay", Logger: discard})
	deps := sw.Deps()
	deps.IDHashKey = bytes.Repeat([]byte{1}, 32)
	admin := gateway.NewAdminService(deps)
	for i := range 2 {
		if err := seedDemoAlipaySchool(ctx, admin, deps.Now()); err != nil {
			t.Fatalf("seed %d: %v", i+1, err)
		}
	}
	acc := gateway.AccountID(demoAlipaySchoolID, demoAlipayPupils[0].GetStudentNo())
	if a, err := admin.GetAccount(ctx, &apiv1.GetAccountRequest{AccountId: acc}); err != nil || a.GetSchoolId() != demoAlipaySchoolID {
		t.Fatalf("seeded account: %v %v", a, err)
	}

	cfg := DefaultConfig()
	cfg.Server.DataDir = t.TempDir()
	cfg.Aggregator.SandboxAddr, cfg.Aggregator.AlipaySandboxAddr = "127.0.0.1:0", "127.0.0.1:0"
	rs, err := setupRecharges(ctx, cfg, true, deps, "127.0.0.1:1", discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.Close)
	if rs.alipaySandboxAt == "" || rs.sandboxAt == "" {
		t.Fatalf("sandboxes: wechat %q alipay %q", rs.sandboxAt, rs.alipaySandboxAt)
	}
	ps := rs.recharges.App().Providers()
	ali, err := ps.For(demoAlipaySchoolID)
	if err != nil || ps.MerchantKey(ali) != demoAlipayMerchant {
		t.Fatalf("35002's merchant: %v %v", ali, err)
	}
	if wx, err := ps.For(demoSchoolID); err != nil || ps.MerchantKey(wx) != recharge.SingleKey {
		t.Fatalf("35001's merchant: %v %v", wx, err)
	}
	if _, err := sw.Directory.PutParent(ctx, directory.Parent{ID: "par_1", PhoneHash: make([]byte, directory.PhoneHashLen),
		PhoneMasked: "138****0000"}); err != nil {
		t.Fatal(err)
	}
	if err := sw.Directory.Bind(ctx, directory.Guardianship{ParentID: "par_1", AccountID: acc, Relation: "mother"}); err != nil {
		t.Fatal(err)
	}
	r, err := rs.recharges.App().CreateFor(ctx, "par_1", acc, 5000, "demo-ali-1",
		recharge.Payer{Channel: recharge.ChannelH5, ClientIP: "127.0.0.1"})
	if err != nil || !strings.HasPrefix(r.PayURL, rs.alipaySandboxAt) {
		t.Fatalf("a 35002 recharge: %+v %v; want paid at %s", r, err, rs.alipaySandboxAt)
	}
}
