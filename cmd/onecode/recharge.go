package main

import (
	"cmp"
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

	"github.com/onecode/onecode/app/fees"
	"github.com/onecode/onecode/app/recharge"

	"github.com/sony/gobreaker/v2"

	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/aggregator/sandbox"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/pgorders"
	"github.com/onecode/onecode/persistence/orders/sqliteorders"
)

// rechargeSetup is the online recharge path: the orders store, the aggregator client
// and, in demo mode, an in-process sandbox aggregator.
type rechargeSetup struct {
	recharges *gateway.Recharges
	orders    orders.Store
	sandbox   *http.Server
	sandboxAt string
	// alipaySandbox serves the demo's Alipay sandbox (school 35002's merchant).
	alipaySandbox   *http.Server
	alipaySandboxAt string
	// client is the aggregator client (nil without recharges): its breakers' states.
	client *aggregator.Client
}

func (r *rechargeSetup) Close() {
	if r.sandbox != nil {
		r.sandbox.Close()
	}
	if r.alipaySandbox != nil {
		r.alipaySandbox.Close()
	}
	if r.orders != nil {
		r.orders.Close()
	}
}

// setupRecharges builds the recharge component when an aggregator is configured
// (--aggregator-url and --aggregator-keys), or with a sandbox aggregator in demo mode.
// Without either, recharges answer "temporarily unavailable" and nothing else changes.
func setupRecharges(ctx context.Context, cfg Config, demo bool, deps gateway.Deps, httpAddr string, logger *slog.Logger) (*rechargeSetup, error) {
	rs := &rechargeSetup{}
	if len(cfg.Payments.Merchants) > 0 {
		return setupPayments(ctx, rs, cfg, nil, deps, httpAddr, logger)
	}
	agg := cfg.Aggregator
	if agg.URL == "" && !demo {
		return rs, nil
	}
	if agg.URL == "" {
		// Demo: a sandbox WeChat Pay in this process, with keys made on first start.
		dir := filepath.Join(cfg.Server.DataDir, "wechatpay-keys")
		if err := startDemoSandbox(rs, cfg, dir, logger); err != nil {
			return nil, err
		}
		agg.URL, agg.KeysDir = rs.sandboxAt, dir
	}
	client, err := newAggregatorClient(agg, logger)
	if err != nil {
		return nil, err
	}
	rs.client = client
	merchant, err := aggregator.LoadMerchant(agg.KeysDir)
	if err != nil {
		return nil, fmt.Errorf("aggregator merchant: %w", err)
	}
	// Orders carry the payer's full IPv4 or IPv6 address (kept on the order,
	// migration 0003); the loopback address stands in only for an order without
	// one (written before 0003, or a caller whose address the edge did not know).
	port, err := aggregator.NewRechargePort(client, merchant, "127.0.0.1")
	if err != nil {
		return nil, err
	}
	public := agg.PublicURL
	if public == "" {
		public = "http://" + httpAddr
	}
	rcfg := recharge.Config{
		// Today's one merchant for every school (per-school merchants: the payments section).
		Providers: recharge.Single(port),
		NotifyURL: public + "/aggregator/notify",
		// Payment and refund notices of new orders come to /pay/notify/default, which
		// also settles refunds; /aggregator/notify stays for orders placed before.
		MerchantNotifyURL: public + gateway.PayNotifyPath,
		// The official account parents link (push.wechat.app_id; without one, the
		// one merchant's appid): JSAPI pays with the openid linked under it.
		WeChatAppID: cmp.Or(cfg.Push.WeChat.AppID, merchant.AppID),
	}
	if rs.sandbox != nil && cfg.Aggregator.AlipaySandboxAddr != "" {
		// Demo: school 35002 pays through an Alipay sandbox too.
		if rcfg.Providers, err = startDemoAlipay(rs, cfg, rcfg.Providers, logger); err != nil {
			rs.Close()
			return nil, err
		}
	}
	if err := finishRecharges(ctx, rs, cfg, rcfg, client.Verifier(), deps, logger); err != nil {
		return nil, err
	}
	return rs, nil
}

// startDemoSandbox serves the demo's sandbox WeChat Pay (keys in dir, made on
// first start) at cfg.Aggregator.SandboxAddr; rs.sandboxAt is its URL.
func startDemoSandbox(rs *rechargeSetup, cfg Config, dir string, logger *slog.Logger) error {
	if _, statErr := os.Stat(dir); errors.Is(statErr, fs.ErrNotExist) {
		set, err := aggregator.GenerateKeySet(rand.Reader, "1900000001", "wx8888888888888888")
		if err != nil {
			return err
		}
		if err := set.Write(dir); err != nil {
			return err
		}
	}
	sbKeys, err := sandbox.LoadKeys(dir)
	if err != nil {
		return fmt.Errorf("sandbox keys: %w", err)
	}
	sb, err := sandbox.New(sandbox.Config{Keys: sbKeys, Logger: logger.With(slog.String("component", "sandbox-aggregator"))})
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", cfg.Aggregator.SandboxAddr)
	if err != nil {
		return fmt.Errorf("sandbox aggregator listen: %w", err)
	}
	rs.sandbox = &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go rs.sandbox.Serve(lis)
	rs.sandboxAt = "http://" + lis.Addr().String()
	logger.Info("demo: sandbox payment aggregator", slog.String("url", rs.sandboxAt))
	return nil
}

// newAggregatorClient is the one merchant's client, its keys in agg.KeysDir;
// breaker changes are logged.
func newAggregatorClient(agg AggregatorConfig, logger *slog.Logger) (*aggregator.Client, error) {
	keys, err := aggregator.LoadKeys(agg.KeysDir)
	if err != nil {
		return nil, fmt.Errorf("aggregator keys: %w", err)
	}
	return aggregator.NewClient(aggregator.Config{
		BaseURL: agg.URL, Keys: keys, CallTimeout: agg.CallTimeout,
		Breaker: aggregator.DefaultBreakerSettings(),
		OnStateChange: func(op aggregator.Operation, from, to gobreaker.State) {
			logger.Warn("aggregator breaker", slog.String("operation", string(op)), slog.String("from", from.String()), slog.String("to", to.String()))
		},
	})
}

// finishRecharges opens the orders store and builds the recharge component over
// rcfg's merchants (Providers, NotifyURL, MerchantNotifyURL set by the caller).
func finishRecharges(ctx context.Context, rs *rechargeSetup, cfg Config, rcfg recharge.Config, verifier *aggregator.Verifier,
	deps gateway.Deps, logger *slog.Logger) error {
	var err error
	if dsn := cfg.Server.PostgresDSN; dsn != "" {
		rs.orders, err = pgorders.Open(ctx, dsn, pgorders.Options{MaxConns: cfg.Server.OrdersMaxConns})
	} else {
		rs.orders, err = sqliteorders.Open(ctx, filepath.Join(cfg.Server.DataDir, "onecode.db"), sqliteorders.Options{})
	}
	if err != nil {
		rs.Close()
		return fmt.Errorf("orders store: %w", err)
	}
	rcfg.Accounts, rcfg.Orders = deps.Accounts, rs.orders
	rcfg.Now, rcfg.Rand, rcfg.Logger, rcfg.OnCredited = deps.Now, deps.Rand, logger, deps.Business.NoteRechargeCredited
	if fs, ferr := deps.Fees(); ferr == nil { // bills paid online reach the fee read model
		rcfg.OnBill = fs.ProjectBill
		rcfg.OnRefundRequested = refundJournal(fs) // bill refunds in the item's journal of changes
	}
	rcfg.OnRefundSettled = deps.RefundSettled()                  // refund notices (issue 12)
	if links, ok := deps.Directory.(directory.WeChatLinks); ok { // JSAPI: the parent's linked openid
		rcfg.WeChatLinks = links
	}
	rs.recharges, err = gateway.NewRecharges(rcfg, verifier)
	if err != nil {
		rs.Close()
		return err
	}
	return nil
}

// refundJournal tells the fee journal of changes of each bill refund staff asked for.
func refundJournal(svc *fees.Service) func(ctx context.Context, r recharge.Refund) error {
	return func(ctx context.Context, r recharge.Refund) error {
		return svc.JournalRefund(ctx, fees.RefundNote{SchoolID: r.SchoolID, StaffID: r.StaffID, AccountID: r.AccountID,
			ItemID: r.ItemID, RequestID: r.RequestID, RefundNo: r.RefundNo, AmountFen: r.AmountFen, Reason: r.Reason,
			State: string(r.State)})
	}
}
