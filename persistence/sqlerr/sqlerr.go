// Package sqlerr maps PostgreSQL and SQLite errors onto a store's own errors, so that
// the directory and orders stores on either database classify them alike. (The journal
// has conflict rules of its own and does not use it.)
package sqlerr

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Mapper is one store's error set: what a constraint or a missing row becomes. What
// reaches a constraint has slipped past validation or lost a race.
type Mapper struct {
	// Store prefixes errors that map to none of the three ("pgorders: …").
	Store                       string
	NotFound, Conflict, Invalid error
}

// Postgres maps err of a pgx call made for what (nil stays nil).
func (m Mapper) Postgres(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %s", m.NotFound, what)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %s: %w", m.Conflict, what, err)
		case "23503": // foreign_key_violation: what it refers to is missing
			return fmt.Errorf("%w: %s: %w", m.NotFound, what, err)
		case "23514", "23502", "22001", "22P02", "22003": // check, not null, too long, bad text, out of range
			return fmt.Errorf("%w: %s: %w", m.Invalid, what, err)
		}
	}
	return m.other(what, err)
}

// SQLite maps err of a database/sql call on modernc.org/sqlite made for what.
func (m Mapper) SQLite(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", m.NotFound, what)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %s: %w", m.Conflict, what, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY: // what it refers to is missing
			return fmt.Errorf("%w: %s: %w", m.NotFound, what, err)
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_DATATYPE:
			return fmt.Errorf("%w: %s: %w", m.Invalid, what, err)
		}
	}
	return m.other(what, err)
}

// other passes the store's own errors through and prefixes the rest.
func (m Mapper) other(what string, err error) error {
	if errors.Is(err, m.NotFound) || errors.Is(err, m.Conflict) || errors.Is(err, m.Invalid) {
		return err
	}
	return fmt.Errorf("%s: %s: %w", m.Store, what, err)
}

// SQLiteTx runs f in a transaction of db (BEGIN IMMEDIATE, as migrate.SQLiteDSN
// sets), committed if f returns nil, rolled back otherwise; begin and commit
// errors go through m.
func (m Mapper) SQLiteTx(ctx context.Context, db *sql.DB, f func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return m.SQLite("begin", err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return m.SQLite("commit", tx.Commit())
}
