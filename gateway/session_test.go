package gateway_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/onecode/onecode/app/access"

	"github.com/onecode/onecode/persistence/cache"
)

// TestForwardedClientAddress: behind one trusted proxy the X-Forwarded-For
// the proxy appends names the client, so each client has its own limit.
func TestForwardedClientAddress(t *testing.T) {
	m, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := newAuthEnvHops(t, m, access.AuthOptions{StaffLoginPerAddr: cache.PerMinute(2)}, 1)
	e.seedStaff(t)
	login := func(client string, i int) int {
		code, _ := e.rest(t, "POST", "/v1/auth/staff/login", "", map[string]any{"school_id": "35001", "username": fmt.Sprint("u", i), "password": "x"},
			"X-Forwarded-For", client)
		return code
	}
	for i := range 2 {
		if code := login("198.51.100.1", i); code != http.StatusUnauthorized {
			t.Fatalf("client 1 try %d: %d", i, code)
		}
	}
	if code := login("198.51.100.1", 3); code != http.StatusTooManyRequests {
		t.Errorf("client 1 over its limit: %d, want 429", code)
	}
	if code := login("198.51.100.2", 4); code != http.StatusUnauthorized {
		t.Errorf("client 2: %d, want its own limit (401 for a wrong password)", code)
	}
}
