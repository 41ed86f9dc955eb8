package webui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/webui"
)

// The pages as gateway.New mounts them: /, /h5/ and /console/ are the pages; the REST
// API and every other path keep their JSON 404.
func TestMountedInGateway(t *testing.T) {
	web, err := webui.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := gateway.New(ctx, gateway.Config{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Web: web}, nil)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Shutdown(ctx)
	base := "http://" + srv.HTTPAddr()
	client := &http.Client{Timeout: 10 * time.Second}

	tests := []struct {
		method, path string
		status       int
		page         bool // an HTML page with the security headers, else a JSON error
	}{
		{"GET", "/", 200, true},
		{"GET", "/h5/", 200, true},
		{"GET", "/h5/child/acc_1", 200, true},
		{"GET", "/console/pupils", 200, true},
		{"GET", "/h5/assets/missing-000.js", 404, false},
		{"GET", "/v1/nope", 404, false},
		{"POST", "/", 404, false},
		{"GET", "/nope", 404, false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(ctx, tt.method, base+tt.path, nil)
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if got := res.StatusCode; got != tt.status {
				t.Fatalf("status %d, want %d", got, tt.status)
			}
			csp := res.Header.Get("Content-Security-Policy")
			ctype := res.Header.Get("Content-Type")
			switch {
			case tt.page:
				if csp != webui.ContentSecurityPolicy || !strings.HasPrefix(ctype, "text/html") {
					t.Errorf("page: CSP %q, Content-Type %q", csp, ctype)
				}
			case strings.HasPrefix(tt.path, "/h5/"):
				if csp != webui.ContentSecurityPolicy {
					t.Errorf("missing asset: CSP %q", csp)
				}
			default:
				var body gateway.ErrorBody
				if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.Error.Code != 404 {
					t.Errorf("want a JSON 404 body, got %v (%v)", body, err)
				}
			}
		})
	}
}
