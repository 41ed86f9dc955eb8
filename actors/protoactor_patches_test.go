package actors

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/remote"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// The two tests below hold the patches in third_party/protoactor-go (PATCHES.md)
// in place: under the race detector (make test) each fails on the upstream code.

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
