package pgorders_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/orderstest"
	"github.com/onecode/onecode/persistence/orders/pgorders"
	"github.com/onecode/onecode/persistence/pgtest"
)

func open(t testing.TB, dsn string, opts pgorders.Options) *pgorders.Store {
	t.Helper()
	s, err := pgorders.Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	orderstest.Run(t, func(t *testing.T, now func() time.Time) orders.Store {
		return open(t, pgtest.DSN(t), pgorders.Options{Now: now})
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	dsn := pgtest.DSN(t)
	for range 2 {
		_ = open(t, dsn, pgorders.Options{}).Close()
	}
}

// TestConstraints writes past the Go validation: the schema rejects the same rows on
// its own.
func TestConstraints(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	_ = open(t, dsn, pgorders.Options{}).Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	const cols = `INSERT INTO recharge_orders (order_id, request_id, parent_id, account_id, amount_fen, state, pay_url, transaction_id, created_at, expires_at, updated_at) VALUES `
	if _, err := conn.Exec(ctx, cols+`('R00000001', 'q', 'p', 'a', 100, 'pending', '', '', now(), now() + interval '15 minutes', now())`); err != nil {
		t.Fatalf("a valid row: %v", err)
	}
	for _, sql := range []string{
		cols + `('R00000002', 'q2', 'p', 'a', 0, 'pending', '', '', now(), now() + interval '1 minute', now())`,
		cols + `('R00000003', 'q3', 'p', 'a', -5, 'pending', '', '', now(), now() + interval '1 minute', now())`,
		cols + `('R00000004', 'q4', 'p', 'a', 100, 'paid', '', '', now(), now() + interval '1 minute', now())`,
		cols + `('R00000005', 'q5', 'p', 'a', 100, 'awaiting_payment', '', '', now(), now() + interval '1 minute', now())`,
		cols + `('R00000006', 'q6', 'p', 'a', 100, 'credited', 'http://x', '', now(), now() + interval '1 minute', now())`,
		cols + `('R00000007', 'q7', 'p', 'a', 100, 'pending', '', '', now(), now() - interval '1 minute', now())`,
		cols + `('R/0000008', 'q8', 'p', 'a', 100, 'pending', '', '', now(), now() + interval '1 minute', now())`,
		cols + `('R00000009', 'q', 'p', 'a', 100, 'pending', '', '', now(), now() + interval '1 minute', now())`, // same (parent, request)
		cols + `('R00000010', '', 'p', 'a', 100, 'pending', '', '', now(), now() + interval '1 minute', now())`,
		`INSERT INTO recharge_orders (order_id, request_id, parent_id, account_id, amount_fen, state, created_at, expires_at, updated_at, purpose) VALUES ('R00000012', 'q12', 'p', 'a', 100, 'pending', now(), now() + interval '1 minute', now(), 'fee')`,
		`INSERT INTO recharge_orders (order_id, request_id, parent_id, account_id, amount_fen, state, created_at, expires_at, updated_at, purpose, item_id) VALUES ('R00000013', 'q13', 'p', 'a', 100, 'pending', now(), now() + interval '1 minute', now(), 'recharge', 'fee-1')`,
		`INSERT INTO recharge_orders (order_id, request_id, parent_id, account_id, amount_fen, state, created_at, expires_at, updated_at, purpose, item_id) VALUES ('R00000014', 'q14', 'p', 'a', 100, 'pending', now(), now() + interval '1 minute', now(), 'gift', 'fee-1')`,
	} {
		_, err := conn.Exec(ctx, sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code[:2] != "23" {
			t.Errorf("%s: got %v, want a constraint violation", sql, err)
		}
	}
}

func TestRefundsConformance(t *testing.T) {
	orderstest.RunRefunds(t, func(t *testing.T, now func() time.Time) orderstest.RefundStore {
		return open(t, pgtest.DSN(t), pgorders.Options{Now: now})
	})
}
