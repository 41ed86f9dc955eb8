package alipay

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// TimeLayout is Alipay's time format (timestamp, notify_time, gmt_*), in Asia/Shanghai.
const TimeLayout = "2006-01-02 15:04:05"

// Shanghai is Asia/Shanghai: UTC+8 all year (China keeps no daylight saving time), so
// a fixed zone is exact and needs no tzdata.
var Shanghai = time.FixedZone("CST", 8*60*60)

// ErrSignature: a signature is missing, malformed or does not verify.
var ErrSignature = errors.New("alipay: signature does not verify")

// SigningString is Alipay's string to sign: the non-empty parameters except those
// in exclude, sorted by key, joined as k=v with &, values unescaped. A key with
// several values contributes its first (callers refuse duplicates where it matters).
func SigningString(params url.Values, exclude ...string) string {
	keys := make([]string, 0, len(params))
	for k, vs := range params {
		if len(vs) == 0 || vs[0] == "" || slices.Contains(exclude, k) {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params[k][0])
	}
	return b.String()
}

// Sign signs content with RSA-SHA256 (PKCS #1 v1.5) and encodes it in base64.
func Sign(key *rsa.PrivateKey, content []byte) (string, error) {
	sum := sha256.Sum256(content)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("alipay: sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Verify checks a base64 RSA-SHA256 signature of content.
func Verify(pub *rsa.PublicKey, content []byte, sign string) error {
	sig, err := base64.StdEncoding.DecodeString(sign)
	if err != nil || sign == "" {
		return fmt.Errorf("%w: not base64", ErrSignature)
	}
	sum := sha256.Sum256(content)
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
		return ErrSignature
	}
	return nil
}

// ResponseKey is the member of an answer to method: "alipay.trade.query" →
// "alipay_trade_query_response".
func ResponseKey(method string) string {
	return strings.ReplaceAll(method, ".", "_") + "_response"
}

// Envelope is an answer split into its parts. Raw is the exact bytes of the
// *_response (or error_response) value: what Alipay signed.
type Envelope struct {
	Raw    json.RawMessage
	Sign   string
	CertSN string // alipay_cert_sn (certificate mode)
}

// SplitResponse reads an answer {"<method>_response":{…},"sign":"…"} keeping the
// response value's bytes exactly. An answer carrying only error_response (gateway
// errors) is read from that member.
func SplitResponse(body []byte, method string) (Envelope, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return Envelope{}, fmt.Errorf("alipay: %s answer is not a JSON object: %w", method, err)
	}
	raw, ok := top[ResponseKey(method)]
	if !ok {
		raw, ok = top["error_response"]
	}
	if !ok || len(raw) == 0 || raw[0] != '{' {
		return Envelope{}, fmt.Errorf("alipay: %s answer has no %s object", method, ResponseKey(method))
	}
	env := Envelope{Raw: raw}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"sign", &env.Sign}, {"alipay_cert_sn", &env.CertSN}} {
		if v, ok := top[f.name]; ok {
			if err := json.Unmarshal(v, f.dst); err != nil {
				return Envelope{}, fmt.Errorf("alipay: %s answer: %s is not a string", method, f.name)
			}
		}
	}
	return env, nil
}
