package pgorders

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onecode/onecode/persistence/orders"
)

// The create transaction's statements. It takes two round trips, not six: the
// reads go in one pipeline with BEGIN, the insert in another with COMMIT (check
// runs in Go between them, inside the transaction and under the account's lock).
const (
	lockAccountSQL = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
	byRequestSQL   = "SELECT " + columns + " FROM recharge_orders WHERE parent_id = $1 AND request_id = $2"
	openSumSQL     = `SELECT COALESCE(sum(amount_fen), 0)::bigint FROM recharge_orders
		WHERE account_id = $1 AND purpose = $2 AND item_id = $3 AND state IN ('pending', 'awaiting_payment')`
	insertSQL = `INSERT INTO recharge_orders (` + columns + `)
		VALUES ($1, $2, $3, $4, $5, $6, '', '', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, '')
		ON CONFLICT (parent_id, request_id) DO NOTHING RETURNING ` + columns
)

// Create implements orders.Store.
func (s *Store) Create(ctx context.Context, o orders.Order, check func(int64) error) (orders.Order, bool, error) {
	if err := orders.ValidateNew(&o); err != nil {
		return orders.Order{}, false, err
	}
	o.UpdatedAt = s.clock()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return orders.Order{}, false, mapErr("create order "+o.OrderID, err)
	}
	// A connection left inside the transaction (an error on the way) is closed by
	// the pool on release, which rolls it back; rollback first keeps it.
	defer conn.Release()
	got, created, err := create(ctx, conn, o, check)
	if err != nil && conn.Conn().PgConn().TxStatus() != 'I' {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_, _ = conn.Exec(rctx, "ROLLBACK")
		cancel()
	}
	return got, created, err
}

// create runs the create transaction on conn: under the account's lock, the
// parent's order of the request if there is one (answered, nothing written), else
// check with the open amount, then the insert.
func create(ctx context.Context, conn *pgxpool.Conn, o orders.Order, check func(int64) error) (orders.Order, bool, error) {
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	// Serialise the orders of one account: the cap check sees every pending order.
	b.Queue(lockAccountSQL, "recharge_orders:"+o.AccountID)
	b.Queue(byRequestSQL, o.ParentID, o.RequestID)
	if check != nil {
		b.Queue(openSumSQL, o.AccountID, string(o.Purpose), o.ItemID)
	}
	existing, open, err := readForCreate(conn.SendBatch(ctx, b), check != nil)
	switch {
	case err == nil:
		_, err = conn.Exec(ctx, "COMMIT")
		return existing, false, mapErr("create order "+o.OrderID, err)
	case !errors.Is(err, orders.ErrNotFound):
		return orders.Order{}, false, err
	}
	if check != nil {
		if err := check(open); err != nil {
			return orders.Order{}, false, err
		}
	}
	b = &pgx.Batch{}
	b.Queue(insertSQL, o.OrderID, o.RequestID, o.ParentID, o.AccountID, o.AmountFen, string(o.State), o.CreatedAt, o.ExpiresAt, o.UpdatedAt,
		string(o.Purpose), o.ItemID, o.SchoolID, o.MerchantKey, string(o.Channel), o.ClientIP, o.OpenID)
	b.Queue("COMMIT")
	br := conn.SendBatch(ctx, b)
	got, ierr := scan(br.QueryRow())
	_, cerr := br.Exec()
	clerr := br.Close()
	raced := errors.Is(ierr, pgx.ErrNoRows) // the same request, for another account, won
	if raced {
		ierr = nil
	}
	if err := firstErr(ierr, cerr, clerr); err != nil {
		return orders.Order{}, false, mapErr("create order "+o.OrderID, err)
	}
	if raced { // committed, so it reads now
		got, err = byRequest(ctx, conn, o.ParentID, o.RequestID)
		return got, false, err
	}
	return got, true, nil
}

// readForCreate reads the first pipeline's answers: the parent's order of the
// request (ErrNotFound when none) and, with sum, the open amount.
func readForCreate(br pgx.BatchResults, sum bool) (orders.Order, int64, error) {
	_, berr := br.Exec()
	_, lerr := br.Exec()
	existing, rerr := scan(br.QueryRow())
	var open int64
	var serr error
	if sum {
		serr = br.QueryRow().Scan(&open)
	}
	cerr := br.Close()
	notFound := errors.Is(rerr, pgx.ErrNoRows)
	if notFound {
		rerr = nil
	}
	if err := firstErr(berr, lerr, rerr, serr, cerr); err != nil {
		return orders.Order{}, 0, mapErr("read before create", err)
	}
	if notFound {
		return orders.Order{}, open, orders.ErrNotFound
	}
	return existing, open, nil
}

// firstErr is the first non-nil error: in a pipeline the later ones only say that
// the first one aborted it.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
