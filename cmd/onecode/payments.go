package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/payments"
)

// setupPayments builds the recharge component over the payments section: each
// school's merchant (WeChat Pay direct or as sub-merchant of OneCode's service
// provider, or Alipay), validated and with every merchant's keys read now, so that
// a bad entry (an unknown merchant, a school twice, a missing sub_mchid or token
// file, keys of another merchant) stops the start with a message naming it.
// Notifications go to <public_url>/pay/notify/{merchant key}, where that merchant's
// adapter verifies them. extra are factories added or replaced (tests).
func setupPayments(ctx context.Context, rs *rechargeSetup, cfg Config, extra map[string]payments.Factory,
	deps gateway.Deps, httpAddr string, logger *slog.Logger) (*rechargeSetup, error) {
	reg, err := buildPayments(cfg, extra, logger)
	if err != nil {
		return nil, err
	}
	public := cfg.Aggregator.PublicURL
	if public == "" {
		public = "http://" + httpAddr
	}
	rcfg := recharge.Config{Providers: reg, NotifyURL: public + "/aggregator/notify",
		MerchantNotifyURL: public + gateway.PayNotifyPath, WeChatAppID: cmp.Or(cfg.Payments.WeChatAppID, cfg.Push.WeChat.AppID)}
	if err := finishRecharges(ctx, rs, cfg, rcfg, nil, deps, logger); err != nil {
		return nil, err
	}
	logger.Info("payments: merchants per school", slog.Int("merchants", len(cfg.Payments.Merchants)),
		slog.Int("schools", len(cfg.Payments.Schools)), slog.String("default", cfg.Payments.Default))
	return rs, nil
}

// buildPayments validates the payments section and builds its registry.
func buildPayments(cfg Config, extra map[string]payments.Factory, logger *slog.Logger) (*payments.Registry, error) {
	opts := payments.AdapterOptions{CallTimeout: cfg.Aggregator.CallTimeout,
		OnBreaker: func(merchant, op, from, to string) {
			logger.Warn("payment breaker", slog.String("merchant", merchant), slog.String("operation", op),
				slog.String("from", from), slog.String("to", to))
		}}
	f := map[string]payments.Factory{payments.WeChatPay: payments.WeChatFactory(opts), payments.Alipay: payments.AlipayFactory(opts)}
	for k, v := range extra {
		f[k] = v
	}
	reg, err := payments.Build(cfg.Payments, f)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return reg, nil
}
