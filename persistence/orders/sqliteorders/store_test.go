package sqliteorders_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/orderstest"
	"github.com/onecode/onecode/persistence/orders/sqliteorders"
)

func open(t testing.TB, path string, opts sqliteorders.Options) *sqliteorders.Store {
	t.Helper()
	s, err := sqliteorders.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tempPath(t testing.TB) string { return filepath.Join(t.TempDir(), "onecode.db") }

func TestConformance(t *testing.T) {
	orderstest.Run(t, func(t *testing.T, now func() time.Time) orders.Store {
		return open(t, tempPath(t), sqliteorders.Options{Now: now})
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	path := tempPath(t)
	for range 2 {
		_ = open(t, path, sqliteorders.Options{}).Close()
	}
}

// TestConstraints writes past the Go validation: the schema rejects the same rows on
// its own.
func TestConstraints(t *testing.T) {
	ctx := context.Background()
	path := tempPath(t)
	_ = open(t, path, sqliteorders.Options{}).Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const cols = `INSERT INTO recharge_orders (order_id, request_id, parent_id, account_id, amount_fen, state, pay_url, transaction_id, created_at, expires_at, updated_at) VALUES `
	if _, err := db.ExecContext(ctx, cols+`('R00000001', 'q', 'p', 'a', 100, 'pending', '', '', 1, 2, 1)`); err != nil {
		t.Fatalf("a valid row: %v", err)
	}
	for _, q := range []string{
		cols + `('R00000002', 'q2', 'p', 'a', 0, 'pending', '', '', 1, 2, 1)`,
		cols + `('R00000003', 'q3', 'p', 'a', -5, 'pending', '', '', 1, 2, 1)`,
		cols + `('R00000004', 'q4', 'p', 'a', 100, 'paid', '', '', 1, 2, 1)`,
		cols + `('R00000005', 'q5', 'p', 'a', 100, 'awaiting_payment', '', '', 1, 2, 1)`,
		cols + `('R00000006', 'q6', 'p', 'a', 100, 'credited', 'http://x', '', 1, 2, 1)`,
		cols + `('R00000007', 'q7', 'p', 'a', 100, 'pending', '', '', 2, 1, 1)`,
		cols + `('R/0000008', 'q8', 'p', 'a', 100, 'pending', '', '', 1, 2, 1)`,
		cols + `('R00000009', 'q', 'p', 'a', 100, 'pending', '', '', 1, 2, 1)`,
		cols + `('R00000010', '', 'p', 'a', 100, 'pending', '', '', 1, 2, 1)`,
		cols + `('R00000011', 'q11', 'p', 'a', 'lots', 'pending', '', '', 1, 2, 1)`,
		`INSERT INTO recharge_orders (order_id, request_id, parent_id, account_id, amount_fen, state, created_at, expires_at, updated_at, purpose) VALUES ('R00000012', 'q12', 'p', 'a', 100, 'pending', 1, 2, 1, 'fee')`,
		`INSERT INTO recharge_orders (order_id, request_id, parent_id, account_id, amount_fen, state, created_at, expires_at, updated_at, purpose, item_id) VALUES ('R00000013', 'q13', 'p', 'a', 100, 'pending', 1, 2, 1, 'recharge', 'fee-1')`,
		`INSERT INTO recharge_orders (order_id, request_id, parent_id, account_id, amount_fen, state, created_at, expires_at, updated_at, purpose, item_id) VALUES ('R00000014', 'q14', 'p', 'a', 100, 'pending', 1, 2, 1, 'gift', 'fee-1')`,
	} {
		if _, err := db.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: accepted, want a constraint violation", q)
		}
	}
}

func TestRefundsConformance(t *testing.T) {
	orderstest.RunRefunds(t, func(t *testing.T, now func() time.Time) orderstest.RefundStore {
		return open(t, tempPath(t), sqliteorders.Options{Now: now})
	})
}
