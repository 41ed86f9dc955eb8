package sqlitedirectory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/onecode/onecode/persistence/directory"
)

// PutCanteen implements directory.Store.
func (s *Store) PutCanteen(ctx context.Context, c directory.Canteen) error {
	if err := directory.ValidateCanteen(&c); err != nil {
		return err
	}
	n, err := exec(ctx, s.db, "put canteen "+c.ID, `INSERT INTO canteens (id, school_id, name) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE canteens.school_id = excluded.school_id`,
		c.ID, c.SchoolID, c.Name)
	if err == nil && n != 1 {
		err = fmt.Errorf("%w: canteen %q is of another school", directory.ErrConflict, c.ID)
	}
	return err
}

// Canteen implements directory.Store.
func (s *Store) Canteen(ctx context.Context, id string) (directory.Canteen, error) {
	var c directory.Canteen
	if err := directory.ValidateID("canteen", id); err != nil {
		return c, err
	}
	err := s.db.QueryRowContext(ctx, "SELECT school_id, id, name FROM canteens WHERE id = ?", id).Scan(&c.SchoolID, &c.ID, &c.Name)
	return c, mapErr("canteen "+id, err)
}

// AddTerminal implements directory.Store.
func (s *Store) AddTerminal(ctx context.Context, t directory.Terminal) error {
	if err := directory.ValidateTerminal(&t); err != nil {
		return err
	}
	_, err := exec(ctx, s.db, "add terminal "+t.ID, `INSERT INTO terminals (id, school_id, canteen_id, name, secret_hash, status, created_at, can_override)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, t.SchoolID, t.CanteenID, t.Name, t.SecretHash, string(t.Status), s.clock(), t.CanOverride)
	return err
}

// Terminal implements directory.Store.
func (s *Store) Terminal(ctx context.Context, id string) (directory.Terminal, error) {
	var t directory.Terminal
	if err := directory.ValidateID("terminal", id); err != nil {
		return t, err
	}
	var status string
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT id, school_id, canteen_id, name, secret_hash, status, created_at, can_override FROM terminals WHERE id = ?`, id).
		Scan(&t.ID, &t.SchoolID, &t.CanteenID, &t.Name, &t.SecretHash, &status, &created, &t.CanOverride)
	t.Status, t.CreatedAt = directory.TerminalStatus(status), fromMicro(created)
	return t, mapErr("terminal "+id, err)
}

// SetTerminalStatus implements directory.Store.
func (s *Store) SetTerminalStatus(ctx context.Context, id string, status directory.TerminalStatus) error {
	if err := directory.ValidateID("terminal", id); err != nil {
		return err
	}
	if err := directory.ValidateTerminalStatus(status); err != nil {
		return err
	}
	n, err := exec(ctx, s.db, "terminal status "+id, "UPDATE terminals SET status = ? WHERE id = ?", string(status), id)
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: terminal %q", directory.ErrNotFound, id)
	}
	return err
}

const dishCols = "canteen_id, barcode, name, price_fen, kcal, protein_mg, fat_mg, carb_mg, allergens, active"

func scanDish(row scanner) (directory.Dish, error) {
	var d directory.Dish
	var allergens string
	err := row.Scan(&d.CanteenID, &d.Barcode, &d.Name, &d.PriceFen, &d.Kcal, &d.ProteinMg, &d.FatMg, &d.CarbMg, &allergens, &d.Active)
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(allergens), &d.Allergens); err != nil {
		return d, fmt.Errorf("dish %s allergens: %w", d.Barcode, err)
	}
	if len(d.Allergens) == 0 {
		d.Allergens = nil
	}
	return d, nil
}

// PutDish implements directory.Store. The dish upsert touches no row when
// nothing changed; only a change bumps the catalog version, in the same
// transaction.
func (s *Store) PutDish(ctx context.Context, d directory.Dish) (int64, error) {
	if err := directory.ValidateDish(&d); err != nil {
		return 0, err
	}
	allergens := d.Allergens
	if allergens == nil {
		allergens = []string{}
	}
	var version int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := exec(ctx, tx, "canteen "+d.CanteenID,
			"INSERT INTO catalogs (canteen_id, version) VALUES (?, 0) ON CONFLICT (canteen_id) DO NOTHING", d.CanteenID); err != nil {
			return err
		}
		n, err := exec(ctx, tx, "dish "+d.Barcode, `INSERT INTO dishes (`+dishCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (canteen_id, barcode) DO UPDATE SET name = excluded.name, price_fen = excluded.price_fen,
				kcal = excluded.kcal, protein_mg = excluded.protein_mg, fat_mg = excluded.fat_mg, carb_mg = excluded.carb_mg,
				allergens = excluded.allergens, active = excluded.active
			WHERE (dishes.name, dishes.price_fen, dishes.kcal, dishes.protein_mg, dishes.fat_mg, dishes.carb_mg, dishes.allergens, dishes.active)
				IS NOT (excluded.name, excluded.price_fen, excluded.kcal, excluded.protein_mg, excluded.fat_mg, excluded.carb_mg, excluded.allergens, excluded.active)`,
			d.CanteenID, d.Barcode, d.Name, d.PriceFen, d.Kcal, d.ProteinMg, d.FatMg, d.CarbMg, jsonList(allergens), d.Active)
		if err != nil {
			return err
		}
		bump := "SELECT version FROM catalogs WHERE canteen_id = ?"
		if n == 1 {
			bump = "UPDATE catalogs SET version = version + 1 WHERE canteen_id = ? RETURNING version"
		}
		return mapErr("catalog version", tx.QueryRowContext(ctx, bump, d.CanteenID).Scan(&version))
	})
	return version, err
}

// Dish implements directory.Store.
func (s *Store) Dish(ctx context.Context, canteenID, barcode string) (directory.Dish, error) {
	if err := directory.ValidateID("canteen", canteenID); err != nil {
		return directory.Dish{}, err
	}
	if err := directory.ValidateBarcode(barcode); err != nil {
		return directory.Dish{}, err
	}
	d, err := scanDish(s.db.QueryRowContext(ctx, "SELECT "+dishCols+" FROM dishes WHERE canteen_id = ? AND barcode = ?", canteenID, barcode))
	return d, mapErr("dish "+barcode, err)
}

// ListDishes implements directory.Store.
func (s *Store) ListDishes(ctx context.Context, canteenID, after string, limit int) ([]directory.Dish, error) {
	if err := directory.ValidateDishPage(canteenID, after, limit); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+dishCols+` FROM dishes WHERE canteen_id = ? AND barcode > ?
		ORDER BY barcode LIMIT ?`, canteenID, after, limit)
	if err != nil {
		return nil, mapErr("list dishes", err)
	}
	var out []directory.Dish
	err = eachRow(rows, func() error {
		d, err := scanDish(rows)
		out = append(out, d)
		return err
	})
	return out, mapErr("list dishes", err)
}

// CatalogVersion implements directory.Store.
func (s *Store) CatalogVersion(ctx context.Context, canteenID string) (int64, error) {
	if err := directory.ValidateID("canteen", canteenID); err != nil {
		return 0, err
	}
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT version FROM catalogs WHERE canteen_id = ?1), 0)
		FROM canteens WHERE id = ?1`, canteenID).Scan(&v)
	return v, mapErr("canteen "+canteenID, err)
}
