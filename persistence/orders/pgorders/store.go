package pgorders

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onecode/onecode/persistence/migrate"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/sqlerr"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Pool bounds.
const (
	DefaultMaxConns = 4
	MaxMaxConns     = 64
)

// Options configure a Store. Zero values take the defaults.
type Options struct {
	MaxConns int              // default 4, at most 64
	Now      func() time.Time // clock of UpdatedAt, default time.Now
}

// Store is an orders.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

var _ orders.Store = (*Store)(nil)

// Open connects to dsn, applies pending migrations and returns the Store.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.MaxConns == 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.MaxConns < 1 || opts.MaxConns > MaxMaxConns {
		return nil, fmt.Errorf("%w: MaxConns %d, want 1..%d", orders.ErrInvalid, opts.MaxConns, MaxMaxConns)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("pgorders: %w", err)
	}
	pool, err := migrate.OpenPostgres(ctx, dsn, opts.MaxConns, fsys, "orders_migrations", migrateLock)
	if err != nil {
		return nil, fmt.Errorf("pgorders: %w", err)
	}
	return &Store{pool: pool, now: opts.Now}, nil
}

// Close closes the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// migrateLock is the advisory lock key serialising orders migrations ("orders");
// the journal and the directory use their own keys.
const migrateLock = 0x6f7264657273

// errs maps database errors onto the orders store's errors.
var errs = sqlerr.Mapper{Store: "pgorders", NotFound: orders.ErrNotFound, Conflict: orders.ErrConflict, Invalid: orders.ErrInvalid}

// mapErr turns a database error of what into the store's errors.
func mapErr(what string, err error) error { return errs.Postgres(what, err) }

func (s *Store) clock() time.Time { return orders.Micro(s.now()) }

const columns = `order_id, request_id, parent_id, account_id, amount_fen, state, pay_url, transaction_id,
	created_at, expires_at, updated_at, purpose, item_id, school_id, merchant_key, pay_channel, client_ip, open_id, pay_params`

func scan(row pgx.Row) (orders.Order, error) {
	var o orders.Order
	var state, purpose, channel string
	err := row.Scan(&o.OrderID, &o.RequestID, &o.ParentID, &o.AccountID, &o.AmountFen, &state, &o.PayURL,
		&o.TransactionID, &o.CreatedAt, &o.ExpiresAt, &o.UpdatedAt, &purpose, &o.ItemID, &o.SchoolID, &o.MerchantKey, &channel, &o.ClientIP, &o.OpenID, &o.PayParams)
	o.State, o.Purpose, o.Channel = orders.State(state), orders.Purpose(purpose), orders.Channel(channel)
	o.CreatedAt, o.ExpiresAt, o.UpdatedAt = o.CreatedAt.UTC(), o.ExpiresAt.UTC(), o.UpdatedAt.UTC()
	return o, err
}

// Get implements orders.Store.
func (s *Store) Get(ctx context.Context, orderID string) (orders.Order, error) {
	if err := orders.ValidateOrderID(orderID); err != nil {
		return orders.Order{}, err
	}
	o, err := scan(s.pool.QueryRow(ctx, "SELECT "+columns+" FROM recharge_orders WHERE order_id = $1", orderID))
	return o, mapErr("order "+orderID, err)
}

// ByRequest implements orders.Store.
func (s *Store) ByRequest(ctx context.Context, parentID, requestID string) (orders.Order, error) {
	return byRequest(ctx, s.pool, parentID, requestID)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func byRequest(ctx context.Context, q querier, parentID, requestID string) (orders.Order, error) {
	if parentID == "" || requestID == "" {
		return orders.Order{}, fmt.Errorf("%w: parent id and request id are required", orders.ErrInvalid)
	}
	o, err := scan(q.QueryRow(ctx, "SELECT "+columns+" FROM recharge_orders WHERE parent_id = $1 AND request_id = $2", parentID, requestID))
	return o, mapErr("order of request "+requestID, err)
}

// Transition implements orders.Store.
func (s *Store) Transition(ctx context.Context, orderID string, from []orders.State, to orders.State, f orders.Fields) (orders.Order, error) {
	if err := orders.ValidateTransition(orderID, from, to, f); err != nil {
		return orders.Order{}, err
	}
	o, err := scan(s.pool.QueryRow(ctx, `UPDATE recharge_orders SET state = $2,
			pay_url = CASE WHEN $3 = '' THEN pay_url ELSE $3 END,
			transaction_id = CASE WHEN $4 = '' THEN transaction_id ELSE $4 END,
			updated_at = $5,
			pay_params = CASE WHEN $7 = '' THEN pay_params ELSE $7 END
		WHERE order_id = $1 AND state = ANY($6) RETURNING `+columns,
		orderID, string(to), f.PayURL, f.TransactionID, s.clock(), orders.Strings(from), f.PayParams))
	if !errors.Is(err, pgx.ErrNoRows) {
		return o, mapErr("move order "+orderID, err)
	}
	cur, err := s.Get(ctx, orderID)
	if err != nil {
		return orders.Order{}, err
	}
	return orders.Order{}, fmt.Errorf("%w: order %s is %s, not one of %v", orders.ErrConflict, orderID, cur.State, from)
}

// PendingSum implements orders.Store.
func (s *Store) PendingSum(ctx context.Context, accountID string) (int64, error) {
	return pendingSum(ctx, s.pool, accountID)
}

func pendingSum(ctx context.Context, q querier, accountID string) (int64, error) {
	return openSum(ctx, q, orders.Order{AccountID: accountID, Purpose: orders.PurposeRecharge})
}

// openSum is the open amount of o's purpose: the account's open recharges, or the
// open orders of o's bill.
func openSum(ctx context.Context, q querier, o orders.Order) (int64, error) {
	var sum int64
	err := q.QueryRow(ctx, `SELECT COALESCE(sum(amount_fen), 0)::bigint FROM recharge_orders
		WHERE account_id = $1 AND purpose = $2 AND item_id = $3 AND state IN ('pending', 'awaiting_payment')`,
		o.AccountID, string(o.Purpose), o.ItemID).Scan(&sum)
	return sum, mapErr("pending sum of "+o.AccountID, err)
}

// OpenForBill implements orders.Store.
func (s *Store) OpenForBill(ctx context.Context, accountID, itemID string) ([]orders.Order, error) {
	if err := orders.ValidateBill(accountID, itemID); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+columns+` FROM recharge_orders
		WHERE account_id = $1 AND purpose = 'fee' AND item_id = $2 AND state IN ('pending', 'awaiting_payment')
		ORDER BY created_at DESC, order_id LIMIT $3`, accountID, itemID, orders.MaxBatch)
	if err != nil {
		return nil, mapErr("open orders of a bill", err)
	}
	return collect(rows, "open orders of a bill")
}

func collect(rows pgx.Rows, what string) ([]orders.Order, error) {
	defer rows.Close()
	var out []orders.Order
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return nil, mapErr(what, err)
		}
		out = append(out, o)
	}
	return out, mapErr(what, rows.Err())
}

// ListToResolve implements orders.Store.
func (s *Store) ListToResolve(ctx context.Context, olderThan time.Time, limit int) ([]orders.Order, error) {
	if err := orders.ValidateLimit(limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+columns+` FROM recharge_orders
		WHERE state IN ('pending', 'awaiting_payment') AND updated_at < $1
		ORDER BY updated_at, order_id LIMIT $2`, orders.Micro(olderThan), limit)
	if err != nil {
		return nil, mapErr("orders to resolve", err)
	}
	return collect(rows, "orders to resolve")
}
