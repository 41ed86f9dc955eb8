// Package sqlstore is the one implementation of fees.Store over database/sql, for
// PostgreSQL (through pgx's stdlib) and SQLite alike: the schemas agree column for
// column, times are unix microseconds and flags are 0/1 integers in both.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/fees"
)

// Dialect is what differs between the databases.
type Dialect struct {
	// Numbered placeholders ($1, $2 …) instead of ?.
	Numbered bool
	// MapErr maps a driver error of what onto the fees errors.
	MapErr func(what string, err error) error
	// Close (optional) releases what the db was opened from, after the db.
	Close func()
}

// Store is a fees.Store on db.
type Store struct {
	db  *sql.DB
	d   Dialect
	now func() time.Time
}

// New returns the Store; Close closes db.
func New(db *sql.DB, d Dialect, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, d: d, now: now}
}

var _ fees.Store = (*Store)(nil)

// Close implements fees.Store.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.d.Close != nil {
		s.d.Close()
	}
	return err
}

// q rewrites ? placeholders for the dialect.
func (s *Store) q(query string) string {
	if !s.d.Numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Store) mapErr(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", fees.ErrNotFound, what)
	}
	if err == nil {
		return nil
	}
	return s.d.MapErr(what, err)
}

func (s *Store) clock() int64 { return fees.Micro(s.now()).UnixMicro() }

const itemColumns = `item_id, school_id, title, category, amount_fen, target_kind, target_ids, due_day,
	allow_balance, state, created_by, created_at, updated_at`

type row interface{ Scan(dest ...any) error }

func scanItem(r row) (fees.Item, error) {
	var (
		it                           fees.Item
		category, kind, ids, state   string
		amount                       int64
		due, allow, created, updated int64
	)
	err := r.Scan(&it.ID, &it.SchoolID, &it.Title, &category, &amount, &kind, &ids, &due, &allow, &state,
		&it.CreatedBy, &created, &updated)
	if err != nil {
		return fees.Item{}, err
	}
	it.Category, it.Amount, it.State = fee.Category(category), money.Amount(amount), fee.State(state)
	it.Due, it.AllowBalance = schoolday.Date(due), allow != 0
	it.CreatedAt, it.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	it.Target.Kind = fee.TargetKind(kind)
	var list []string
	if err := json.Unmarshal([]byte(ids), &list); err != nil {
		return fees.Item{}, fmt.Errorf("target ids of %s: %w", it.ID, err)
	}
	switch it.Target.Kind {
	case fee.TargetClasses:
		it.Target.ClassIDs = list
	case fee.TargetAccounts:
		it.Target.AccountIDs = list
	}
	return it, nil
}

func targetIDs(t fee.Target) (string, error) {
	list := append(append([]string{}, t.ClassIDs...), t.AccountIDs...)
	b, err := json.Marshal(list)
	return string(b), err
}

func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// CreateItem implements fees.Store.
func (s *Store) CreateItem(ctx context.Context, it fees.Item, ch fees.Change) (fees.Item, error) {
	it.State = fee.Draft
	if err := fees.ValidateItem(&it); err != nil {
		return fees.Item{}, err
	}
	ch.ItemID = it.ID
	if err := fees.ValidateChange(&ch); err != nil {
		return fees.Item{}, err
	}
	ids, err := targetIDs(it.Target)
	if err != nil {
		return fees.Item{}, err
	}
	var got fees.Item
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		got, err = scanItem(tx.QueryRowContext(ctx, s.q(`INSERT INTO fee_items (`+itemColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+itemColumns),
			it.ID, it.SchoolID, it.Title, string(it.Category), int64(it.Amount), string(it.Target.Kind), ids, int64(it.Due),
			flag(it.AllowBalance), string(it.State), it.CreatedBy, it.CreatedAt.UnixMicro(), s.clock()))
		if err != nil {
			return s.mapErr("create fee item "+it.ID, err)
		}
		_, _, err = s.appendChange(ctx, tx, ch)
		return err
	})
	if err != nil {
		return fees.Item{}, err
	}
	return got, nil
}

// UpdateDraft implements fees.Store.
func (s *Store) UpdateDraft(ctx context.Context, it fees.Item, ch fees.Change) (fees.Item, error) {
	if it.CreatedAt.IsZero() {
		it.CreatedAt = s.now() // not written: the stored creation time stays
	}
	if err := fees.ValidateItem(&it); err != nil {
		return fees.Item{}, err
	}
	ch.ItemID = it.ID
	if err := fees.ValidateChange(&ch); err != nil {
		return fees.Item{}, err
	}
	ids, err := targetIDs(it.Target)
	if err != nil {
		return fees.Item{}, err
	}
	var got fees.Item
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		got, err = scanItem(tx.QueryRowContext(ctx, s.q(`UPDATE fee_items SET title = ?, category = ?, amount_fen = ?,
				target_kind = ?, target_ids = ?, due_day = ?, allow_balance = ?, updated_at = ?
			WHERE item_id = ? AND school_id = ? AND state = 'draft' RETURNING `+itemColumns),
			it.Title, string(it.Category), int64(it.Amount), string(it.Target.Kind), ids, int64(it.Due), flag(it.AllowBalance),
			s.clock(), it.ID, it.SchoolID))
		if err != nil {
			return err // sql.ErrNoRows: explained below, after the rollback
		}
		_, _, err = s.appendChange(ctx, tx, ch)
		return err
	})
	if !errors.Is(err, sql.ErrNoRows) {
		if err != nil {
			return fees.Item{}, s.mapErr("update fee item "+it.ID, err)
		}
		return got, nil
	}
	cur, err := s.GetItem(ctx, it.ID)
	if err != nil {
		return fees.Item{}, err
	}
	if cur.SchoolID != it.SchoolID {
		return fees.Item{}, fmt.Errorf("%w: fee item %s", fees.ErrNotFound, it.ID)
	}
	return fees.Item{}, fmt.Errorf("%w: fee item %s is %s, not a draft", fees.ErrConflict, it.ID, cur.State)
}

// GetItem implements fees.Store.
func (s *Store) GetItem(ctx context.Context, itemID string) (fees.Item, error) {
	if itemID == "" || len(itemID) > fees.MaxIDLen {
		return fees.Item{}, fmt.Errorf("%w: fee item %q", fees.ErrNotFound, itemID)
	}
	it, err := scanItem(s.db.QueryRowContext(ctx, s.q("SELECT "+itemColumns+" FROM fee_items WHERE item_id = ?"), itemID))
	return it, s.mapErr("fee item "+itemID, err)
}

// ListItems implements fees.Store.
func (s *Store) ListItems(ctx context.Context, schoolID string, limit int) ([]fees.Item, error) {
	if err := fees.ValidateLimit(limit); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+itemColumns+` FROM fee_items WHERE school_id = ?
		ORDER BY created_at DESC, item_id DESC LIMIT ?`), schoolID, limit)
	if err != nil {
		return nil, s.mapErr("fee items", err)
	}
	defer rows.Close()
	var out []fees.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, s.mapErr("fee items", err)
		}
		out = append(out, it)
	}
	return out, s.mapErr("fee items", rows.Err())
}

// MoveItem implements fees.Store.
func (s *Store) MoveItem(ctx context.Context, itemID string, from, to fee.State) (fees.Item, error) {
	if !fee.CanMove(from, to) {
		return fees.Item{}, fmt.Errorf("%w: an item cannot move from %q to %q", fees.ErrInvalid, from, to)
	}
	it, err := scanItem(s.db.QueryRowContext(ctx, s.q(`UPDATE fee_items SET state = ?, updated_at = ?
		WHERE item_id = ? AND state = ? RETURNING `+itemColumns), string(to), s.clock(), itemID, string(from)))
	if !errors.Is(err, sql.ErrNoRows) {
		return it, s.mapErr("move fee item "+itemID, err)
	}
	cur, err := s.GetItem(ctx, itemID)
	if err != nil {
		return fees.Item{}, err
	}
	return fees.Item{}, fmt.Errorf("%w: fee item %s is %s, not %s", fees.ErrConflict, itemID, cur.State, from)
}
