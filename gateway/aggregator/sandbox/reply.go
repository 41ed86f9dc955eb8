package sandbox

import (
	"bytes"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// fail writes an error answer: {"code","message"}, unsigned (WeChat Pay signs 2xx
// answers only).
func (s *Server) fail(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(aggregator.ErrorBody{Code: code, Message: msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-ID", s.randomHex(16))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Server) writeSigned(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sandbox: marshal %T: %v", v, err)) // our own types always marshal
	}
	s.writeSignedBytes(w, status, b)
}

// writeSignedBytes signs the answer (Wechatpay-* headers).
func (s *Server) writeSignedBytes(w http.ResponseWriter, status int, body []byte) {
	key, serial := s.signer()
	s.writeSignedWith(w, status, body, key, serial)
}

func (s *Server) writeSignedWith(w http.ResponseWriter, status int, body []byte, key *rsa.PrivateKey, serial string) {
	h, err := s.signHeadersWith(body, key, serial)
	if err != nil {
		http.Error(w, "sign", http.StatusInternalServerError)
		return
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	if body != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) randomHex(n int) string {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.cfg.Random, b); err != nil {
		panic(fmt.Sprintf("sandbox: random: %v", err)) // crypto/rand does not fail
	}
	return hex.EncodeToString(b)
}

func writePlainJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// nonceSet remembers request nonces for twice the skew window, bounded.
type nonceSet struct {
	seen  map[string]time.Time
	order []string
}

func (n *nonceSet) add(nonce string, now time.Time) bool {
	for len(n.order) > 0 && (len(n.order) >= maxNonces || now.Sub(n.seen[n.order[0]]) > 2*aggregator.MaxSkew) {
		delete(n.seen, n.order[0])
		n.order = n.order[1:]
	}
	if _, dup := n.seen[nonce]; dup {
		return false
	}
	n.seen[nonce] = now
	n.order = append(n.order, nonce)
	return true
}
