package sms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Header names of a signed request.
const (
	HeaderKeyID     = "X-Sms-Key-Id"
	HeaderTimestamp = "X-Sms-Timestamp" // unix seconds
	HeaderNonce     = "X-Sms-Nonce"
	HeaderSignature = "X-Sms-Signature" // base64 HMAC-SHA256 of Canonical
)

// MaxSkew is how far a signed request's timestamp may be from the verifier's clock.
const MaxSkew = 5 * time.Minute

// ErrSignature is a request whose signature, key or timestamp does not verify.
var ErrSignature = errors.New("sms: bad signature")

// Credentials are an app key id and its secret.
type Credentials struct {
	KeyID  string
	Secret []byte
}

func (c Credentials) validate() error {
	if c.KeyID == "" || len(c.Secret) < 16 {
		return fmt.Errorf("sms: credentials need a key id and a secret of at least 16 bytes")
	}
	return nil
}

// Canonical is the string a signature covers.
func Canonical(method, path, timestamp, nonce string, body []byte) string {
	sum := sha256.Sum256(body)
	return method + "\n" + path + "\n" + timestamp + "\n" + nonce + "\n" + hex.EncodeToString(sum[:])
}

func (c Credentials) mac(canonical string) []byte {
	m := hmac.New(sha256.New, c.Secret)
	m.Write([]byte(canonical))
	return m.Sum(nil)
}

// Sign sets the signature headers of r, whose body is body.
func (c Credentials) Sign(r *http.Request, body []byte, now time.Time, nonce string) {
	ts := strconv.FormatInt(now.Unix(), 10)
	r.Header.Set(HeaderKeyID, c.KeyID)
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderNonce, nonce)
	r.Header.Set(HeaderSignature, base64.StdEncoding.EncodeToString(c.mac(Canonical(r.Method, r.URL.Path, ts, nonce, body))))
}

// Verify checks the signature headers of r (body already read) at now.
func (c Credentials) Verify(r *http.Request, body []byte, now time.Time) error {
	if r.Header.Get(HeaderKeyID) != c.KeyID {
		return fmt.Errorf("%w: unknown key id", ErrSignature)
	}
	ts := r.Header.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp", ErrSignature)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("%w: timestamp %s off by %s", ErrSignature, ts, d.Round(time.Second))
	}
	nonce := r.Header.Get(HeaderNonce)
	if len(nonce) < 8 || len(nonce) > 64 {
		return fmt.Errorf("%w: nonce", ErrSignature)
	}
	got, err := base64.StdEncoding.DecodeString(r.Header.Get(HeaderSignature))
	if err != nil || !hmac.Equal(got, c.mac(Canonical(r.Method, r.URL.Path, ts, nonce, body))) {
		return fmt.Errorf("%w: signature", ErrSignature)
	}
	return nil
}
