package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultDSN is the admin DSN used when ONECODE_TEST_PG_DSN is unset.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

const connectTimeout = 5 * time.Second

// DSN creates a fresh database onecode_t_<random>, drops it when the test
// ends, and returns its DSN. If the server is unreachable the test is
// skipped, or failed when services are required (CI).
func DSN(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("ONECODE_TEST_PG_DSN")
	if admin == "" {
		admin = DefaultDSN
	}
	name := "onecode_t_" + randomHex(t, 8)
	dsn, err := withDatabase(admin, name)
	if err != nil {
		t.Fatalf("pgtest: ONECODE_TEST_PG_DSN: %v", err)
	}
	if err := exec(admin, "CREATE DATABASE "+name); err != nil {
		unavailable(t, "PostgreSQL", err)
	}
	t.Cleanup(func() {
		if err := exec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return dsn
}

// exec runs one statement on its own short-lived connection.
func exec(dsn, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*connectTimeout)
	defer cancel()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return err
	}
	cfg.ConnectTimeout = connectTimeout
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// withDatabase returns dsn (URL or keyword/value form) naming database name.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	return dsn + " dbname=" + name, nil // the last keyword wins
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("pgtest: random: %v", err)
	}
	return hex.EncodeToString(b)
}

// RequireServices reports whether an unreachable test service must fail
// the test rather than skip it.
func RequireServices() bool {
	return os.Getenv("CI") == "true" || os.Getenv("ONECODE_TEST_REQUIRE_SERVICES") == "1"
}

func unavailable(t testing.TB, service string, err error) {
	t.Helper()
	if RequireServices() {
		t.Fatalf("pgtest: %s unavailable and services are required (CI=true or ONECODE_TEST_REQUIRE_SERVICES=1): %v", service, err)
	}
	t.Skipf("pgtest: %s unavailable, skipping (set ONECODE_TEST_REQUIRE_SERVICES=1 to fail instead; ONECODE_TEST_PG_DSN to point elsewhere): %v", service, err)
}
