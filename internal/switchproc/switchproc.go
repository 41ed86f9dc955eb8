// Package switchproc runs a real "onecode serve" as a child process, for end-to-end
// tests and the load generator: start it on given flags, wait for /readyz with a
// deadline, stop it with SIGTERM or kill it with SIGKILL, restart it on the same data
// dir and ports. Its stderr (the JSON log) goes to a file.
package switchproc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Defaults.
const (
	// DefaultReadyTimeout bounds Start's wait for /readyz.
	DefaultReadyTimeout = 30 * time.Second
	// DefaultStopTimeout bounds Stop's wait after SIGTERM before it kills.
	DefaultStopTimeout = 20 * time.Second
	// buildTimeout bounds "go build".
	buildTimeout = 5 * time.Minute
	// readyPoll is the /readyz polling interval.
	readyPoll = 50 * time.Millisecond
	// maxTail bounds what StderrTail reads back.
	maxTail = 64 << 10
	// mainPackage is the binary's import path.
	mainPackage = "github.com/onecode/onecode/cmd/onecode"
)

var (
	buildMu  sync.Mutex
	buildDir string
	buildBin string
)

// Build compiles cmd/onecode once per process (the test binary) into a temp dir and
// returns the binary's path. The current directory must be inside the module (as it is
// for go test). RemoveBuild deletes it (call it from TestMain or a cleanup); a later
// Build compiles again.
func Build() (string, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	if buildBin != "" {
		return buildBin, nil
	}
	dir, err := os.MkdirTemp("", "onecode-switchproc-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "onecode")
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, mainPackage).CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("switchproc: go build %s: %w\n%s", mainPackage, err, out)
	}
	buildDir, buildBin = dir, bin
	return bin, nil
}

// RemoveBuild deletes the binary made by Build.
func RemoveBuild() {
	buildMu.Lock()
	defer buildMu.Unlock()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	buildDir, buildBin = "", ""
}

// Options say how to run "onecode serve".
type Options struct {
	// Binary is the onecode executable (Build, or os.Executable in the binary itself).
	Binary string
	// PostgresDSN is --postgres-dsn; empty runs on the embedded store in DataDir.
	PostgresDSN string
	// DataDir is --data-dir (required): keys and the operator token live there, so a
	// restart must use the same one.
	DataDir string
	// GRPCAddr and HTTPAddr are --grpc-addr and --http-addr; empty picks free
	// loopback ports (kept on Restart).
	GRPCAddr, HTTPAddr string
	// LogLevel is --log-level (default info).
	LogLevel string
	// Args are further flags of serve.
	Args []string
	// Env is added to the environment of the child.
	Env []string
	// StderrDir receives serve-<n>.stderr files (default DataDir/..).
	StderrDir string
	// ReadyTimeout bounds the wait for /readyz (default DefaultReadyTimeout).
	ReadyTimeout time.Duration
}

// Process is a running (or exited) "onecode serve".
type Process struct {
	opts       Options
	cmd        *exec.Cmd
	stderrPath string
	stderr     *os.File
	done       chan struct{}
	waitErr    error
	run        int
}

// GRPCAddr is where the child serves gRPC.
func (p *Process) GRPCAddr() string { return p.opts.GRPCAddr }

// HTTPAddr is where the child serves REST, /healthz and /readyz.
func (p *Process) HTTPAddr() string { return p.opts.HTTPAddr }

// DataDir is the child's --data-dir.
func (p *Process) DataDir() string { return p.opts.DataDir }

// Pid is the child's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// StderrPath is the file holding this run's stderr.
func (p *Process) StderrPath() string { return p.stderrPath }

// Done is closed once the child has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// ExitErr is the child's exit status once Done is closed.
func (p *Process) ExitErr() error {
	<-p.done
	return p.waitErr
}

// Start starts "onecode serve" and waits until /readyz answers 200 (within
// ReadyTimeout and ctx). On failure the child is killed and the error carries the
// tail of its stderr. When the ports were picked here and the child could not bind
// one, Start tries once more with fresh ports.
func Start(ctx context.Context, opts Options) (*Process, error) {
	if opts.Binary == "" || opts.DataDir == "" {
		return nil, errors.New("switchproc: Binary and DataDir are required")
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("switchproc: data dir: %w", err)
	}
	picked := opts.GRPCAddr == "" || opts.HTTPAddr == ""
	for attempt := 0; ; attempt++ {
		o := opts
		if err := pickPorts(&o); err != nil {
			return nil, err
		}
		p, err := start(ctx, o, attempt+1)
		if err == nil || !picked || attempt > 0 || !strings.Contains(err.Error(), "address already in use") {
			return p, err
		}
	}
}

// Restart starts the child again with the same options (data dir, ports) after it
// has exited (Kill or Stop first), and waits until it is ready.
func (p *Process) Restart(ctx context.Context) (*Process, error) {
	select {
	case <-p.done:
	default:
		return nil, errors.New("switchproc: Restart of a running process")
	}
	waitBindable(ctx, p.opts.GRPCAddr, p.opts.HTTPAddr)
	return start(ctx, p.opts, p.run+1)
}

// waitBindable polls, for at most 15 s, until each loopback address can be
// listened on again: after a SIGKILL another process's outgoing connection may
// hold the port for a moment as its ephemeral port.
func waitBindable(ctx context.Context, addrs ...string) {
	deadline := time.Now().Add(15 * time.Second)
	for _, a := range addrs {
		for time.Now().Before(deadline) && ctx.Err() == nil {
			l, err := net.Listen("tcp", a)
			if err == nil {
				l.Close()
				break
			}
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

func pickPorts(o *Options) error {
	for _, a := range []*string{&o.GRPCAddr, &o.HTTPAddr} {
		if *a != "" {
			continue
		}
		port, err := FreePort()
		if err != nil {
			return err
		}
		*a = fmt.Sprintf("127.0.0.1:%d", port)
	}
	return nil
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("switchproc: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func start(ctx context.Context, o Options, run int) (*Process, error) {
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = DefaultReadyTimeout
	}
	if o.LogLevel == "" {
		o.LogLevel = "info"
	}
	dir := o.StderrDir
	if dir == "" {
		dir = filepath.Dir(filepath.Clean(o.DataDir))
	}
	stderrPath := filepath.Join(dir, fmt.Sprintf("serve-%s-%d.stderr", filepath.Base(o.DataDir), run))
	f, err := os.OpenFile(stderrPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("switchproc: stderr file: %w", err)
	}
	args := []string{"serve", "--data-dir", o.DataDir, "--grpc-addr", o.GRPCAddr, "--http-addr", o.HTTPAddr, "--log-level", o.LogLevel}
	if o.PostgresDSN != "" {
		args = append(args, "--postgres-dsn", o.PostgresDSN)
	}
	args = append(args, o.Args...)
	cmd := exec.Command(o.Binary, args...)
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.Env = append(os.Environ(), o.Env...)
	// The child dies with its parent (a killed test leaves no server behind).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("switchproc: start %s: %w", o.Binary, err)
	}
	p := &Process{opts: o, cmd: cmd, stderrPath: stderrPath, stderr: f, done: make(chan struct{}), run: run}
	go func() {
		p.waitErr = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	if err := p.WaitReady(ctx, o.ReadyTimeout); err != nil {
		p.Kill()
		return nil, fmt.Errorf("%w\n--- stderr tail (%s) ---\n%s", err, stderrPath, p.StderrTail(30))
	}
	return p, nil
}

// WaitReady polls /readyz until it answers 200, the child exits, or timeout/ctx ends.
func (p *Process) WaitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	url := "http://" + p.opts.HTTPAddr + "/readyz"
	tick := time.NewTicker(readyPoll)
	defer tick.Stop()
	last := "no answer yet"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(body))
		} else {
			last = err.Error()
		}
		select {
		case <-p.done:
			return fmt.Errorf("switchproc: serve exited before ready (%v)", p.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("switchproc: not ready within %s: last /readyz: %s", timeout, last)
		case <-tick.C:
		}
	}
}

// Kill sends SIGKILL and waits for the exit.
func (p *Process) Kill() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("switchproc: SIGKILL: %w", err)
	}
	<-p.done
	return nil
}

// Stop sends SIGTERM and waits up to timeout (default DefaultStopTimeout) for a clean
// exit, then kills. It reports a kill or a non-zero exit as an error.
func (p *Process) Stop(timeout time.Duration) error {
	if timeout <= 0 {
		timeout = DefaultStopTimeout
	}
	select {
	case <-p.done:
		return p.waitErr
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("switchproc: SIGTERM: %w", err)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return p.waitErr
	case <-t.C:
		p.Kill()
		return fmt.Errorf("switchproc: no exit within %s of SIGTERM: killed", timeout)
	}
}

// OperatorToken reads <data-dir>/operator.token.
func (p *Process) OperatorToken() (string, error) {
	return ReadOperatorToken(p.opts.DataDir)
}

// ReadOperatorToken reads the operator token a member created under dataDir.
func ReadOperatorToken(dataDir string) (string, error) {
	f, err := os.Open(filepath.Join(dataDir, "operator.token"))
	if err != nil {
		return "", fmt.Errorf("switchproc: operator token: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4<<10))
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", errors.New("switchproc: operator token file is empty")
	}
	return tok, nil
}

// StderrTail returns the last n lines of this run's stderr.
func (p *Process) StderrTail(n int) string {
	return tailLines(p.stderrPath, n)
}

func tailLines(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(stderr unavailable: %v)", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > maxTail {
		f.Seek(fi.Size()-maxTail, io.SeekStart)
	}
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxTail)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
