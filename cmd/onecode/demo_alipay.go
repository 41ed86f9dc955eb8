package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/alipay"
	alisandbox "github.com/onecode/onecode/gateway/alipay/sandbox"
	"github.com/onecode/onecode/gateway/payments"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// The demo's second school, whose merchant is the Alipay sandbox, so that both
// providers can be tried by hand.
const (
	demoAlipaySchoolID = "35002"
	demoAlipayMerchant = "alipay-demo"
	demoAlipayAppID    = "2021000000000001"
)

var demoAlipaySchool = &apiv1.School{
	Id: demoAlipaySchoolID, Name: "OneCode Demo School (Alipay)",
	SingleRechargeMaxFen: 100_000, BalanceCapFen: 200_000, DailySpendCapFen: 10_000, ArrearsCapFen: 3_000,
	VoidWindowSeconds: 600,
}

var demoAlipayPupils = []*apiv1.PupilRow{
	{StudentNo: "2024000301", Name: "周若曦", ClassId: "1-1", IdNumber: "350102201806110428"},
	{StudentNo: "2024000302", Name: "吴俊杰", ClassId: "1-1", IdNumber: "350102201803050319"},
}

// The ID numbers are made up (valid check characters, no real person), so that a
// parent can bind by hand.

// demoProviders: school 35002 pays through the Alipay registry, every other school
// through today's single WeChat Pay merchant.
type demoProviders struct {
	wechat recharge.Providers
	alipay *payments.Registry
}

func (d demoProviders) For(school string) (recharge.Provider, error) {
	if school == demoAlipaySchoolID {
		return d.alipay.For(school)
	}
	return d.wechat.For(school)
}

func (d demoProviders) ByKey(key string) (recharge.Provider, error) {
	if p, err := d.alipay.ByKey(key); err == nil {
		return p, nil
	}
	return d.wechat.ByKey(key)
}

func (d demoProviders) MerchantKey(p recharge.Provider) string {
	if k := d.alipay.MerchantKey(p); k != "" {
		return k
	}
	return d.wechat.MerchantKey(p)
}

// startDemoAlipay serves the Alipay sandbox on aggregator.alipay_sandbox_addr (keys
// made on first start under <data>/alipay-keys, public-key mode) and answers the
// Providers of the demo: 35002 on Alipay, the others on wechat.
func startDemoAlipay(rs *rechargeSetup, cfg Config, wechat recharge.Providers, logger *slog.Logger) (recharge.Providers, error) {
	dir := filepath.Join(cfg.Server.DataDir, "alipay-keys")
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		ks, err := alipay.GenerateKeySet(rand.Reader, demoAlipayAppID)
		if err != nil {
			return nil, err
		}
		if err := ks.Write(dir, false); err != nil {
			return nil, err
		}
	}
	sbCfg, err := alisandbox.LoadConfig(dir)
	if err != nil {
		return nil, fmt.Errorf("alipay sandbox keys: %w", err)
	}
	sbCfg.Logger = logger.With(slog.String("component", "sandbox-alipay"))
	sb, err := alisandbox.New(sbCfg)
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", cfg.Aggregator.AlipaySandboxAddr)
	if err != nil {
		sb.Close()
		return nil, fmt.Errorf("alipay sandbox listen: %w", err)
	}
	rs.alipaySandbox = &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go rs.alipaySandbox.Serve(lis)
	rs.alipaySandboxAt = "http://" + lis.Addr().String()
	logger.Info("demo: sandbox Alipay", slog.String("url", rs.alipaySandboxAt), slog.String("school", demoAlipaySchoolID))
	reg, err := buildPayments(Config{Aggregator: cfg.Aggregator, Payments: payments.Config{
		Merchants: []payments.Merchant{{Key: demoAlipayMerchant, Provider: payments.Alipay, URL: rs.alipaySandboxAt + "/gateway.do",
			KeysDir: dir, AppID: demoAlipayAppID}},
		Schools: []payments.School{{School: demoAlipaySchoolID, Merchant: demoAlipayMerchant}},
	}}, nil, logger)
	if err != nil {
		return nil, err
	}
	return demoProviders{wechat: wechat, alipay: reg}, nil
}

// seedDemoAlipaySchool seeds school 35002 (a class, two pupils with open accounts)
// through the AdminService; once seeded it writes nothing.
func seedDemoAlipaySchool(ctx context.Context, admin apiv1.AdminServiceServer, now time.Time) error {
	sample := gateway.AccountID(demoAlipaySchoolID, demoAlipayPupils[0].GetStudentNo())
	_, err := admin.GetAccount(ctx, &apiv1.GetAccountRequest{AccountId: sample})
	switch status.Code(err) {
	case codes.OK:
		return nil
	case codes.NotFound:
	default:
		return fmt.Errorf("demo: is 35002 seeded? %w", err)
	}
	if _, err := admin.PutSchool(ctx, &apiv1.PutSchoolRequest{School: demoAlipaySchool}); err != nil {
		return fmt.Errorf("demo school 35002: %w", err)
	}
	class := &apiv1.Class{SchoolId: demoAlipaySchoolID, Id: "1-1", Name: "一年级1班 (1-1)", Grade: 1}
	if _, err := admin.PutClass(ctx, &apiv1.PutClassRequest{Class: class}); err != nil {
		return fmt.Errorf("demo class 35002/1-1: %w", err)
	}
	expiry := time.Date(now.Year()+1, time.August, 31, 0, 0, 0, 0, time.UTC).Format("20060102")
	imp, err := admin.ImportPupils(ctx, &apiv1.ImportPupilsRequest{SchoolId: demoAlipaySchoolID, Pupils: demoAlipayPupils, CardExpiry: expiry})
	if err != nil {
		return fmt.Errorf("demo pupils 35002: %w", err)
	}
	if len(imp.GetErrors()) > 0 {
		return fmt.Errorf("demo pupils 35002: row %d: %s", imp.GetErrors()[0].GetRow(), imp.GetErrors()[0].GetReason())
	}
	return nil
}
