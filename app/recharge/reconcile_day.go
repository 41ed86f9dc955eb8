package recharge

import (
	"context"
	"errors"
	"fmt"

	"github.com/onecode/onecode/persistence/orders"
)

// Statements is a Provider that serves its daily statement (WeChat Pay's tradebill,
// Alipay's trade bill): every payment and refund of a China day (YYYY-MM-DD).
type Statements interface {
	Statement(ctx context.Context, day string) ([]StatementLine, error)
}

// ErrNoStatements: the school's merchant serves no statement, or the orders store
// answers no settlements.
var ErrNoStatements = errors.New("recharge: no statement to reconcile with")

// DayReport is the reconciliation of one merchant's day.
type DayReport struct {
	Day         string
	MerchantKey string
	Lines       int // the statement's
	Orders      int // credited that day
	Refunds     int // succeeded that day
	Differences []Difference
}

// ReconcileDay downloads the statement of day from the school's merchant and
// compares it with the orders credited and refunds succeeded that day (China time)
// at that merchant. A merchant shared by several schools is reconciled whole.
func (s *Service) ReconcileDay(ctx context.Context, day, schoolID string) (DayReport, error) {
	settled, ok := s.cfg.Orders.(orders.Settlements)
	if !ok {
		return DayReport{}, ErrNoStatements
	}
	r, err := ReconcileMerchant(ctx, s.cfg.Providers, settled, day, schoolID)
	if errors.Is(err, orders.ErrInvalid) {
		return r, s.storeError("settled orders", err)
	}
	return r, err
}

// ReconcileMerchant is ReconcileDay over providers and a store (the reconcile command).
func ReconcileMerchant(ctx context.Context, providers Providers, settled orders.Settlements, day, schoolID string) (DayReport, error) {
	from, to, err := ChinaDay(day)
	if err != nil {
		return DayReport{}, err
	}
	p, err := providers.For(schoolID)
	if err != nil {
		return DayReport{}, err
	}
	st, ok := p.(Statements)
	if !ok {
		return DayReport{}, ErrNoStatements
	}
	r := DayReport{Day: day, MerchantKey: providers.MerchantKey(p)}
	lines, err := st.Statement(ctx, day)
	if err != nil {
		return r, fmt.Errorf("statement of %s: %w", day, err)
	}
	paid, refunds, err := settled.Settled(ctx, r.MerchantKey, from, to)
	if err != nil {
		return r, fmt.Errorf("settled orders: %w", err)
	}
	r.Lines, r.Orders, r.Refunds = len(lines), len(paid), len(refunds)
	r.Differences = Reconcile(lines, paid, refunds)
	return r, nil
}
