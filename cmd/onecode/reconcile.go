package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/pgorders"
	"github.com/onecode/onecode/persistence/orders/sqliteorders"
)

// runReconcile is "onecode reconcile --day YYYY-MM-DD [--school ID]": each merchant's
// statement of that China day (of the school's merchant, or of every configured
// school's) against our credited orders and succeeded refunds. It prints the
// differences and exits 1 when there are any, 2 on a usage or setup error.
func runReconcile(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", os.Getenv("ONECODE_CONFIG"), "YAML config file with the payments section (env ONECODE_CONFIG)")
	dataDir := fs.String("data-dir", "", "the switch's data dir (embedded SQLite orders); default from the config")
	dsn := fs.String("postgres-dsn", os.Getenv("ONECODE_POSTGRES_DSN"), "PostgreSQL DSN of the orders (env ONECODE_POSTGRES_DSN)")
	day := fs.String("day", "", "the China day, YYYY-MM-DD (required)")
	school := fs.String("school", "", "only this school's merchant")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg := DefaultConfig()
	if *configPath != "" {
		if err := LoadConfigFile(&cfg, *configPath); err != nil {
			fmt.Fprintln(stderr, "onecode reconcile:", err)
			return 2
		}
	}
	overlay(&cfg.Server.DataDir, *dataDir)
	overlay(&cfg.Server.PostgresDSN, *dsn)
	if _, _, err := recharge.ChinaDay(*day); err != nil {
		fmt.Fprintln(stderr, "onecode reconcile: --day:", err)
		return 2
	}
	diffs, err := reconcileDay(context.Background(), cfg, *day, *school, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "onecode reconcile:", err)
		return 2
	}
	if diffs > 0 {
		return 1
	}
	return 0
}

// reconcileDay reconciles each merchant once and prints its report; it answers the
// number of differences.
func reconcileDay(ctx context.Context, cfg Config, day, school string, out io.Writer) (int, error) {
	if len(cfg.Payments.Merchants) == 0 {
		return 0, errors.New("no payments section in the config: nothing to reconcile")
	}
	reg, err := buildPayments(cfg, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		return 0, err
	}
	var store interface {
		orders.Settlements
		Close() error
	}
	if cfg.Server.PostgresDSN != "" {
		store, err = pgorders.Open(ctx, cfg.Server.PostgresDSN, pgorders.Options{})
	} else {
		store, err = sqliteorders.Open(ctx, filepath.Join(cfg.Server.DataDir, "onecode.db"), sqliteorders.Options{})
	}
	if err != nil {
		return 0, fmt.Errorf("orders store: %w", err)
	}
	defer store.Close()
	schools := []string{school}
	if school == "" {
		schools = schools[:0]
		for _, s := range cfg.Payments.Schools {
			schools = append(schools, s.School)
		}
		sort.Strings(schools)
	}
	seen, total := map[string]bool{}, 0
	for _, s := range schools {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		r, err := recharge.ReconcileMerchant(ctx, reg, store, day, s)
		cancel()
		if errors.Is(err, recharge.ErrNoStatements) {
			fmt.Fprintf(out, "%s school %s: its merchant serves no statement yet (not reconciled)\n", day, s)
			continue
		}
		if err != nil {
			return total, fmt.Errorf("school %s: %w", s, err)
		}
		if seen[r.MerchantKey] {
			continue
		}
		seen[r.MerchantKey] = true
		fmt.Fprintf(out, "%s merchant %s: statement %d lines, ours %d orders %d refunds, %d differences\n",
			day, r.MerchantKey, r.Lines, r.Orders, r.Refunds, len(r.Differences))
		for _, d := range r.Differences {
			fmt.Fprintln(out, "  "+d.String())
		}
		total += len(r.Differences)
	}
	return total, nil
}
