package sqliteorders

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/onecode/onecode/persistence/migrate"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/sqlerr"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Pool bounds.
const (
	DefaultMaxConns = 4
	MaxMaxConns     = 16
)

// Options configure a Store. Zero values take the defaults.
type Options struct {
	MaxConns int              // default 4, at most 16
	Now      func() time.Time // clock of UpdatedAt, default time.Now
}

// Store is an orders.Store on an SQLite file.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

var _ orders.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path, applies pending
// migrations and returns the Store.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.MaxConns == 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.MaxConns < 1 || opts.MaxConns > MaxMaxConns {
		return nil, fmt.Errorf("%w: MaxConns %d, want 1..%d", orders.ErrInvalid, opts.MaxConns, MaxMaxConns)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if path == "" {
		return nil, fmt.Errorf("%w: empty database path", orders.ErrInvalid)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqliteorders: %w", err)
	}
	db, err := migrate.OpenSQLite(ctx, path, opts.MaxConns, fsys, "orders_migrations", opts.Now)
	if err != nil {
		return nil, fmt.Errorf("sqliteorders: %w", err)
	}
	return &Store{db: db, now: opts.Now}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// tx runs f in a transaction, committed if f returns nil.
func (s *Store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	return errs.SQLiteTx(ctx, s.db, f)
}

// errs maps database errors onto the orders store's errors.
var errs = sqlerr.Mapper{Store: "sqliteorders", NotFound: orders.ErrNotFound, Conflict: orders.ErrConflict, Invalid: orders.ErrInvalid}

// mapErr turns a database error of what into the store's errors.
func mapErr(what string, err error) error { return errs.SQLite(what, err) }

func (s *Store) clock() int64 { return s.now().UnixMicro() }

func fromMicro(us int64) time.Time { return time.UnixMicro(us).UTC() }

const columns = `order_id, request_id, parent_id, account_id, amount_fen, state, pay_url, transaction_id,
	created_at, expires_at, updated_at, purpose, item_id, school_id, merchant_key, pay_channel, client_ip, open_id, pay_params`

type row interface{ Scan(dest ...any) error }

func scan(r row) (orders.Order, error) {
	var o orders.Order
	var state, purpose, channel string
	var created, expires, updated int64
	err := r.Scan(&o.OrderID, &o.RequestID, &o.ParentID, &o.AccountID, &o.AmountFen, &state, &o.PayURL,
		&o.TransactionID, &created, &expires, &updated, &purpose, &o.ItemID, &o.SchoolID, &o.MerchantKey, &channel, &o.ClientIP, &o.OpenID, &o.PayParams)
	o.State, o.Purpose, o.Channel = orders.State(state), orders.Purpose(purpose), orders.Channel(channel)
	o.CreatedAt, o.ExpiresAt, o.UpdatedAt = fromMicro(created), fromMicro(expires), fromMicro(updated)
	return o, err
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Create implements orders.Store.
func (s *Store) Create(ctx context.Context, o orders.Order, check func(int64) error) (orders.Order, bool, error) {
	if err := orders.ValidateNew(&o); err != nil {
		return orders.Order{}, false, err
	}
	var got orders.Order
	created := false
	err := s.tx(ctx, func(tx *sql.Tx) error { // BEGIN IMMEDIATE: one writer, so the check sees every order
		existing, err := byRequest(ctx, tx, o.ParentID, o.RequestID)
		if err == nil {
			got = existing
			return nil
		}
		if !errors.Is(err, orders.ErrNotFound) {
			return err
		}
		if check != nil {
			pending, err := openSum(ctx, tx, o)
			if err != nil {
				return err
			}
			if err := check(pending); err != nil {
				return err
			}
		}
		got, err = scan(tx.QueryRowContext(ctx, `INSERT INTO recharge_orders (`+columns+`)
			VALUES (?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '') RETURNING `+columns,
			o.OrderID, o.RequestID, o.ParentID, o.AccountID, o.AmountFen, string(o.State),
			o.CreatedAt.UnixMicro(), o.ExpiresAt.UnixMicro(), s.clock(),
			string(o.Purpose), o.ItemID, o.SchoolID, o.MerchantKey, string(o.Channel), o.ClientIP, o.OpenID))
		if err != nil {
			return mapErr("create order "+o.OrderID, err)
		}
		created = true
		return nil
	})
	if err != nil {
		return orders.Order{}, false, err
	}
	return got, created, nil
}

// Get implements orders.Store.
func (s *Store) Get(ctx context.Context, orderID string) (orders.Order, error) {
	if err := orders.ValidateOrderID(orderID); err != nil {
		return orders.Order{}, err
	}
	o, err := scan(s.db.QueryRowContext(ctx, "SELECT "+columns+" FROM recharge_orders WHERE order_id = ?", orderID))
	return o, mapErr("order "+orderID, err)
}

// ByRequest implements orders.Store.
func (s *Store) ByRequest(ctx context.Context, parentID, requestID string) (orders.Order, error) {
	return byRequest(ctx, s.db, parentID, requestID)
}

func byRequest(ctx context.Context, q querier, parentID, requestID string) (orders.Order, error) {
	if parentID == "" || requestID == "" {
		return orders.Order{}, fmt.Errorf("%w: parent id and request id are required", orders.ErrInvalid)
	}
	o, err := scan(q.QueryRowContext(ctx, "SELECT "+columns+" FROM recharge_orders WHERE parent_id = ? AND request_id = ?", parentID, requestID))
	return o, mapErr("order of request "+requestID, err)
}

// Transition implements orders.Store.
func (s *Store) Transition(ctx context.Context, orderID string, from []orders.State, to orders.State, f orders.Fields) (orders.Order, error) {
	if err := orders.ValidateTransition(orderID, from, to, f); err != nil {
		return orders.Order{}, err
	}
	states := orders.Strings(from)
	args := []any{string(to), f.PayURL, f.PayURL, f.PayParams, f.PayParams, f.TransactionID, f.TransactionID, s.clock(), orderID}
	for _, st := range states {
		args = append(args, st)
	}
	o, err := scan(s.db.QueryRowContext(ctx, `UPDATE recharge_orders SET state = ?,
			pay_url = CASE WHEN ? = '' THEN pay_url ELSE ? END,
			pay_params = CASE WHEN ? = '' THEN pay_params ELSE ? END,
			transaction_id = CASE WHEN ? = '' THEN transaction_id ELSE ? END,
			updated_at = ?
		WHERE order_id = ? AND state IN (?`+strings.Repeat(", ?", len(states)-1)+`) RETURNING `+columns, args...))
	if !errors.Is(err, sql.ErrNoRows) {
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
	return pendingSum(ctx, s.db, accountID)
}

func pendingSum(ctx context.Context, q querier, accountID string) (int64, error) {
	return openSum(ctx, q, orders.Order{AccountID: accountID, Purpose: orders.PurposeRecharge})
}

// openSum is the open amount of o's purpose: the account's open recharges, or the
// open orders of o's bill.
func openSum(ctx context.Context, q querier, o orders.Order) (int64, error) {
	var sum int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(sum(amount_fen), 0) FROM recharge_orders
		WHERE account_id = ? AND purpose = ? AND item_id = ? AND state IN ('pending', 'awaiting_payment')`,
		o.AccountID, string(o.Purpose), o.ItemID).Scan(&sum)
	return sum, mapErr("pending sum of "+o.AccountID, err)
}

// OpenForBill implements orders.Store.
func (s *Store) OpenForBill(ctx context.Context, accountID, itemID string) ([]orders.Order, error) {
	if err := orders.ValidateBill(accountID, itemID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+columns+` FROM recharge_orders
		WHERE account_id = ? AND purpose = 'fee' AND item_id = ? AND state IN ('pending', 'awaiting_payment')
		ORDER BY created_at DESC, order_id LIMIT ?`, accountID, itemID, orders.MaxBatch)
	if err != nil {
		return nil, mapErr("open orders of a bill", err)
	}
	return collect(rows, "open orders of a bill")
}

func collect(rows *sql.Rows, what string) ([]orders.Order, error) {
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
	rows, err := s.db.QueryContext(ctx, "SELECT "+columns+` FROM recharge_orders
		WHERE state IN ('pending', 'awaiting_payment') AND updated_at < ?
		ORDER BY updated_at, order_id LIMIT ?`, olderThan.UnixMicro(), limit)
	if err != nil {
		return nil, mapErr("orders to resolve", err)
	}
	return collect(rows, "orders to resolve")
}
