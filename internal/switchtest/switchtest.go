package switchtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/persistence/directory/pgdirectory"
	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/journal/pgjournal"
	"github.com/onecode/onecode/persistence/pgtest"
)

// Options are what differs between the tests' environments. The zero value
// is the common case: a discarding logger, snapshots every 10 events, the
// wall clock, the frozen test keyring, a graceful member stop.
type Options struct {
	// Name prefixes the cluster member's name (a nanosecond stamp follows);
	// empty means "switchtest".
	Name string
	// Logger is the grains' logger and Deps.Logger; nil discards.
	Logger *slog.Logger
	// MemberLogger is MemberConfig.Logger; nil leaves protoactor's default.
	MemberLogger *slog.Logger
	// SnapshotEvery is the grains' snapshot interval; 0 means 10.
	SnapshotEvery int
	// Now is the grains' clock and Deps.Now; nil means time.Now.
	Now func() time.Time
	// Revocations is the grains' revocation hub and Deps.Revocations (optional).
	Revocations *actors.RevocationHub
	// NoDirectory skips opening the PostgreSQL directory.
	NoDirectory bool
	// FreshKeyring generates a new keyring instead of loading the frozen test
	// keyring of domain/card/testdata.
	FreshKeyring bool
	// AbruptStop stops the member with Stop(false) on cleanup.
	AbruptStop bool
}

// Env is one real switch. Every field is closed by t.Cleanup.
type Env struct {
	DSN       string // the test's fresh database
	Store     *pgjournal.Store
	Writer    *journal.Writer
	Directory *pgdirectory.Store // nil with Options.NoDirectory
	Member    *actors.Member
	Accounts  *actors.Accounts
	Keyring   *card.Keyring
	Logger    *slog.Logger
	Now       func() time.Time
	// Revocations is Options.Revocations.
	Revocations *actors.RevocationHub
}

// Discard is a logger that drops everything.
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// New opens the journal, its writer and the directory on a fresh database,
// starts a one-member cluster of Account grains and loads a keyring.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	ctx := context.Background()
	if o.Name == "" {
		o.Name = "switchtest"
	}
	if o.Logger == nil {
		o.Logger = Discard()
	}
	if o.SnapshotEvery == 0 {
		o.SnapshotEvery = 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	e := &Env{DSN: pgtest.DSN(t), Logger: o.Logger, Now: o.Now, Revocations: o.Revocations}
	var err error
	if e.Store, err = pgjournal.Open(ctx, e.DSN, pgjournal.Options{}); err != nil {
		t.Fatalf("open journal: %v", err)
	}
	t.Cleanup(func() { e.Store.Close() })
	if e.Writer, err = journal.NewWriter(e.Store, journal.WriterOptions{MaxBatch: 64, MaxDelay: time.Millisecond}); err != nil {
		t.Fatalf("writer: %v", err)
	}
	t.Cleanup(func() { e.Writer.Close() })
	if !o.NoDirectory {
		e.Directory = OpenDirectory(t, e.DSN)
	}
	if e.Member, err = actors.StartMember(ctx, actors.MemberConfig{
		Name: fmt.Sprintf("%s-%d", o.Name, time.Now().UnixNano()), Provider: actors.ProviderSingle, Host: "127.0.0.1",
		RequestTimeout: 5 * time.Second, ConsensusTimeout: 20 * time.Second, Logger: o.MemberLogger,
		Kinds: []*cluster.Kind{actors.NewAccountKind(&actors.AccountDeps{
			Writer: e.Writer, Store: e.Store, SnapshotEvery: o.SnapshotEvery, IOTimeout: 5 * time.Second, IdleTimeout: time.Minute,
			Now: o.Now, Logger: o.Logger, Revocations: o.Revocations,
		})},
	}); err != nil {
		t.Fatalf("start member: %v", err)
	}
	t.Cleanup(func() { e.Member.Stop(!o.AbruptStop) })
	e.Accounts = actors.NewAccounts(e.Member.Cluster, 5*time.Second, 3)
	if o.FreshKeyring {
		e.Keyring = FreshKeyring(t)
	} else {
		e.Keyring = TestKeyring(t)
	}
	return e
}

// Deps are the services' dependencies on this switch; the keys (IDHashKey,
// PhoneHashKey), Cache and Sessions are left to the test.
func (e *Env) Deps() gateway.Deps {
	d := gateway.Deps{Accounts: e.Accounts, Journal: e.Store, Keyring: e.Keyring, Revocations: e.Revocations,
		Now: e.Now, Rand: rand.Reader, Logger: e.Logger}
	if e.Directory != nil {
		d.Directory = e.Directory
	}
	return d
}

// OpenDirectory opens the PostgreSQL directory on dsn, closed on cleanup.
func OpenDirectory(t testing.TB, dsn string) *pgdirectory.Store {
	t.Helper()
	dir, err := pgdirectory.Open(context.Background(), dsn, pgdirectory.Options{})
	if err != nil {
		t.Fatalf("open directory: %v", err)
	}
	t.Cleanup(func() { dir.Close() })
	return dir
}

// TestKeyring is the frozen test keyring of domain/card (TEST KEYS ONLY).
func TestKeyring(t testing.TB) *card.Keyring {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("switchtest: no source path for the test keyring")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "domain", "card", "testdata")
	ring, err := os.ReadFile(filepath.Join(dir, "keyring.json"))
	if err != nil {
		t.Fatal(err)
	}
	kek, err := os.ReadFile(filepath.Join(dir, "kek.pem"))
	if err != nil {
		t.Fatal(err)
	}
	kr, err := card.LoadKeyring(ring, kek)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// FreshKeyring is a newly generated keyring.
func FreshKeyring(t testing.TB) *card.Keyring {
	t.Helper()
	kjson, kpem, err := card.NewKeyring(rand.Reader, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	kr, err := card.LoadKeyring(kjson, kpem)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// Serve starts gateway.New(cfg, register) and shuts it down on cleanup (5 s).
// Empty GRPCAddr and HTTPAddr mean 127.0.0.1:0.
func Serve(t testing.TB, cfg gateway.Config, register func(*grpc.Server)) *gateway.Server {
	t.Helper()
	if cfg.GRPCAddr == "" {
		cfg.GRPCAddr = "127.0.0.1:0"
	}
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = "127.0.0.1:0"
	}
	srv, err := gateway.New(context.Background(), cfg, register)
	if err != nil {
		t.Fatalf("gateway: %v", err)
	}
	go srv.Serve()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})
	return srv
}

// Dial is an insecure gRPC client of srv, closed on cleanup.
func Dial(t testing.TB, srv *gateway.Server) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
