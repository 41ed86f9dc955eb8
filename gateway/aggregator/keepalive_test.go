package aggregator_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// TestDefaultClientKeepsConnectionsOpen: calls made at once by as many parents
// as a rush has reuse the connections of the previous wave instead of opening
// one each (http.DefaultTransport keeps 2 idle, so 14 of 16 would be new).
func TestDefaultClientKeepsConnectionsOpen(t *testing.T) {
	const wave = 16
	var (
		newConns atomic.Int64
		mu       sync.Mutex
		inFlight int
		all      = make(chan struct{})
		seen     = map[string]bool{} // remote addresses: one per connection
	)
	reply := paidOrder(t)
	// New connections are counted by their remote address in the handler (the
	// server's ConnState cannot be set once it serves: a data race).
	_, srv := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		// Every call of a wave is in flight at once (each on its own connection)
		// before any is answered; a wave that never fills answers after 5 s.
		mu.Lock()
		if !seen[r.RemoteAddr] {
			seen[r.RemoteAddr] = true
			newConns.Add(1)
		}
		if inFlight++; inFlight == wave {
			close(all)
		}
		ch := all
		mu.Unlock()
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
		}
		reply(w, r)
	})
	cl := newClient(t, srv.URL, 10*time.Second, time.Minute)
	run := func() int64 {
		before := newConns.Load()
		var wg sync.WaitGroup
		for range wave {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := cl.QueryOrder(context.Background(), keys(t).merchant, "R000000001"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		mu.Lock()
		inFlight, all = 0, make(chan struct{})
		mu.Unlock()
		return newConns.Load() - before
	}
	if got := run(); got != wave {
		t.Fatalf("first wave opened %d connections, want %d (one per call in flight)", got, wave)
	}
	// A connection goes back to the pool just after its answer is read, so a
	// call of the second wave may race one still on its way back: a few new
	// connections are tolerated, not one per call.
	if got := run(); got > wave/4 {
		t.Errorf("second wave opened %d new connections, want at most %d (kept alive: %d)", got, wave/4, aggregator.MaxIdlePerHost)
	}
}
