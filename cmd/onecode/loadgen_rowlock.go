package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onecode/onecode/internal/loaddriver"
)

// The conventional design `loadgen --compare-rowlock` times beside the switch:
// one SQL transaction per payment, locking the account's balance row.

const rowlockSchema = `
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE canteens (id text PRIMARY KEY, total bigint NOT NULL);
CREATE TABLE history (
    id       bigserial PRIMARY KEY,
    account  text        NOT NULL REFERENCES accounts (id),
    terminal text        NOT NULL,
    seq      bigint      NOT NULL,
    amount   bigint      NOT NULL,
    balance  bigint      NOT NULL,
    at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (terminal, seq)
);`

// errRowlockDeclined is a payment declined for funds (an answer, not an error).
var errRowlockDeclined = errors.New("insufficient funds")

// maxRowlockConns bounds the conventional design's connection pool.
const maxRowlockConns = 64

// loadgenRowlock runs the conventional design on a fresh database of the same server,
// with the same workers, duration and (open loop) rate.
func loadgenRowlock(ctx context.Context, cfg loadgenConfig, stdout io.Writer) (loadgenOutcome, error) {
	dsn, drop, err := freshDatabase(ctx, cfg.postgresDSN, cfg.keep)
	if err != nil {
		return loadgenOutcome{}, err
	}
	defer drop()
	pool, ids, err := rowlockSeed(ctx, cfg, dsn)
	if err != nil {
		return loadgenOutcome{}, err
	}
	defer pool.Close()
	merchant := "off"
	if cfg.merchantRow {
		merchant = "on: every payment also runs UPDATE canteens SET total = total + amount on one row"
	}
	fmt.Fprintf(stdout, "rowlock: database %s, %d accounts, %d workers on %d connections, merchant row %s\n", dbName(dsn), cfg.pupils, cfg.terminals, min(cfg.terminals, maxRowlockConns), merchant)

	var (
		stopOnce sync.Once
		stopCh   = make(chan struct{})
		wg       sync.WaitGroup
		total    rowlockTally
	)
	stop := func() { stopOnce.Do(func() { close(stopCh) }) }
	start := time.Now()
	timer := time.AfterFunc(cfg.duration, stop)
	defer timer.Stop()
	var tickets chan struct{}
	if cfg.rate > 0 {
		tickets = make(chan struct{}, min(4096, 2*cfg.terminals))
		go rowlockTickets(start, cfg.rate, tickets, stopCh)
	}
	for w := range cfg.terminals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rw := rowlockWorker{pool: pool, ids: ids, merchantRow: cfg.merchantRow, tickets: tickets, stop: stopCh}
			total.merge(rw.run(ctx, w))
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	stop()
	if err := ctx.Err(); err != nil {
		return loadgenOutcome{}, err
	}
	o := outcomeOf(total.acked, total.errs, elapsed, &total.hist)
	o.detail = fmt.Sprintf("declined %d", total.declined)
	if total.firstErr != nil {
		o.detail += fmt.Sprintf(", first error: %v", total.firstErr)
	}
	return o, nil
}

// rowlockSeed opens the pool on the fresh database dsn and writes the schema, the
// accounts (their ids answered) and the canteen.
func rowlockSeed(ctx context.Context, cfg loadgenConfig, dsn string) (*pgxpool.Pool, []string, error) {
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, nil, err
	}
	// One connection per worker, as a vendor's app server would hold, but never more
	// than a stock PostgreSQL accepts (max_connections 100, some kept for others):
	// beyond it workers queue for a connection.
	conns := min(cfg.terminals, maxRowlockConns)
	pcfg.MaxConns = int32(conns)
	pcfg.MinConns = int32(conns)
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, nil, err
	}
	fail := func(what string, err error) (*pgxpool.Pool, []string, error) {
		pool.Close()
		return nil, nil, fmt.Errorf("rowlock %s: %w", what, err)
	}
	if _, err := pool.Exec(ctx, rowlockSchema); err != nil {
		return fail("schema", err)
	}
	ids := make([]string, cfg.pupils)
	rows := make([][]any, cfg.pupils)
	for i := range ids {
		ids[i] = fmt.Sprintf("acc_%d", i+1)
		rows[i] = []any{ids[i], int64(rowlockSubsidyFen)}
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"accounts"}, []string{"id", "balance"}, pgx.CopyFromRows(rows)); err != nil {
		return fail("accounts", err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO canteens (id, total) VALUES ('C1', 0)`); err != nil {
		return fail("canteen", err)
	}
	return pool, ids, nil
}

// rowlockTickets hands out one ticket per 1/rate from start (open loop: a ticket
// no worker is free for is dropped) until stop closes.
func rowlockTickets(start time.Time, rate float64, tickets chan<- struct{}, stop <-chan struct{}) {
	interval := time.Duration(float64(time.Second) / rate)
	t := time.NewTimer(0)
	defer t.Stop()
	for n := int64(0); ; {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		for due := int64(time.Since(start)/interval) + 1; n < due; n++ {
			select {
			case tickets <- struct{}{}:
			default:
			}
		}
		t.Reset(time.Until(start.Add(time.Duration(n) * interval)))
	}
}

// rowlockTally is what workers answered.
type rowlockTally struct {
	mu                    sync.Mutex
	hist                  loaddriver.Histogram
	acked, declined, errs int64
	firstErr              error
}

func (t *rowlockTally) merge(w *rowlockTally) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hist.Merge(&w.hist)
	t.acked, t.declined, t.errs = t.acked+w.acked, t.declined+w.declined, t.errs+w.errs
	if t.firstErr == nil {
		t.firstErr = w.firstErr
	}
}

// rowlockWorker is one terminal of the conventional design.
type rowlockWorker struct {
	pool        *pgxpool.Pool
	ids         []string
	merchantRow bool
	tickets     <-chan struct{} // nil: closed loop
	stop        <-chan struct{}
}

// run pays as terminal w+1 until stop closes (or ctx ends); it answers its tally.
func (rw rowlockWorker) run(ctx context.Context, w int) *rowlockTally {
	rng := mrand.New(mrand.NewPCG(uint64(w), 7))
	var t rowlockTally
	terminal := fmt.Sprintf("T%d", w+1)
	for seq := int64(1); ctx.Err() == nil; seq++ {
		if rw.tickets != nil {
			select {
			case <-rw.tickets:
			case <-rw.stop:
			}
		}
		select {
		case <-rw.stop:
			return &t
		default:
		}
		account := rw.ids[rng.IntN(len(rw.ids))]
		var amount int64
		for _, i := range rng.Perm(len(loaddriver.Dishes))[:1+rng.IntN(3)] {
			amount += loaddriver.Dishes[i].PriceFen
		}
		t0 := time.Now()
		err := rowlockPay(ctx, rw.pool, account, terminal, seq, amount, rw.merchantRow)
		lat := time.Since(t0)
		switch {
		case err == nil:
			t.acked++
			t.hist.Add(lat)
		case errors.Is(err, errRowlockDeclined):
			t.acked++
			t.declined++
			t.hist.Add(lat)
		default:
			t.errs++
			if t.firstErr == nil {
				t.firstErr = err
			}
		}
	}
	return &t
}

// rowlockPay is one payment of the conventional design.
func rowlockPay(ctx context.Context, pool *pgxpool.Pool, account, terminal string, seq, amount int64, merchantRow bool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var balance int64
		if err := tx.QueryRow(ctx, `SELECT balance FROM accounts WHERE id = $1 FOR UPDATE`, account).Scan(&balance); err != nil {
			return err
		}
		if balance < amount {
			return errRowlockDeclined
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET balance = balance - $2 WHERE id = $1`, account, amount); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO history (account, terminal, seq, amount, balance) VALUES ($1, $2, $3, $4, $5)`,
			account, terminal, seq, amount, balance-amount); err != nil {
			return err
		}
		if merchantRow {
			if _, err := tx.Exec(ctx, `UPDATE canteens SET total = total + $1 WHERE id = 'C1'`, amount); err != nil {
				return err
			}
		}
		return nil
	})
}
