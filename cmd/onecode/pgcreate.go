package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PostgreSQL error codes ensureDatabase tells apart.
const (
	pgInvalidCatalogName = "3D000" // the database does not exist
	pgDuplicateDatabase  = "42P04" // CREATE DATABASE lost to another creator
	pgUniqueViolation    = "23505" // the same race, seen on pg_database's index
)

// pgSetupTimeout bounds each connection ensureDatabase makes when the DSN sets none.
const pgSetupTimeout = 10 * time.Second

// maintenanceDBs are the databases ensureDatabase connects to in order to create the
// one the DSN names; every server has them.
var maintenanceDBs = []string{"postgres", "template1"}

// ensureDatabase creates the database dsn names when the server says it does not
// exist, so that "onecode serve --postgres-dsn …/onecode" starts on a fresh server. It
// connects to a maintenance database with the same credentials (the role needs
// CREATEDB) and tolerates another member creating it at the same moment. Any other
// connection error is left to the stores to report.
func ensureDatabase(ctx context.Context, dsn string, logger *slog.Logger) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("postgres dsn: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = pgSetupTimeout
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		return conn.Close(ctx)
	}
	if !pgCode(err, pgInvalidCatalogName) || cfg.Database == "" {
		return nil
	}
	name := cfg.Database
	var createErr error
	for _, maint := range maintenanceDBs {
		mc := cfg.Copy()
		mc.Database = maint
		c, err := pgx.ConnectConfig(ctx, mc)
		if err != nil {
			createErr = err
			continue
		}
		_, err = c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
		c.Close(ctx)
		switch {
		case err == nil:
			logger.Info("created the PostgreSQL database", slog.String("database", name))
			return nil
		case pgCode(err, pgDuplicateDatabase), pgCode(err, pgUniqueViolation):
			return nil // another member created it first
		}
		createErr = err
		break
	}
	return fmt.Errorf("PostgreSQL database %q does not exist and could not be created (%w); create it with: "+
		"createdb -h %s -p %d -U %s '%s' (or give the role CREATEDB)", name, createErr, cfg.Host, cfg.Port, cfg.User, name)
}

// pgCode reports whether err is a PostgreSQL error with SQLSTATE code.
func pgCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}
