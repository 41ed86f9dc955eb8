package tests

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onecode/onecode/internal/switchproc"
	"github.com/onecode/onecode/persistence/pgtest"
)

// pgServer is a throwaway PostgreSQL of one test (never the shared server): its own
// data dir, port and socket dir, run as a child process that the test can SIGKILL.
type pgServer struct {
	bin     string // directory of initdb and postgres
	dataDir string
	logDir  string
	port    int
	cred    *syscall.Credential // the postgres user when running as root
	cmd     *exec.Cmd
	done    chan struct{}
	runs    int
}

// startPostgres initdb's a cluster in a temp dir and starts it. Without PostgreSQL
// binaries the test fails when services are required (CI), else skips.
func startPostgres(t *testing.T, ctx context.Context) *pgServer {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(bins) == 0 {
		if pgtest.RequireServices() {
			t.Fatal("no PostgreSQL binaries under /usr/lib/postgresql/*/bin and services are required")
		}
		t.Skip("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
	}
	sort.Strings(bins)
	s := &pgServer{bin: filepath.Dir(bins[len(bins)-1])}

	base := t.TempDir()
	s.dataDir, s.logDir = filepath.Join(base, "pgdata"), base
	if os.Geteuid() == 0 {
		// initdb refuses root: run as the postgres user, who must reach the temp dir.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root and no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		for _, d := range []string{filepath.Dir(base), base} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Mkdir(s.dataDir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(s.dataDir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	initdb := exec.CommandContext(ctx, filepath.Join(s.bin, "initdb"), "-D", s.dataDir, "-A", "trust", "-U", "postgres",
		"-E", "UTF8", "--no-locale", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port, err := switchproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s.port = port
	t.Cleanup(func() {
		s.kill(t)
		if t.Failed() {
			for i := 1; i <= s.runs; i++ {
				b, _ := os.ReadFile(s.logPath(i))
				if len(b) > 4000 {
					b = b[len(b)-4000:]
				}
				t.Logf("postgres run %d log tail:\n%s", i, b)
			}
		}
	})
	s.start(t, ctx)
	return s
}

func (s *pgServer) logPath(run int) string {
	return filepath.Join(s.logDir, fmt.Sprintf("postgres-%d.log", run))
}

// adminDSN is the postgres database of the throwaway server.
func (s *pgServer) adminDSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", s.port)
}

func (s *pgServer) start(t *testing.T, ctx context.Context) {
	t.Helper()
	s.runs++
	log, err := os.Create(s.logPath(s.runs))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), "-D", s.dataDir, "-p", strconv.Itoa(s.port), "-k", s.dataDir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "max_connections=100")
	cmd.Stdout, cmd.Stderr = log, log
	// It dies with the test process (its backends then exit on postmaster death).
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		t.Fatalf("start postgres: %v", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	done := s.done
	go func() {
		cmd.Wait()
		log.Close()
		close(done)
	}()
	// Poll until it accepts connections (crash recovery runs first after a kill).
	deadline, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		cctx, ccancel := context.WithTimeout(deadline, 2*time.Second)
		conn, err := pgx.Connect(cctx, s.adminDSN())
		ccancel()
		if err == nil {
			conn.Close(context.Background())
			return
		}
		select {
		case <-done:
			b, _ := os.ReadFile(s.logPath(s.runs))
			t.Fatalf("postgres exited at start:\n%s", b)
		case <-deadline.Done():
			t.Fatalf("postgres not accepting connections within 30s: %v", err)
		case <-tick.C:
		}
	}
}

// kill sends SIGKILL to the postmaster and to every backend (PostgreSQL children
// call setsid, so a process group does not reach them), as a crash would, and waits
// until all of them are gone.
func (s *pgServer) kill(t *testing.T) {
	t.Helper()
	if s.cmd == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	pid := s.cmd.Process.Pid
	children := childrenOf(pid)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Errorf("SIGKILL postgres %d: %v", pid, err)
	}
	for _, c := range children {
		syscall.Kill(c, syscall.SIGKILL)
	}
	<-s.done
	deadline := time.Now().Add(10 * time.Second)
	for _, c := range children {
		for alive(c) {
			if time.Now().After(deadline) {
				t.Errorf("postgres backend %d still alive 10s after SIGKILL", c)
				return
			}
			<-time.After(pollInterval)
		}
	}
}

// alive reports whether pid is a live process (a zombie waiting for its reaper is not).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || len(b) < i+3 || b[i+2] != 'Z'
}

// childrenOf lists the processes whose parent is pid (from /proc).
func childrenOf(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(b[i+1:]))
		if len(fields) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(fields[1]); err == nil && ppid == pid {
			if c, err := strconv.Atoi(filepath.Base(filepath.Dir(f))); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// restart starts the server again on the same data dir and port.
func (s *pgServer) restart(t *testing.T, ctx context.Context) {
	t.Helper()
	s.start(t, ctx)
}

// createDatabase creates a database and returns its DSN.
func (s *pgServer) createDatabase(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	conn, err := pgx.Connect(ctx, s.adminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable&connect_timeout=5", s.port, name)
}
