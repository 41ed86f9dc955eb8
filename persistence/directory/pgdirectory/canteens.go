package pgdirectory

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/directory"
)

// PutCanteen implements directory.Store.
func (s *Store) PutCanteen(ctx context.Context, c directory.Canteen) error {
	if err := directory.ValidateCanteen(&c); err != nil {
		return err
	}
	tag, err := s.exec(ctx, "put canteen "+c.ID, `INSERT INTO canteens (id, school_id, name) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE canteens.school_id = excluded.school_id`,
		c.ID, c.SchoolID, c.Name)
	if err == nil && tag.RowsAffected() != 1 {
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
	err := s.pool.QueryRow(ctx, "SELECT school_id, id, name FROM canteens WHERE id = $1", id).Scan(&c.SchoolID, &c.ID, &c.Name)
	return c, mapErr("canteen "+id, err)
}

// AddTerminal implements directory.Store.
func (s *Store) AddTerminal(ctx context.Context, t directory.Terminal) error {
	if err := directory.ValidateTerminal(&t); err != nil {
		return err
	}
	_, err := s.exec(ctx, "add terminal "+t.ID, `INSERT INTO terminals (id, school_id, canteen_id, name, secret_hash, status, created_at, can_override)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.ID, t.SchoolID, t.CanteenID, t.Name, t.SecretHash, t.Status, s.clock(), t.CanOverride)
	return err
}

// Terminal implements directory.Store.
func (s *Store) Terminal(ctx context.Context, id string) (directory.Terminal, error) {
	var t directory.Terminal
	if err := directory.ValidateID("terminal", id); err != nil {
		return t, err
	}
	err := s.pool.QueryRow(ctx, `SELECT id, school_id, canteen_id, name, secret_hash, status, created_at, can_override FROM terminals WHERE id = $1`, id).
		Scan(&t.ID, &t.SchoolID, &t.CanteenID, &t.Name, &t.SecretHash, &t.Status, &t.CreatedAt, &t.CanOverride)
	t.CreatedAt = t.CreatedAt.UTC()
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
	tag, err := s.exec(ctx, "terminal status "+id, "UPDATE terminals SET status = $2 WHERE id = $1", id, status)
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("%w: terminal %q", directory.ErrNotFound, id)
	}
	return err
}

const dishCols = "canteen_id, barcode, name, price_fen, kcal, protein_mg, fat_mg, carb_mg, allergens, active"

func scanDish(row pgx.Row) (directory.Dish, error) {
	var d directory.Dish
	err := row.Scan(&d.CanteenID, &d.Barcode, &d.Name, &d.PriceFen, &d.Kcal, &d.ProteinMg, &d.FatMg, &d.CarbMg, &d.Allergens, &d.Active)
	if len(d.Allergens) == 0 {
		d.Allergens = nil
	}
	return d, err
}

// PutDish implements directory.Store. The dish upsert touches no row when
// nothing changed; only a change bumps the catalog version, in the same
// transaction (the catalog row lock orders concurrent changes).
func (s *Store) PutDish(ctx context.Context, d directory.Dish) (int64, error) {
	if err := directory.ValidateDish(&d); err != nil {
		return 0, err
	}
	allergens := d.Allergens
	if allergens == nil {
		allergens = []string{}
	}
	var version int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO catalogs (canteen_id, version) VALUES ($1, 0) ON CONFLICT (canteen_id) DO NOTHING", d.CanteenID); err != nil {
			return mapErr("canteen "+d.CanteenID, err)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO dishes (`+dishCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (canteen_id, barcode) DO UPDATE SET name = excluded.name, price_fen = excluded.price_fen,
				kcal = excluded.kcal, protein_mg = excluded.protein_mg, fat_mg = excluded.fat_mg, carb_mg = excluded.carb_mg,
				allergens = excluded.allergens, active = excluded.active
			WHERE (dishes.name, dishes.price_fen, dishes.kcal, dishes.protein_mg, dishes.fat_mg, dishes.carb_mg, dishes.allergens, dishes.active)
				IS DISTINCT FROM (excluded.name, excluded.price_fen, excluded.kcal, excluded.protein_mg, excluded.fat_mg, excluded.carb_mg, excluded.allergens, excluded.active)`,
			d.CanteenID, d.Barcode, d.Name, d.PriceFen, d.Kcal, d.ProteinMg, d.FatMg, d.CarbMg, allergens, d.Active)
		if err != nil {
			return mapErr("dish "+d.Barcode, err)
		}
		bump := "SELECT version FROM catalogs WHERE canteen_id = $1"
		if tag.RowsAffected() == 1 {
			bump = "UPDATE catalogs SET version = version + 1 WHERE canteen_id = $1 RETURNING version"
		}
		return mapErr("catalog version", tx.QueryRow(ctx, bump, d.CanteenID).Scan(&version))
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
	d, err := scanDish(s.pool.QueryRow(ctx, "SELECT "+dishCols+" FROM dishes WHERE canteen_id = $1 AND barcode = $2", canteenID, barcode))
	return d, mapErr("dish "+barcode, err)
}

// ListDishes implements directory.Store.
func (s *Store) ListDishes(ctx context.Context, canteenID, after string, limit int) ([]directory.Dish, error) {
	if err := directory.ValidateDishPage(canteenID, after, limit); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+dishCols+` FROM dishes WHERE canteen_id = $1 AND barcode > $2
		ORDER BY barcode LIMIT $3`, canteenID, after, limit)
	if err != nil {
		return nil, mapErr("list dishes", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Dish, error) { return scanDish(r) })
	return out, mapErr("list dishes", err)
}

// CatalogVersion implements directory.Store.
func (s *Store) CatalogVersion(ctx context.Context, canteenID string) (int64, error) {
	if err := directory.ValidateID("canteen", canteenID); err != nil {
		return 0, err
	}
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT COALESCE((SELECT version FROM catalogs WHERE canteen_id = $1), 0)
		FROM canteens WHERE id = $1`, canteenID).Scan(&v)
	return v, mapErr("canteen "+canteenID, err)
}
