package pgjournal

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/onecode/onecode/persistence/journal"
)

// AppendBatch implements journal.Store in one transaction and two round
// trips. Every event is one row (its idempotency record and postings are
// columns of it), so the unique keys (account, seq) and (account, idem_key)
// are the whole fence and nothing needs to be read first:
//
//  1. BEGIN and one INSERT of every append's events … ON CONFLICT DO NOTHING
//     RETURNING (account, seq). An event does not land when its seq or its
//     command's key is taken (a stale activation, a retried command), or when
//     it would leave a gap: the first event of an append needs its
//     predecessor, in the table or earlier in the same batch.
//  2. Pipelined: delete the rows of appends that did not wholly land (and of
//     appends of the same batch building on them), look up the stored
//     command of each lost append that has a key, insert the snapshots of
//     the appends kept, COMMIT.
//
// A lost append fails with *journal.DuplicateError when its key is stored
// (the retry gets the first outcome) and with journal.ErrSeqConflict
// otherwise. Acknowledgement is after COMMIT only.
func (s *Store) AppendBatch(ctx context.Context, batch []journal.Append) []error {
	if err := journal.ValidateBatch(len(batch)); err != nil {
		return journal.Fill(len(batch), err)
	}
	errs := make([]error, len(batch))
	live := make([]int, 0, len(batch))
	for i := range batch {
		if errs[i] = journal.Validate(&batch[i]); errs[i] == nil {
			live = append(live, i)
		}
	}
	if len(live) == 0 {
		return errs
	}
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		fail(errs, live, fmt.Errorf("pgjournal: connect: %w", err))
		return errs
	}
	defer pc.Release() // a connection left in a transaction is destroyed
	conn := pc.Conn()
	t := &appendTx{ctx: ctx, conn: conn, batch: batch, errs: errs, writes: live}
	if err := t.run(); err != nil {
		rctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
		_, _ = conn.Exec(rctx, "ROLLBACK") // release drops the conn if this fails
		cancel()
		// A twin was told "duplicate of an earlier append of this batch"; that
		// append did not commit, so neither answer may stand.
		for i := range t.twin {
			errs[i] = nil
		}
		fail(errs, live, err)
	}
	return errs
}

// fail sets err on the given appends that have no error yet.
func fail(errs []error, idx []int, err error) {
	for _, i := range idx {
		if errs[i] == nil {
			errs[i] = err
		}
	}
}

const rollbackTimeout = 5 * time.Second

// errBuildsOnFailed fails an append that builds on an earlier append of the
// same batch that did not land: its expected seq assumed that one.
var errBuildsOnFailed = fmt.Errorf("%w: builds on an append of the same batch that failed", journal.ErrSeqConflict)

type seqKey struct {
	account string
	seq     int64
}

type cmdKey struct{ account, key string }

type appendTx struct {
	ctx   context.Context
	conn  *pgx.Conn
	batch []journal.Append
	errs  []error

	writes []int       // appends written, in batch order; after land, those kept
	prev   map[int]int // append → the earlier append of the batch it builds on
	twin   map[int]int // append → the earlier append of the batch holding its key
	lost   []int       // appends that did not land (own conflict, not a chain)
	undone []seqKey    // landed rows of lost or chained appends, to delete
}

func (t *appendTx) run() error {
	t.decide()
	if len(t.writes) == 0 {
		return nil // nothing reached the database
	}
	landed, err := t.insertEvents()
	if err != nil {
		return err
	}
	t.sortOut(landed)
	stored, err := t.finish()
	if err != nil {
		return err
	}
	t.report(stored)
	return nil
}

// decide settles the conflicts inside the batch, in batch order, so that the
// rows sent carry distinct (account, seq) and (account, idem_key) keys and a
// returned key names its append: an append whose key an earlier written append
// holds is that one's duplicate (its twin); one claiming a seq an earlier
// written append claims conflicts. It also finds the appends building on an
// earlier one (same account, expected seq = its last seq): their first
// event's predecessor is in the same INSERT, which the gap check cannot see.
func (t *appendTx) decide() {
	t.prev = make(map[int]int)
	t.twin = make(map[int]int)
	keys := make(map[cmdKey]int)
	seqs := make(map[seqKey]int)
	kept := t.writes[:0:0]
	for _, i := range t.writes {
		a := &t.batch[i]
		if a.IdemKey != "" {
			if j, ok := keys[cmdKey{a.Account, a.IdemKey}]; ok {
				t.errs[i] = &journal.DuplicateError{Account: a.Account, IdemKey: a.IdemKey,
					Fingerprint: t.batch[j].Fingerprint, Outcome: journal.NonNil(t.batch[j].Outcome)}
				t.twin[i] = j
				continue
			}
		}
		if j, ok := seqs[seqKey{a.Account, a.ExpectedSeq + 1}]; ok {
			t.errs[i] = fmt.Errorf("%w: account %q: seq %d claimed by an earlier append of the batch",
				journal.ErrSeqConflict, a.Account, t.batch[j].ExpectedSeq+1)
			continue
		}
		if j, ok := seqs[seqKey{a.Account, a.ExpectedSeq}]; ok && t.batch[j].LastSeq() == a.ExpectedSeq {
			t.prev[i] = j
		}
		for n := range a.Events {
			seqs[seqKey{a.Account, a.ExpectedSeq + 1 + int64(n)}] = i
		}
		if a.IdemKey != "" {
			keys[cmdKey{a.Account, a.IdemKey}] = i
		}
		kept = append(kept, i)
	}
	t.writes = kept
}

// insertEvents begins the transaction and inserts the events of t.writes,
// returning the keys of those that landed.
func (t *appendTx) insertEvents() (map[seqKey]bool, error) {
	var n int
	for _, i := range t.writes {
		n += len(t.batch[i].Events)
	}
	accounts, types, merchants := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	seqs, amounts := make([]int64, 0, n), make([]int64, 0, n)
	data, ats := make([][]byte, 0, n), make([]time.Time, 0, n)
	keys, fps := make([]*string, 0, n), make([]*string, 0, n)
	outcomes := make([][]byte, 0, n)
	ledgers, legAmounts := make([]string, 0, n), make([]string, 0, n)
	checkPrev := make([]bool, 0, n)
	var sb strings.Builder
	for _, i := range t.writes {
		a := &t.batch[i]
		_, chained := t.prev[i]
		for j := range a.Events {
			e := &a.Events[j]
			accounts = append(accounts, a.Account)
			seqs = append(seqs, a.ExpectedSeq+1+int64(j))
			types = append(types, e.Type)
			data = append(data, journal.NonNil(e.Data))
			ats = append(ats, e.At)
			amounts = append(amounts, e.Amount)
			merchants = append(merchants, e.Merchant)
			if j == 0 && a.IdemKey != "" {
				keys, fps = append(keys, &a.IdemKey), append(fps, &a.Fingerprint)
				outcomes = append(outcomes, journal.NonNil(a.Outcome))
			} else {
				keys, fps, outcomes = append(keys, nil), append(fps, nil), append(outcomes, nil)
			}
			l, m := postingArrays(&sb, e.Postings)
			ledgers, legAmounts = append(ledgers, l), append(legAmounts, m)
			checkPrev = append(checkPrev, j == 0 && !chained && a.ExpectedSeq > 0)
		}
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	// The gap check's OFFSET 0 keeps it a per-row primary-key probe: a plain
	// EXISTS may be planned as a hashed subplan, a sequential scan of the whole
	// events table per batch, once a cached plan was made on a small table.
	// Sorted inserts take row locks in one global order, so two batches never
	// deadlock on each other; within one (account, seq) batch order wins.
	b.Queue(`
		INSERT INTO events (account, seq, type, data, at, amount, merchant, idem_key, fingerprint, outcome,
		                    posting_ledgers, posting_amounts)
		SELECT r.account, r.seq, r.type, r.data, r.at, r.amount, r.merchant, r.idem_key, r.fingerprint, r.outcome,
		       r.ledgers::text[], r.amounts::bigint[]
		  FROM unnest($1::text[], $2::int8[], $3::text[], $4::bytea[], $5::timestamptz[], $6::int8[], $7::text[],
		              $8::text[], $9::text[], $10::bytea[], $11::text[], $12::text[], $13::bool[])
		       WITH ORDINALITY AS r(account, seq, type, data, at, amount, merchant, idem_key, fingerprint, outcome, ledgers, amounts, check_prev, ord)
		 WHERE NOT r.check_prev
		    OR EXISTS (SELECT 1 FROM events p WHERE p.account = r.account AND p.seq = r.seq - 1 OFFSET 0)
		 ORDER BY r.account, r.seq, r.ord
		ON CONFLICT DO NOTHING
		RETURNING account, seq`,
		accounts, seqs, types, data, ats, amounts, merchants, keys, fps, outcomes, ledgers, legAmounts, checkPrev)
	br := t.conn.SendBatch(t.ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("pgjournal: begin: %w", err)
	}
	landed := make(map[seqKey]bool, n)
	var k seqKey
	if _, err := forEach(br, []any{&k.account, &k.seq}, func() { landed[k] = true }); err != nil {
		return nil, fmt.Errorf("pgjournal: insert events: %w", err)
	}
	return landed, br.Close()
}

// postingArrays renders postings as PostgreSQL array literals of ledgers and
// amounts (ledger names are quoted and escaped, so any text is safe).
func postingArrays(sb *strings.Builder, ps []journal.Posting) (string, string) {
	if len(ps) == 0 {
		return "{}", "{}"
	}
	sb.Reset()
	sb.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('"')
		for _, c := range []byte(p.Ledger) {
			if c == '"' || c == '\\' {
				sb.WriteByte('\\')
			}
			sb.WriteByte(c)
		}
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	ledgers := sb.String()
	sb.Reset()
	sb.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatInt(p.Amount, 10))
	}
	sb.WriteByte('}')
	return ledgers, sb.String()
}

// forEach scans each row of the batch's next result into dst and calls f.
func forEach(br pgx.BatchResults, dst []any, f func()) (int, error) {
	rows, err := br.Query()
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return n, err
		}
		f()
		n++
	}
	return n, rows.Err()
}

// sortOut splits t.writes into the appends kept (all events landed and not
// building on a lost one) and the rest, whose landed rows are to be undone.
func (t *appendTx) sortOut(landed map[seqKey]bool) {
	out := make(map[int]bool)
	kept := t.writes[:0:0]
	for _, i := range t.writes {
		a := &t.batch[i]
		whole := true
		for j := range a.Events {
			if !landed[seqKey{a.Account, a.ExpectedSeq + 1 + int64(j)}] {
				whole = false
				break
			}
		}
		if j, ok := t.prev[i]; ok && out[j] {
			out[i] = true
			t.errs[i] = errBuildsOnFailed
		} else if !whole {
			out[i] = true
			t.lost = append(t.lost, i)
		}
		if !out[i] {
			kept = append(kept, i)
			continue
		}
		for j := range a.Events {
			if k := (seqKey{a.Account, a.ExpectedSeq + 1 + int64(j)}); landed[k] {
				t.undone = append(t.undone, k)
			}
		}
	}
	t.writes = kept
	for i, j := range t.twin {
		if out[j] {
			t.errs[i] = errBuildsOnFailed
		}
	}
}

// finish undoes, looks up the stored commands of lost keyed appends, inserts
// the snapshots and commits, in one round trip.
func (t *appendTx) finish() (map[cmdKey]journal.DuplicateError, error) {
	b := &pgx.Batch{}
	if len(t.undone) > 0 {
		accounts, seqs := make([]string, len(t.undone)), make([]int64, len(t.undone))
		for i, k := range t.undone {
			accounts[i], seqs[i] = k.account, k.seq
		}
		b.Queue(`DELETE FROM events e USING unnest($1::text[], $2::int8[]) AS k(account, seq)
			WHERE e.account = k.account AND e.seq = k.seq`, accounts, seqs)
	}
	var kAcc, kKeys []string
	for _, i := range t.lost {
		if a := &t.batch[i]; a.IdemKey != "" {
			kAcc, kKeys = append(kAcc, a.Account), append(kKeys, a.IdemKey)
		}
	}
	stored := make(map[cmdKey]journal.DuplicateError, len(kKeys))
	if len(kKeys) > 0 {
		var d journal.DuplicateError
		b.Queue(`SELECT e.account, e.idem_key, e.fingerprint, e.outcome
			FROM unnest($1::text[], $2::text[]) AS k(account, idem_key)
			JOIN events e ON e.account = k.account AND e.idem_key = k.idem_key`, kAcc, kKeys).
			Query(func(rows pgx.Rows) error {
				_, err := pgx.ForEachRow(rows, []any{&d.Account, &d.IdemKey, &d.Fingerprint, &d.Outcome}, func() error {
					stored[cmdKey{d.Account, d.IdemKey}] = d
					return nil
				})
				return err
			})
	}
	var sAcc []string
	var sSeqs []int64
	var sData [][]byte
	for _, i := range t.writes {
		if s := t.batch[i].Snapshot; s != nil {
			sAcc, sSeqs, sData = append(sAcc, t.batch[i].Account), append(sSeqs, s.Seq), append(sData, journal.NonNil(s.Data))
		}
	}
	if len(sAcc) > 0 {
		b.Queue(`INSERT INTO snapshots (account, seq, data)
			SELECT * FROM unnest($1::text[], $2::int8[], $3::bytea[])`, sAcc, sSeqs, sData)
	}
	var tag string
	b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error { tag = ct.String(); return nil })
	if err := t.conn.SendBatch(t.ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("pgjournal: commit: %w", err)
	}
	if tag != "COMMIT" {
		return nil, fmt.Errorf("pgjournal: commit answered %q", tag)
	}
	return stored, nil
}

// report sets the errors of the lost appends.
func (t *appendTx) report(stored map[cmdKey]journal.DuplicateError) {
	for _, i := range t.lost {
		a := &t.batch[i]
		if d, ok := stored[cmdKey{a.Account, a.IdemKey}]; ok && a.IdemKey != "" {
			t.errs[i] = &d
			continue
		}
		t.errs[i] = fmt.Errorf("%w: account %q: seq %d taken by another writer or not next",
			journal.ErrSeqConflict, a.Account, a.ExpectedSeq+1)
	}
}
