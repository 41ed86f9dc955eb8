package main

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/persistence/pgtest"
)

// TestServeCreatesMissingDatabase is issue 10's defect 5: serve --postgres-dsn naming a
// database the server does not have creates it (several members at once), then
// opens the stores on it.
func TestServeCreatesMissingDatabase(t *testing.T) {
	base := pgtest.DSN(t) // a fresh database of our own, to reach the server from
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	name := u.Path[1:] + "_New-DB" // needs a quoted identifier
	u.Path = "/" + name
	dsn := u.String()
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("cleanup: drop %s: %v", name, err)
		}
	})
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	// Three members start at once on the fresh server.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = ensureDatabase(ctx, dsn, logger)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("member %d: %v", i, err)
		}
	}

	cfg := DefaultConfig()
	cfg.Server.PostgresDSN = dsn
	st, err := openStores(ctx, cfg, logger)
	if err != nil {
		t.Fatalf("openStores on %s: %v", name, err)
	}
	defer st.Close()
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

// TestEnsureDatabaseSaysWhatToRun: when the role may not create it, the error names
// the database and the command to run.
func TestEnsureDatabaseSaysWhatToRun(t *testing.T) {
	ctx := context.Background()
	base := pgtest.DSN(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) }) // after the role is dropped
	role := u.Path[1:] + "_nocreate"      // unique like the test's database
	if _, err := conn.Exec(ctx, "CREATE ROLE "+role+" LOGIN NOCREATEDB"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+role); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	u.User = url.User(role)
	u.Path += "_never"
	err = ensureDatabase(ctx, u.String(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		t.Fatal("a role without CREATEDB created a database")
	}
	for _, want := range []string{`"` + u.Path[1:] + `" does not exist`, "createdb -h 127.0.0.1", "-U " + role + " '" + u.Path[1:] + "'"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
