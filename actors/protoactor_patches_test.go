package actors

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/remote"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// The tests below hold the patches in third_party/protoactor-go (PATCHES.md) in
// place: each fails on the upstream code (the first two under the race detector, as
// make test runs them).

// TestBlockListConcurrentUse: the gossip loop asks IsBlocked while topology
// changes Block; upstream read without the lock.
func TestBlockListConcurrentUse(t *testing.T) {
	bl := remote.NewBlockList()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 200 {
			bl.Block(fmt.Sprint("member-", i))
		}
	}()
	go func() {
		defer wg.Done()
		for i := range 200 {
			bl.IsBlocked(fmt.Sprint("member-", i))
			bl.BlockedMembers()
		}
	}()
	wg.Wait()
	if !bl.IsBlocked("member-199") || bl.Len() != 200 {
		t.Fatalf("block list lost members: %d of 200", bl.Len())
	}
}

// TestMemberStartsBesideLiveGRPC starts and stops members while other gRPC
// connections of the process open and close. Upstream, every member start
// replaced grpc's global logger, which those connections read unguarded.
func TestMemberStartsBesideLiveGRPC(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(lis)
	defer srv.Stop()

	type result struct {
		calls int
		err   error
	}
	stop := make(chan struct{})
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() { done <- r }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				r.err = err
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, r.err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
			cancel()
			conn.Close()
			if r.err != nil {
				return
			}
			r.calls++
		}
	}()
	for range 3 {
		m, err := StartMember(context.Background(), MemberConfig{
			Name: fmt.Sprintf("test-%d", time.Now().UnixNano()), Provider: ProviderSingle, Host: "127.0.0.1",
			RequestTimeout: 5 * time.Second, ConsensusTimeout: 20 * time.Second,
		})
		if err != nil {
			close(stop)
			t.Fatalf("start member: %v", err)
		}
		m.Stop(true)
	}
	close(stop)
	if r := <-done; r.err != nil || r.calls == 0 {
		t.Fatalf("gRPC beside the member starts: %d calls, %v", r.calls, r.err)
	}
}

// TestAutomanagedHealthBindsMemberHost: a member bound to 127.0.0.1 serves its
// membership health endpoint on 127.0.0.1 only (issue 10, defect 8). Upstream it
// listened on 0.0.0.0, reachable from every interface of the machine.
func TestAutomanagedHealthBindsMemberHost(t *testing.T) {
	port := freePort(t)
	m, err := StartMember(context.Background(), MemberConfig{
		Name: fmt.Sprintf("health-%d", time.Now().UnixNano()), Provider: ProviderAutomanaged, Host: "127.0.0.1",
		AutoManPort: port, Peers: []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(port))},
		RequestTimeout: 5 * time.Second, ConsensusTimeout: 30 * time.Second,
	})
	if err != nil {
		t.Fatalf("start member: %v", err)
	}
	defer m.Stop(false)

	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + "/_health")
	if err != nil {
		t.Fatalf("health on the member's host: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("health on the member's host: %s", resp.Status)
	}
	probes := otherLocalAddrs(t)
	if len(probes) == 0 {
		t.Fatal("no local address other than 127.0.0.1 to probe from")
	}
	for _, ip := range probes {
		addr := net.JoinHostPort(ip, strconv.Itoa(port))
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("the health endpoint of a member bound to 127.0.0.1 answers on %s", addr)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// otherLocalAddrs are addresses of this machine other than 127.0.0.1 that a
// listener on every interface answers on: the interfaces' IPv4 addresses, and
// 127.0.0.2 where the loopback network routes it (Linux).
func otherLocalAddrs(t *testing.T) []string {
	t.Helper()
	var out []string
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			out = append(out, n.IP.String())
		}
	}
	// A listener on every interface answers on 127.0.0.2 here?
	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	probe := net.JoinHostPort("127.0.0.2", strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	if c, err := net.DialTimeout("tcp", probe, time.Second); err == nil {
		c.Close()
		out = append(out, "127.0.0.2")
	}
	return out
}
