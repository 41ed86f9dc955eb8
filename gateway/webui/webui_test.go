package webui

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func testFS() fstest.MapFS {
	big := strings.Repeat("console.log('onecode');\n", 100)
	return fstest.MapFS{
		"dist/h5/index.html":               {Data: []byte(`<!doctype html><script type="module" src="/h5/assets/index-abc.js"></script>`)},
		"dist/h5/assets/index-abc.js":      {Data: []byte(big)},
		"dist/h5/assets/index-abc.css":     {Data: []byte("body{margin:0}")},
		"dist/h5/robots.txt":               {Data: []byte("User-agent: *\n")},
		"dist/console/index.html":          {Data: []byte(`<!doctype html><title>console</title>`)},
		"dist/console/assets/_helper-x.js": {Data: []byte("export{}")},
		"landing/index.html":               {Data: []byte(`<!doctype html><a href="/h5/">h5</a>`)},
		"landing/landing.css":              {Data: []byte("main{}")},
	}
}

func newTest(t *testing.T) *Handler {
	t.Helper()
	h, err := newFromFS(testFS())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(h http.Handler, method, target string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestServe(t *testing.T) {
	h := newTest(t)
	tests := []struct {
		name, path string
		status     int
		ctype      string
		cache      string
		bodyHas    string
	}{
		{"landing", "/", 200, "text/html; charset=utf-8", "no-cache", `href="/h5/"`},
		{"landing style", "/landing.css", 200, "text/css; charset=utf-8", "no-cache", "main{}"},
		{"h5 index", "/h5/", 200, "text/html; charset=utf-8", "no-cache", "index-abc.js"},
		{"h5 without slash", "/h5", 200, "text/html; charset=utf-8", "no-cache", "index-abc.js"},
		{"h5 index by name", "/h5/index.html", 200, "text/html; charset=utf-8", "no-cache", "index-abc.js"},
		{"SPA fallback", "/h5/child/acc_35001_2024000101/history", 200, "text/html; charset=utf-8", "no-cache", "index-abc.js"},
		{"SPA fallback with query", "/h5/recharges/ord_1?x=1", 200, "text/html; charset=utf-8", "no-cache", "index-abc.js"},
		{"hashed asset", "/h5/assets/index-abc.css", 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", "body{margin:0}"},
		{"underscore asset embedded", "/console/assets/_helper-x.js", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "export{}"},
		{"root file of a face", "/h5/robots.txt", 200, "text/plain; charset=utf-8", "no-cache", "User-agent"},
		{"console fallback", "/console/pupils", 200, "text/html; charset=utf-8", "no-cache", "<title>console</title>"},
		{"missing asset", "/h5/assets/index-zzz.js", 404, "", "no-store", "not found"},
		{"missing asset outside assets", "/h5/favicon.ico", 404, "", "no-store", "not found"},
		{"missing stylesheet deep", "/h5/child/x/app.css", 404, "", "no-store", "not found"},
		{"no traversal", "/h5/../v1/parent/children", 404, "", "no-store", "not found"},
		{"not a face", "/h55/", 404, "", "no-store", "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(h, "GET", tt.path, nil)
			if got := w.Code; got != tt.status {
				t.Fatalf("status %d, want %d", got, tt.status)
			}
			if got := w.Header().Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
			if tt.ctype != "" {
				if got := w.Header().Get("Content-Type"); got != tt.ctype {
					t.Errorf("Content-Type %q, want %q", got, tt.ctype)
				}
			}
			if got := w.Body.String(); !strings.Contains(got, tt.bodyHas) {
				t.Errorf("body %q, want it to contain %q", got, tt.bodyHas)
			}
			checkSecurityHeaders(t, w.Header())
		})
	}
}

func checkSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": ContentSecurityPolicy,
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s %q, want %q", k, got, v)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"frame-ancestors 'none'", "script-src 'self'", "style-src 'self'", "object-src 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q allows inline code or eval", csp)
	}
}

func TestGzipAndETag(t *testing.T) {
	h := newTest(t)
	w := get(h, "GET", "/h5/assets/index-abc.js", map[string]string{"Accept-Encoding": "br, gzip"})
	if got := w.Header().Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", got)
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.HasPrefix(plain, []byte("console.log")) {
		t.Errorf("gunzipped body %.40q", plain)
	}
	if got := w.Header().Get("Vary"); got != "Accept-Encoding" {
		t.Errorf("Vary %q", got)
	}

	for _, ae := range []string{"", "identity", "gzip;q=0"} {
		w := get(h, "GET", "/h5/assets/index-abc.js", map[string]string{"Accept-Encoding": ae})
		if got := w.Header().Get("Content-Encoding"); got != "" {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want none", ae, got)
		}
	}

	etag := w.Header().Get("ETag")
	w = get(h, "GET", "/h5/assets/index-abc.js", map[string]string{"If-None-Match": etag})
	if got := w.Code; got != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", got)
	}
	w = get(h, "HEAD", "/h5/", nil)
	if got := w.Code; got != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, body %d bytes", got, w.Body.Len())
	}
	w = get(h, "POST", "/h5/", nil)
	if got := w.Code; got != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", got)
	}
}

func TestMissingBuildFails(t *testing.T) {
	fs := testFS()
	delete(fs, "dist/console/index.html")
	if _, err := newFromFS(fs); err == nil {
		t.Fatal("newFromFS without console/index.html: no error")
	}
}

// The committed build: every face loads, its index.html has no inline script or
// style (the CSP forbids them) and names only assets that are there.
func TestEmbeddedBuild(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile(`(?:src|href)="(/[^"]+)"`)
	for _, face := range Faces {
		w := get(h, "GET", "/"+face+"/", nil)
		if w.Code != 200 {
			t.Fatalf("%s: status %d", face, w.Code)
		}
		html := w.Body.String()
		if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).MatchString(html) || strings.Contains(html, "<style") || strings.Contains(html, " style=") {
			t.Errorf("%s/index.html has an inline script or style:\n%s", face, html)
		}
		refs := ref.FindAllStringSubmatch(html, -1)
		if len(refs) < 2 {
			t.Errorf("%s/index.html names %d assets, want a script and a stylesheet", face, len(refs))
		}
		for _, m := range refs {
			a := get(h, "GET", m[1], nil)
			if a.Code != 200 || a.Header().Get("Cache-Control") != cacheImmutable {
				t.Errorf("%s: %s answers %d, Cache-Control %q", face, m[1], a.Code, a.Header().Get("Cache-Control"))
			}
		}
	}
}
