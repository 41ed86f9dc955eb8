package webui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// The faces built by `make web` (web/ → dist/) and the hand-written landing page.
//
//go:embed all:dist landing
var content embed.FS

// Patterns are the ServeMux patterns the Handler answers; the rest of the mux (the
// REST API under /v1/, health, metrics) is not the Handler's.
var Patterns = []string{"GET /{$}", "GET /landing.css", "GET /h5/", "GET /console/"}

// Faces are the single-page apps under dist/, each served under /<face>/.
var Faces = []string{"h5", "console"}

// ContentSecurityPolicy allows only the switch's own scripts, styles, fonts and API
// (data: for the icon font and small images), no framing, no plugins, no <base>.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Cache-Control values.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// minGzip is the size from which a text file is also kept gzipped.
const minGzip = 1024

// file is one servable file, kept whole in memory (the build is a few hundred KB).
type file struct {
	body  []byte
	gz    []byte // nil when not worth compressing
	ctype string
	etag  string
	cache string
}

// Handler serves the embedded faces. It is safe for concurrent use.
type Handler struct {
	files map[string]*file // by URL path: "/", "/landing.css", "/h5/assets/x.js", "/h5/index.html"
}

// New loads the embedded build. It fails when a face has no index.html (a build
// that was not made), so that a broken binary stops at start, not at the first visit.
func New() (*Handler, error) {
	return newFromFS(content)
}

func newFromFS(fsys fs.FS) (*Handler, error) {
	h := &Handler{files: map[string]*file{}}
	for _, face := range Faces {
		root := "dist/" + face
		if _, err := fs.Stat(fsys, root+"/index.html"); err != nil {
			return nil, fmt.Errorf("webui: %s has no index.html (run make web): %w", root, err)
		}
		err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			urlPath := "/" + face + strings.TrimPrefix(p, root)
			cache := cacheRevalidate
			if strings.HasPrefix(urlPath, "/"+face+"/assets/") {
				cache = cacheImmutable // Vite names them by content hash
			}
			return h.add(fsys, p, urlPath, cache)
		})
		if err != nil {
			return nil, fmt.Errorf("webui: %w", err)
		}
	}
	if err := h.add(fsys, "landing/index.html", "/", cacheRevalidate); err != nil {
		return nil, fmt.Errorf("webui: %w", err)
	}
	if err := h.add(fsys, "landing/landing.css", "/landing.css", cacheRevalidate); err != nil {
		return nil, fmt.Errorf("webui: %w", err)
	}
	return h, nil
}

func (h *Handler) add(fsys fs.FS, name, urlPath, cache string) error {
	body, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	f := &file{body: body, ctype: contentType(name), etag: `"` + hex.EncodeToString(sum[:12]) + `"`, cache: cache}
	if len(body) >= minGzip && compressible(f.ctype) {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if b.Len() < len(body) {
			f.gz = b.Bytes()
		}
	}
	h.files[urlPath] = f
	return nil
}

// ServeHTTP answers GET and HEAD on Patterns.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	f := h.lookup(r.URL.Path)
	if f == nil {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	serve(w, r, f)
}

// lookup finds the file for a URL path: the file itself, or the face's index.html
// for a client-side route; nil for a missing asset or a path outside the faces.
func (h *Handler) lookup(p string) *file {
	if p != "/" {
		p = path.Clean(p)
	}
	if f, ok := h.files[p]; ok {
		return f
	}
	for _, face := range Faces {
		prefix := "/" + face
		if p != prefix && !strings.HasPrefix(p, prefix+"/") {
			continue
		}
		rest := strings.TrimPrefix(p, prefix)
		if strings.HasPrefix(rest, "/assets/") || looksLikeFile(rest) {
			return nil
		}
		return h.files[prefix+"/index.html"]
	}
	return nil
}

// looksLikeFile is true for a path whose last segment names a static file type: a
// missing one is a 404, never the app's index.html served as script or style.
func looksLikeFile(p string) bool {
	switch path.Ext(p) {
	case ".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp",
		".woff", ".woff2", ".ttf", ".json", ".txt", ".webmanifest", ".html":
		return true
	}
	return false
}

func serve(w http.ResponseWriter, r *http.Request, f *file) {
	hd := w.Header()
	hd.Set("Content-Type", f.ctype)
	hd.Set("Cache-Control", f.cache)
	hd.Set("ETag", f.etag)
	if f.gz != nil {
		hd.Set("Vary", "Accept-Encoding")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		hd.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	hd.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// acceptsGzip reads Accept-Encoding, honouring an explicit q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// contentType is fixed per extension (not read from the host's MIME tables), so
// every machine answers the same.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".ico":
		return "image/x-icon"
	case ".webp":
		return "image/webp"
	case ".woff2":
		return "font/woff2"
	case ".woff":
		return "font/woff"
	case ".ttf":
		return "font/ttf"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".webmanifest":
		return "application/manifest+json"
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.HasPrefix(ctype, "application/json") ||
		strings.HasPrefix(ctype, "image/svg") || strings.HasPrefix(ctype, "application/manifest")
}
